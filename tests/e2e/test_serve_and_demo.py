"""The README's run path end to end: `fieldbank serve` on a fresh data folder, then `fieldbank demo`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.server_process import fieldbank_serve


def test_a_fresh_install_serves_and_the_demo_opens_a_card_without_logging_personal_data(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "FIELDBANK_DATA_DIR": str(tmp_path / "var"), "FIELDBANK_SANDBOX_LATENCY": "fast"}
    env.pop("FIELDBANK_DATABASE_URL", None)
    with fieldbank_serve(tmp_path) as served:
        base = served.base_url
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
    server_log = served.log.read_text()
    assert "GET /api/v1/sandbox/sms/139****1234" in server_log  # the access log ran, masked
    for clear in ("13900001234", "420106199003071238"):
        assert clear not in server_log
