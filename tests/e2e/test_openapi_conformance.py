"""The API keeps its OpenAPI promises, checked the way a client's tooling would: schemathesis, all
checks (no 5xx, documented status codes, headers and bodies, valid input accepted, invalid input
refused, 405s with `Allow`), against `fieldbank serve` on the embedded default, with demo tokens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from devices.demo import DEMO_DEVICE_OF
from engine.people.demo import DEMO_PASSWORD
from tests.server_process import fieldbank_serve

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = "20261204"  # fixed, so a failure in CI replays locally with the same cases


def _token(base: str, username: str) -> str:
    r = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"username": username, "password": DEMO_PASSWORD, "device_id": DEMO_DEVICE_OF.get(username)},
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


def _system_client_token(data_dir: Path) -> str:
    """As an operator registers one: `fieldbank clients add`, on the served instance's database."""
    env = {**os.environ, "FIELDBANK_DATA_DIR": str(data_dir / "var")}
    env.pop("FIELDBANK_DATABASE_URL", None)
    command = [
        str(Path(sys.executable).with_name("fieldbank")),
        "clients",
        "add",
        "card_centre",
        "-m",
        "card_decision",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=True)
    return done.stdout.strip().splitlines()[-1]


def _schemathesis(base: str, token: str, workdir: Path, *selection: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{base}/openapi.json",  # every check is on by default; the config turns one off for one route
        "--seed",
        SEED,
        "--header",
        f"Authorization: Bearer {token}",
        *selection,
    ]
    # run in a scratch folder: schemathesis keeps a `.schemathesis/` cache where it runs
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=workdir)


def test_every_operation_keeps_its_openapi_contract(tmp_path: Path) -> None:
    with fieldbank_serve(tmp_path) as served:
        base = served.base_url
        # all tokens first: the run fuzzes sign-in until this client is throttled, as it should be
        officer, security, supervisor, device_admin, leaving = (
            _token(base, u) for u in ("fo001", "sec001", "ps001", "da001", "fo002")
        )
        card_centre = _system_client_token(tmp_path)
        runs = {
            "officer": _schemathesis(base, officer, tmp_path, "--exclude-path", "/api/v1/auth/logout"),
            "security officer": _schemathesis(
                base, security, tmp_path, "--include-path-regex", "^/api/v1/(staff/|device-changes)"
            ),
            "device admin": _schemathesis(
                base, device_admin, tmp_path, "--include-path-regex", "^/api/v1/(devices|device-changes)"
            ),
            "post-supervisor": _schemathesis(
                base, supervisor, tmp_path, "--include-path-regex", "^/api/v1/(evidence|audit)"
            ),
            "card centre (system client)": _schemathesis(
                base, card_centre, tmp_path, "--include-path", "/api/v1/messages"
            ),
            # logout revokes the token it is called with, so it gets a run (and a token) of its own
            "logout": _schemathesis(base, leaving, tmp_path, "--include-path", "/api/v1/auth/logout"),
        }
    for who, run in runs.items():
        assert run.returncode == 0, f"{who}:\n{run.stdout[-12000:]}\n{run.stderr[-2000:]}"
        assert "Tested:" in run.stdout, run.stdout  # it really ran operations
    server_log = served.log.read_text()
    assert " 500 " not in server_log and "Traceback" not in server_log
