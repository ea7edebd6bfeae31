"""What a validation error costs the officer while evidence packages render: the embedded server with
its PDFs rendered in the API's own process (as before issue 28 item 10) and in the render child.

Run: .venv/bin/python bench/render_latency.py [--packages N] [--idle N]   (about 5 min with the defaults)

Method. For each mode, a `fieldbank serve` on a fresh temporary data folder (SQLite, in-process worker,
sandbox FIELDBANK_SANDBOX_LATENCY=fast; FIELDBANK_RENDER_IN_CHILD=false or true) is driven over HTTP.
fo001 starts one J1 whose first task (id_card) is then completed with empty data: a 422 validation
error, the request measured, both over the API (`POST /api/v1/tasks/{id}/complete`) and as the tablet
sends it (the form POST to /tablet/tasks/{id}, which answers with the task page and its errors).
First `--idle` of each with nothing in the background. Then 2N J1 journeys are run up to their last
task (signing_witness). The last tasks of the first N are completed one after the other; once their
packages are built and reviewed by machine, ps001 passes N/2 of them (the desk decision, `POST
/api/v1/tasks/{id}/complete` with PASSED: "idle"). Then the last tasks of the other N are completed,
so N evidence packages queue at once; while the outbox still holds an unfinished `build_evidence` row
(read from the server's SQLite file before and after each request), both validation-error POSTs are
sent every 0.1 s and ps001 decides the first batch's other packages. Only requests that started and
ended with a render pending count as "while rendering". (Every account opening goes to the human
review.)
Figures: median, p90 and max wall-clock milliseconds seen by the client. Reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
# bench/crypto.py would shadow the `crypto` package: the repository root must come first.
sys.path.insert(0, str(REPO_ROOT))

from api.journey_driver import DEMO_PASSWORD, Customer, J1Driver, JourneyResult  # noqa: E402
from tests.server_process import fieldbank_process, free_port, wait_until_up  # noqa: E402

LAST_TASK = "signing_witness"
# sandbox persons whose J1 opens an account without an authorizer (a person may hold four class-II
# accounts: they take turns, so --packages goes up to 4)
PEOPLE = (("赵雨桐", "42010320070220004X"), ("王芳", "420102198506150026"))
MODES = (("in the API process", "false"), ("in the render child", "true"))


def pending_renders(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        row = conn.execute(
            "SELECT count(*) FROM outbox WHERE kind = 'build_evidence' AND done_at IS NULL"
        ).fetchone()
    return int(row[0])


def validation_error(client: httpx.Client, driver: J1Driver, task_id: str) -> float:
    start = time.perf_counter()
    r = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=driver.headers("fo001"))
    elapsed = (time.perf_counter() - start) * 1000
    assert r.status_code == 422, r.text
    return elapsed


def signed_in_tablet(base: str, task_id: str) -> tuple[httpx.Client, str]:
    """A browser-like client signed in as fo001, and the CSRF token of the task's page."""
    tablet = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    tablet.post("/login", data={"username": "fo001", "password": DEMO_PASSWORD}).raise_for_status()
    page = tablet.get(f"/tablet/tasks/{task_id}")
    page.raise_for_status()
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF token on the task page"
    return tablet, found.group(1)


def tablet_validation_error(tablet: httpx.Client, token: str, task_id: str) -> float:
    start = time.perf_counter()
    r = tablet.post(f"/tablet/tasks/{task_id}", data={"csrf_token": token})
    elapsed = (time.perf_counter() - start) * 1000
    assert r.status_code == 422, r.status_code
    return elapsed


def desk_decision(client: httpx.Client, driver: J1Driver) -> float | None:
    """ms of passing one package waiting for the human review; None if none waits."""
    tasks = client.get("/api/v1/tasks", headers=driver.headers("ps001")).json()
    review = next((t for t in tasks if t["name"] == "human_review"), None)
    if review is None:
        return None
    start = time.perf_counter()
    r = client.post(
        f"/api/v1/tasks/{review['task_id']}/complete",
        json={"data": {"review_outcome": "PASSED"}},
        headers=driver.headers("ps001"),
    )
    elapsed = (time.perf_counter() - start) * 1000
    assert r.status_code == 200, r.text
    return elapsed


def finish(driver: J1Driver, waiting: list[JourneyResult], customers: list[Customer]) -> None:
    """Complete the last task of each journey, one after the other: their packages queue together."""
    for journey, customer in zip(waiting, customers, strict=True):
        done = driver.run_from(journey.instance, customer, skip=journey.steps)
        assert done.outcome == "OPENED", (customer.name, done.instance)


def decisions(client: httpx.Client, driver: J1Driver, count: int) -> list[float]:
    """Time `count` desk decisions, waiting for the machine review to hand the packages over."""
    timed: list[float] = []
    deadline = time.monotonic() + 60
    while len(timed) < count and time.monotonic() < deadline:
        decided = desk_decision(client, driver)
        if decided is None:
            time.sleep(0.3)
        else:
            timed.append(decided)
    return timed


def figures(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (
        f"n={len(samples):3d}  median {statistics.median(samples):7.1f} ms  "
        f"p90 {p90:7.1f} ms  max {max(samples):7.1f} ms"
    )


def run_mode(label: str, in_child: str, packages: int, idle: int, mobile_base: int) -> None:
    with tempfile.TemporaryDirectory(prefix="fb-render-bench-") as tmp:
        data_dir = Path(tmp) / "var"
        env = {
            **os.environ,
            "FIELDBANK_DATA_DIR": str(data_dir),
            "FIELDBANK_SANDBOX_LATENCY": "fast",
            "FIELDBANK_RENDER_IN_CHILD": in_child,
        }
        env.pop("FIELDBANK_DATABASE_URL", None)
        env.pop("FIELDBANK_REDIS_URL", None)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(tmp) / "server.log"
        with fieldbank_process(["serve", "--port", str(port)], env, log) as process:
            wait_until_up(base, process, log)
            db = data_dir / "fieldbank.db"
            with httpx.Client(base_url=base, timeout=60) as client:
                driver = J1Driver(client, wait_seconds=5)
                probe = driver.next_state("fo001", driver.start("fo001"))
                task_id = probe["tasks"][0]["task_id"]
                tablet, token = signed_in_tablet(base, task_id)
                for _ in range(3):  # warm the routes
                    validation_error(client, driver, task_id)
                    tablet_validation_error(tablet, token, task_id)
                idle_samples, idle_pages = [], []
                for _ in range(idle):
                    idle_samples.append(validation_error(client, driver, task_id))
                    idle_pages.append(tablet_validation_error(tablet, token, task_id))
                    time.sleep(0.05)

                customers = [
                    Customer(name=name, id_number=id_number, mobile=str(mobile_base + n))
                    for n, (name, id_number) in enumerate(PEOPLE * packages)
                ][: 2 * packages]
                waiting = [driver.run(c, stop_before=LAST_TASK) for c in customers]
                # batch A: its packages reach the human review, the decisions waiting for the desk
                finish(driver, waiting[:packages], customers[:packages])
                while pending_renders(db):
                    time.sleep(0.5)
                idle_decisions = decisions(client, driver, packages // 2)
                # batch B renders while the requests are timed and batch A's other packages are decided
                queued_at = time.perf_counter()
                finish(driver, waiting[packages:], customers[packages:])
                busy_samples: list[float] = []
                busy_pages: list[float] = []
                busy_decisions: list[float] = []
                while pending_renders(db):
                    elapsed = validation_error(client, driver, task_id)
                    if pending_renders(db):
                        busy_samples.append(elapsed)
                    elapsed = tablet_validation_error(tablet, token, task_id)
                    if pending_renders(db):
                        busy_pages.append(elapsed)
                    decided = desk_decision(client, driver)
                    if decided is not None and pending_renders(db):
                        busy_decisions.append(decided)
                    time.sleep(0.1)
                drained = time.perf_counter() - queued_at
                tablet.close()
        print(f"renders {label}:")
        print(f"  API validation error, idle:        {figures(idle_samples)}")
        print(f"  API validation error, rendering:   {figures(busy_samples)}")
        print(f"  tablet form error page, idle:      {figures(idle_pages)}")
        print(f"  tablet form error page, rendering: {figures(busy_pages)}")
        print(f"  desk decision, idle:               {figures(idle_decisions)}")
        print(f"  desk decision, rendering:          {figures(busy_decisions)}")
        print(f"  {packages} packages queued together, built in {drained:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=4)
    parser.add_argument("--idle", type=int, default=20)
    args = parser.parse_args()
    for index, (label, in_child) in enumerate(MODES):
        run_mode(label, in_child, args.packages, args.idle, 13900003100 + 20 * index)


if __name__ == "__main__":
    main()
