"""`fieldbank serve` in its own process on a fresh data folder: the README's run path, for the e2e and
browser tests and bench/pages.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Served:
    base_url: str
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def fieldbank_process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`fieldbank <args>` in its own process, output to `log`; stopped on exit, killed if it does not stop."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def fieldbank_serve(data_dir: Path) -> Iterator[Served]:
    """The embedded default (SQLite, in-process worker, sandbox with fast latencies) under `data_dir`."""
    port = free_port()
    env = {**os.environ, "FIELDBANK_DATA_DIR": str(data_dir / "var"), "FIELDBANK_SANDBOX_LATENCY": "fast"}
    env.pop("FIELDBANK_DATABASE_URL", None)
    env.pop("FIELDBANK_REDIS_URL", None)
    log = data_dir / "server.log"
    with fieldbank_process(["serve", "--port", str(port)], env, log) as process:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, process, log)
        yield Served(base, log)


def wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until `/login` answers 200; fails with the end of the server's log if it dies or takes 90 s."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError(f"the server did not come up:\n{log.read_text()[-3000:]}")
