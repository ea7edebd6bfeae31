"""The peer benchmark: SpiffArena's account-opening diagram over HTTP on FieldBank's production serving.

Run: .venv/bin/python bench/arena.py [--journeys N] [--workers W] [--clients 1,8] [--seed-finished K]
(about 1-2 minutes with the defaults; needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379)

Method. `processes/arena_account_opening.bpmn` deploys unchanged (ARCHITECTURE 2) and is driven exactly
as `../shared/reference/peer-figures.md` drove SpiffArena: one journey is 7 requests, each timed by
the client: create (runs to the first form), read the form, submit it (the three checks run in the
request, then the decision), read the instance, read the second form, submit it, confirm completed.
Every journey gets its own customer. The server is `fieldbank serve --workers W` (default 2, one per
core) on a fresh PostgreSQL database `fieldbank_arena` and Redis database 6, with one `fieldbank
worker` beside it, the way production runs. Each load (1 client, then 8 concurrent clients, each with
its own connection and token) runs after a warm-up of 8 journeys. CPU: user + system seconds of the
API process tree and of every PostgreSQL process, read from /proc before and after a load, divided by
its journeys. The client runs on the same 2 cores, so its own CPU is printed too: at 8 clients the
bench competes with the server it measures.

With `--seed-finished K` the load is measured a second time after K finished instances have been
added in bulk (copies of a finished journey's rows with new ids), so cost as data grows shows.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import psycopg
from rich.console import Console
from rich.table import Table

from devices.demo import DEMO_DEVICE_OF

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.server_process import fieldbank_process, free_port, wait_until_up  # noqa: E402

DATABASE = "fieldbank_arena"
REDIS_URL = "redis://127.0.0.1:6379/6"
PROCESS_ID = "Process_account_opening"
PASSWORD = "fieldbank-demo"  # the published demo credential (engine/people/demo.py)
PEER = {1: (2.26, 44.0, 153.0), 8: (3.73, 224.0, 767.0)}  # journeys/s, p50 ms, p95 ms (peer-figures.md)
TARGET_JOURNEYS_PER_S, TARGET_P95_MS = 37.0, 50.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
console = Console(width=170)


@dataclass
class Load:
    clients: int
    journeys: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0
    postgres_cpu_s: float = 0.0
    client_cpu_s: float = 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class ArenaClient:
    """One clerk on one connection: signs in once, then runs journeys of 7 timed requests."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=60)
        r = self.http.post(
            "/api/v1/auth/token",
            json={"username": "fo001", "password": PASSWORD, "device_id": DEMO_DEVICE_OF["fo001"]},
        )
        r.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        self.latencies_ms: list[float] = []

    def _call(self, method: str, url: str, **kwargs: object) -> dict[str, object]:
        started = time.perf_counter()
        r = self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
        self.latencies_ms.append((time.perf_counter() - started) * 1000)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {url}: {r.status_code} {r.text[:300]}")
        body: dict[str, object] = r.json()
        return body

    def journey(self) -> None:
        number = "".join(secrets.choice("0123456789") for _ in range(11))
        instance = self._call("POST", f"/api/v1/processes/{PROCESS_ID}/instances", json={})
        first = _only_task(instance)
        self._call("GET", f"/api/v1/tasks/{first}")
        customer = {
            "first_name": "Wei",
            "last_name": "Zhang",
            "national_id": number,
            "date_of_birth": "1990-03-07",
            "phone": "+8613900001234",
            "email": "wei.zhang@example.com",
            "address": "1 Zhongshan Road, Wuhan",
            "product": "current_account",
        }
        self._call("POST", f"/api/v1/tasks/{first}/complete", json={"data": customer})
        instance = self._call("GET", f"/api/v1/instances/{instance['instance_id']}")
        second = _only_task(instance)
        self._call("GET", f"/api/v1/tasks/{second}")
        signed = {"accept_terms": True, "signature_name": "Wei Zhang"}
        self._call("POST", f"/api/v1/tasks/{second}/complete", json={"data": signed})
        done = self._call("GET", f"/api/v1/instances/{instance['instance_id']}")
        if done["status"] != "completed":
            raise RuntimeError(f"journey not completed: {done['status']}")


def _only_task(instance: dict[str, object]) -> str:
    tasks = instance["tasks"]
    assert isinstance(tasks, list) and len(tasks) == 1, instance
    return str(tasks[0]["task_id"])


def run_load(base: str, clients: int, journeys: int, server_pid: int) -> Load:
    workers = [ArenaClient(base) for _ in range(clients)]
    for w in workers:  # warm-up: connections, caches, the first parse of each form
        w.journey()
        w.latencies_ms.clear()
    share = [journeys // clients + (1 if i < journeys % clients else 0) for i in range(clients)]
    errors: list[BaseException] = []

    def drive(w: ArenaClient, n: int) -> None:
        try:
            for _ in range(n):
                w.journey()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=drive, args=(w, n)) for w, n in zip(workers, share, strict=True)]
    server_before, pg_before, client_before = _tree_cpu(server_pid), _postgres_cpu(), time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    load = Load(clients, journeys, time.perf_counter() - started)
    load.server_cpu_s = _tree_cpu(server_pid) - server_before
    load.postgres_cpu_s = _postgres_cpu() - pg_before
    load.client_cpu_s = time.process_time() - client_before
    if errors:
        raise errors[0]
    load.latencies_ms = [ms for w in workers for ms in w.latencies_ms]
    return load


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def _tree_cpu(pid: int) -> float:
    return _cpu_of(pid) + sum(_tree_cpu(child) for child in _children(pid))


def _postgres_cpu() -> float:
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    return sum(_cpu_of(int(p)) for p in out.stdout.split())


@contextmanager
def production_server(workers: int, data_dir: Path) -> Iterator[tuple[str, int]]:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    port = free_port()
    env = {
        **os.environ,
        "FIELDBANK_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}",
        "FIELDBANK_REDIS_URL": REDIS_URL,
        "FIELDBANK_DATA_DIR": str(data_dir),
        "FIELDBANK_SANDBOX_LATENCY": "zero",
    }
    base = f"http://127.0.0.1:{port}"
    with ExitStack() as stack:
        serve_log = data_dir.parent / "serve.log"
        serve = ["serve", "--workers", str(workers), "--port", str(port)]
        server = stack.enter_context(fieldbank_process(serve, env, serve_log))
        wait_until_up(base, server, serve_log)
        stack.enter_context(fieldbank_process(["worker"], env, data_dir.parent / "worker.log"))
        yield base, server.pid


def seed_finished(count: int) -> int:
    """`count` copies of finished journeys (the instance row with its state, and its events)
    under new ids, in bulk SQL: the tables a journey reads grow as production's would. The copies' state
    stays sealed to the original ids; nothing opens a finished journey's state on the measured path."""
    url = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """CREATE TEMP TABLE copies AS
               SELECT gen_random_uuid()::text AS new_id, t.id AS old_id
               FROM (SELECT id FROM process_instances WHERE status = 'completed' LIMIT 50) t,
                    generate_series(1, %s) LIMIT %s""",
            (count // 50 + 1, count),
        )
        for table, key in (("process_instances", "id"), ("instance_events", "instance_id")):
            columns = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "AND column_name NOT IN (%s, 'id') ORDER BY ordinal_position",
                    (table, key),
                )
            ]
            listed = ", ".join(columns)
            source = ", ".join(f"x.{c}" for c in columns)
            conn.execute(
                f"INSERT INTO {table} ({key}, {listed}) "
                f"SELECT c.new_id, {source} FROM {table} x JOIN copies c ON x.{key} = c.old_id"
            )
        conn.execute("ANALYZE")
        total = conn.execute("SELECT count(*) FROM process_instances").fetchone()
        return int(total[0]) if total else 0


def report(loads: list[tuple[str, Load]]) -> None:
    table = Table(title=f"arena journey over HTTP ({PROCESS_ID}, 7 requests per journey)")
    for column in (
        "data",
        "clients",
        "journeys/s",
        "p50 ms",
        "p95 ms",
        "server CPU s/journey",
        "PostgreSQL CPU s/journey",
        "bench client CPU s/journey",
        "peer journeys/s (p95)",
    ):
        table.add_column(column, justify="right")
    for label, load in loads:
        peer = PEER.get(load.clients)
        table.add_row(
            label,
            str(load.clients),
            f"{load.journeys / load.seconds:.1f}",
            f"{load.percentile(0.50):.1f}",
            f"{load.percentile(0.95):.1f}",
            f"{load.server_cpu_s / load.journeys:.4f}",
            f"{load.postgres_cpu_s / load.journeys:.4f}",
            f"{load.client_cpu_s / load.journeys:.4f}",
            f"{peer[0]} ({peer[2]:g} ms)" if peer else "-",
        )
    console.print(table)
    eight = [load for _label, load in loads if load.clients == 8]
    if eight:
        best = eight[0]
        rate = best.journeys / best.seconds
        p95 = best.percentile(0.95)
        console.print(
            f"targets at 8 clients: >= {TARGET_JOURNEYS_PER_S:g} journeys/s (reached {rate:.1f}, "
            f"{rate / PEER[8][0]:.1f}x the peer), p95 < {TARGET_P95_MS:g} ms (reached {p95:.1f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=120, help="journeys per load (default 120)")
    parser.add_argument("--workers", type=int, default=2, help="API processes (default 2)")
    parser.add_argument("--clients", default="1,8", help="comma-separated client counts (default 1,8)")
    parser.add_argument(
        "--seed-finished", type=int, default=0, help="measure again after K finished instances"
    )
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    loads: list[tuple[str, Load]] = []
    with TemporaryDirectory() as tmp, production_server(args.workers, Path(tmp) / "var") as (base, pid):
        for n in clients:
            loads.append(("fresh", run_load(base, n, args.journeys if n > 1 else args.journeys // 2, pid)))
        if args.seed_finished:
            total = seed_finished(args.seed_finished)
            for n in clients:
                label = f"{total:,} instances"
                loads.append((label, run_load(base, n, args.journeys if n > 1 else args.journeys // 2, pid)))
    report(loads)


if __name__ == "__main__":
    main()
