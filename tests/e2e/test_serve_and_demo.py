"""The README's run path end to end: `fieldbank serve` on a fresh data folder, then `fieldbank demo`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_fresh_install_serves_and_the_demo_opens_a_card_without_logging_personal_data(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {**os.environ, "FIELDBANK_DATA_DIR": str(tmp_path / "var"), "FIELDBANK_SANDBOX_LATENCY": "fast"}
    env.pop("FIELDBANK_DATABASE_URL", None)
    log = tmp_path / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            raise AssertionError(log.read_text()[-3000:])
        demo = subprocess.run(
            [sys.executable, "-m", "api.cli", "demo", "--base-url", base],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert demo.returncode == 0, demo.stdout + demo.stderr
        assert "OPENED" in demo.stdout
        assert "Luhn valid: True" in demo.stdout
        assert (tmp_path / "var" / "keys" / "keys.json").exists()
        assert (tmp_path / "var" / "fieldbank.db").exists()
    finally:
        server.terminate()
        server.wait(20)
    server_log = log.read_text()
    assert "GET /api/v1/sandbox/sms/139****1234" in server_log  # the access log ran, masked
    for clear in ("13900001234", "420106199003071238"):
        assert clear not in server_log
