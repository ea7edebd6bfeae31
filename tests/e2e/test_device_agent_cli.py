"""README's device-agent path on the embedded default (SQLite): `fieldbank sandbox device enrol`, a lock
asked over the API, then `fieldbank sandbox device check-in` pulls, obeys and confirms it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.server_process import fieldbank_serve

DEVICE = "web-0000000000000001"


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "sandbox", "device", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_cli_tablet_enrols_then_pulls_and_confirms_its_lock(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    with fieldbank_serve(tmp_path) as served:
        base = served.base_url
        enrolled = cli("enrol", "--device", DEVICE, "--base-url", base, env=env)
        assert enrolled.returncode == 0, enrolled.stdout + enrolled.stderr
        assert "generation 1" in enrolled.stdout
        state = tmp_path / "home" / ".fieldbank" / "agent" / f"{DEVICE}.json"
        assert state.stat().st_mode & 0o777 == 0o600  # the sandbox tablet's private key
        with httpx.Client(base_url=base, timeout=10) as client:
            token = client.post(
                "/api/v1/auth/token", json={"username": "da001", "password": "fieldbank-demo"}
            ).json()["access_token"]
            r = client.post(
                f"/api/v1/devices/{DEVICE}/changes",
                json={"transition": "lock", "reason": "CLI test"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert r.status_code == 201, r.text
        checked = cli("check-in", "--device", DEVICE, "--base-url", base, env=env)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "wanted state LOCKED, 1 command(s)" in checked.stdout
        assert "LOCK #1: DONE" in checked.stdout and "'locked': True" in checked.stdout
        again = cli("check-in", "--device", DEVICE, "--base-url", base, env=env)
        assert "0 command(s)" in again.stdout
