"""Production serving as README describes it: `fieldbank serve --workers 2` on PostgreSQL + Redis with a
`fieldbank worker` beside it; a journey opens a card, and still does after an API process is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.server_process import REPO_ROOT, fieldbank_process, free_port, wait_until_up

DATABASE = "fieldbank_e2e_serving"  # its own database: the integration tests own `test`
REDIS_URL = "redis://127.0.0.1:6379/7"  # and its own Redis database, so no other worker takes its jobs


def test_more_than_one_process_is_refused_on_the_embedded_default(tmp_path: Path) -> None:
    env = {"FIELDBANK_DATA_DIR": str(tmp_path), "FIELDBANK_DATABASE_URL": "", "FIELDBANK_REDIS_URL": ""}
    result = CliRunner().invoke(app, ["serve", "--workers", "2"], env=env)
    assert result.exit_code == 2
    message = " ".join(result.output.replace("│", " ").split())
    assert "--workers > 1 needs" in message and "PostgreSQL" in message and "REDIS_URL" in message, message


def _demo(base: str, env: dict[str, str]) -> str:
    demo = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--base-url", base],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    return demo.stdout


def _api_children(parent: int) -> list[int]:
    # -ww: without a terminal ps cuts the command line at 80 columns
    out = subprocess.run(
        ["ps", "-ww", "-o", "pid=,cmd=", "--ppid", str(parent)], capture_output=True, text=True
    )
    return [int(line.split()[0]) for line in out.stdout.splitlines() if "spawn_main" in line]


@pytest.mark.slow
def test_two_api_processes_and_a_worker_open_cards_and_survive_a_killed_process(
    tmp_path: Path,
) -> None:
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "FIELDBANK_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}",
        "FIELDBANK_REDIS_URL": REDIS_URL,
        "FIELDBANK_DATA_DIR": str(tmp_path / "var"),
        "FIELDBANK_SANDBOX_LATENCY": "zero",
    }
    serve_args = ["serve", "--workers", "2", "--port", str(port)]
    with fieldbank_process(serve_args, env, tmp_path / "serve.log") as server:
        wait_until_up(base, server, tmp_path / "serve.log")
        with fieldbank_process(["worker"], env, tmp_path / "worker.log"):
            assert "outcome: OPENED" in _demo(base, env)
            children = _api_children(server.pid)
            assert len(children) == 2, children
            os.kill(children[0], signal.SIGKILL)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(set(_api_children(server.pid)) - {children[0]}) < 2:
                time.sleep(0.3)
            assert len(set(_api_children(server.pid)) - {children[0]}) == 2  # the manager started another
            assert "outcome: OPENED" in _demo(base, env)
