"""Kill -9 reliability harness: J1 journeys on two API processes and a worker while processes die.

Run: .venv/bin/python bench/reliability.py [--trials 50] [--seed S]
(about 10 minutes for 50 trials; needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379)

Production mode as two sites would run it: two `fieldbank serve` processes (two ports, one PostgreSQL
database `fieldbank_reliability`, Redis database 8) and one `fieldbank worker`, sandbox latency
"fast". Each trial runs one debit-card opening for a new customer through one API; at a random moment
(0-6 s into a journey of about 5 s, so kills land in form submissions, pre-checks, the core opening
and package renders) a random process among the three gets SIGKILL and is started again. The clerk's
tablet does what a tablet does: when its API stops answering it switches to the other site, reloads
the journey and carries on. After the last trial the harness waits for the outbox to drain and
counts, from the database and the sandbox core itself:
- duplicate accounts: a customer the core holds more than one account for (each trial's customer is new);
- stuck instances: journeys not completed (and not in an incident) after the grace period;
- lost evidence packages: completed journeys that reached the customer's data without a package.
All three must be 0; the exit status is 1 otherwise. Kills by process and by journey step are printed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.console import Console
from rich.table import Table

BENCH = Path(__file__).resolve().parent
REPO_ROOT = BENCH.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(BENCH))

from journey import CustomerFactory  # noqa: E402

from api.journey_driver import Customer, J1Driver, JourneyError  # noqa: E402
from tests.server_process import free_port, wait_until_up  # noqa: E402

DATABASE = "fieldbank_reliability"
REDIS_URL = "redis://127.0.0.1:6379/8"
TRANSIENT = (httpx.TransportError, httpx.HTTPStatusError, JourneyError)
console = Console(width=150)


@dataclass
class Process:
    """One `fieldbank` process that the harness may kill and must bring back."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "api.cli", *self.args],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=out,
                stderr=out,
            )
        if self.port is not None:
            wait_until_up(f"http://127.0.0.1:{self.port}", self.popen, self.log)

    def kill(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.popen.kill()


@dataclass
class Tally:
    kills: Counter[str] = field(default_factory=Counter)
    kill_steps: Counter[str] = field(default_factory=Counter)
    switches: int = 0
    last_step: str = "?"
    outcomes: Counter[str] = field(default_factory=Counter)
    instances: list[tuple[str, Customer]] = field(default_factory=list)


class Tablet:
    """A clerk's tablet with both sites configured: on a dead site it reloads the journey elsewhere."""

    def __init__(self, ports: list[int], site: int, tally: Tally) -> None:
        self.ports = ports
        self.site = site
        self.tally = tally
        self.step = "start"  # the last step the tablet completed
        self._connect()

    def _connect(self) -> None:
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.ports[self.site]}", timeout=30)
        self.driver = J1Driver(self.client, wait_seconds=2, log=self._note)

    def _note(self, message: str) -> None:
        if "(" in message and ")" in message:
            self.step = message.rsplit("(", 1)[1].split(")", 1)[0]

    def switch(self) -> None:
        self.client.close()
        self.site = 1 - self.site
        self.tally.switches += 1
        self._connect()

    def journey(self, customer: Customer, deadline: float) -> str:
        instance: dict[str, Any] | None = None
        steps: list[str] = []
        while time.monotonic() < deadline:
            try:
                if instance is None:
                    instance = self.driver.start("fo001")
                    self.tally.instances.append((instance["instance_id"], customer))
                else:  # after a failure: what the journey really is now
                    r = self.client.get(
                        f"/api/v1/instances/{instance['instance_id']}", headers=self.driver.headers("fo001")
                    )
                    r.raise_for_status()
                    instance = dict(r.json())
                result = self.driver.run_from(instance, customer, skip=steps)
                steps = result.steps
                instance = result.instance
                if instance["status"] == "completed":
                    return str(instance.get("outcome"))
                if instance["status"] == "incident":  # a call ran out of retries: the operator's retry
                    for incident in instance.get("incidents", []):
                        self.client.post(
                            f"/api/v1/instances/{instance['instance_id']}"
                            f"/incidents/{incident['incident_id']}/retry",
                            headers=self.driver.headers("fo001"),
                        )
            except TRANSIENT:
                time.sleep(0.5)
                self.switch()
        return "UNFINISHED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261204)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    tmp = Path(tempfile.mkdtemp(prefix="fieldbank-reliability-"))
    env = {
        **os.environ,
        "FIELDBANK_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}",
        "FIELDBANK_REDIS_URL": REDIS_URL,
        "FIELDBANK_DATA_DIR": str(tmp / "var"),
        "FIELDBANK_SANDBOX_LATENCY": "fast",
        "FIELDBANK_OUTBOX_LEASE_SECONDS": "5",  # a killed worker's rows come back after 5 s, not 60
    }
    ports = [free_port(), free_port()]
    site_a = Process("api-a", ["serve", "--port", str(ports[0])], env, tmp / "api-a.log", ports[0])
    site_b = Process("api-b", ["serve", "--port", str(ports[1])], env, tmp / "api-b.log", ports[1])
    worker = Process("worker", ["worker"], env, tmp / "worker.log")
    processes = [site_a, site_b, worker]
    tally = Tally()
    customers = CustomerFactory()
    started = time.monotonic()
    try:
        site_a.start()  # the first start migrates and deploys; the second finds it done
        site_b.start()
        worker.start()
        for trial in range(args.trials):
            tablet = Tablet(ports, trial % 2, tally)
            victim = rng.choice(processes)
            delay = rng.uniform(0.0, 6.0)
            killer = threading.Thread(target=_kill_later, args=(victim, delay, tally, tablet), daemon=True)
            killer.start()
            outcome = tablet.journey(customers.next(), time.monotonic() + 120)
            killer.join()
            tally.outcomes[outcome] += 1
            console.print(
                f"trial {trial + 1:>3}: killed {victim.name} after step {tally.last_step} -> {outcome}"
            )
        duplicates, stuck, lost = _audit(env, tally)
    finally:
        for p in processes:
            p.stop()
    _report(tally, duplicates, stuck, lost, time.monotonic() - started, args.trials)
    sys.exit(1 if (duplicates or stuck or lost) else 0)


def _kill_later(victim: Process, delay: float, tally: Tally, tablet: Tablet) -> None:
    time.sleep(delay)
    tally.kill_steps[tablet.step] += 1
    tally.kills[victim.name] += 1
    tally.last_step = tablet.step
    victim.kill()
    time.sleep(0.5)
    victim.start()


def _audit(env: dict[str, str], tally: Tally) -> tuple[list[str], list[str], list[str]]:
    """Wait for the outbox to drain, then count what must be zero."""
    url = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
    deadline = time.monotonic() + 180
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            pending = conn.execute("SELECT count(*) FROM outbox WHERE done_at IS NULL").fetchone()
            if pending is not None and pending[0] == 0:
                break
            time.sleep(1)
        ids = [iid for iid, _c in tally.instances]
        rows = conn.execute(
            "SELECT id, status, outcome FROM process_instances WHERE id = ANY(%s)", (ids,)
        ).fetchall()
        packaged = {
            r[0]
            for r in conn.execute(
                "SELECT instance_id FROM evidence_packages WHERE instance_id = ANY(%s)", (ids,)
            )
        }
    stuck = [f"{iid} {status}" for iid, status, _o in rows if status not in ("completed",)]
    lost = [iid for iid, status, _o in rows if status == "completed" and iid not in packaged]
    duplicates = _duplicate_accounts(env, tally)
    return duplicates, stuck, lost


def _duplicate_accounts(env: dict[str, str], tally: Tally) -> list[str]:
    """Asked of the sandbox core itself (its state is shared in the database): accounts per customer."""
    from api.bootstrap import build_services
    from engine.settings import Settings

    settings = Settings(
        database_url=env["FIELDBANK_DATABASE_URL"],
        data_dir=Path(env["FIELDBANK_DATA_DIR"]),
        sandbox_latency="zero",
    )
    services = build_services(settings, in_process_worker=False)
    assert services.sandbox is not None
    found = []
    for n, (_iid, customer) in enumerate(tally.instances):
        held = services.sandbox.core.lookup_customer(customer.id_number, customer.name, f"audit:{n}")
        if held.class_i_count + held.class_ii_count > 1:
            found.append(f"customer #{n}: {held.class_i_count} Class I, {held.class_ii_count} Class II")
    return found


def _report(
    tally: Tally, duplicates: list[str], stuck: list[str], lost: list[str], seconds: float, trials: int
) -> None:
    table = Table(title=f"kill -9 reliability: {trials} trials in {seconds:.0f} s")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, count in sorted(tally.kills.items()):
        table.add_row(f"kills of {name}", str(count))
    for step, count in sorted(tally.kill_steps.items()):
        table.add_row(f"kills after step {step}", str(count))
    table.add_row("tablet switched site", str(tally.switches))
    for outcome, count in sorted(tally.outcomes.items()):
        table.add_row(f"journeys ending {outcome}", str(count))
    table.add_row("duplicate accounts (must be 0)", str(len(duplicates)))
    table.add_row("stuck instances (must be 0)", str(len(stuck)))
    table.add_row("lost evidence packages (must be 0)", str(len(lost)))
    console.print(table)
    for line in (*duplicates, *stuck, *lost):
        console.print(f"  {line}")


if __name__ == "__main__":
    main()
