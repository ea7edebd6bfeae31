"""Shared processes deploy inside the journeys that call them: editing one redeploys each caller, running
instances stay on the version they started on, and a shared process is never a journey of its own."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import Customer, J1Driver
from engine.settings import REPO_ROOT


@pytest.fixture
def settings_overrides(tmp_path: Path) -> dict[str, Any]:
    """A copy of processes/ the test may edit, as an analyst would before deploying again."""
    directory = tmp_path / "processes"
    shutil.copytree(REPO_ROOT / "processes", directory)
    return {"processes_dir": directory}


def test_shared_processes_are_not_journeys_anyone_can_start(client: TestClient, services: Services) -> None:
    listed = {d.process_id for d in services.definitions.list_latest()}
    assert "debit_card_opening" in listed
    assert not listed & {"customer_identification", "face_verification", "mobile_verification"}
    driver = J1Driver(client)
    r = client.post(
        "/api/v1/processes/face_verification/instances", headers=driver.headers("fo001"), json={"data": {}}
    )
    assert r.status_code == 404


def test_editing_a_shared_process_redeploys_its_callers_and_running_instances_keep_theirs(
    client: TestClient, services: Services
) -> None:
    driver = J1Driver(client, wait_seconds=5)
    waiting = driver.run(Customer(card_sequence=1301), stop_before="otp_entry").instance
    before = {d.process_id: d for d in services.definitions.list_latest()}

    shared = services.settings.processes_dir / "shared" / "mobile_verification.bpmn"
    shared.write_text(
        shared.read_text(encoding="utf-8").replace('name="输入短信验证码"', 'name="输入短信验证码 (6位)"'),
        encoding="utf-8",
    )
    results = {r.process_id: r for r in services.definitions.deploy_all("test")}
    assert results["debit_card_opening"].new and results["debit_card_opening"].version == 2
    assert results["debit_card_opening"].sha != before["debit_card_opening"].sha
    assert not results["post_supervision"].new  # does not call the edited file

    old = driver.run_from(waiting, Customer(card_sequence=1301))
    assert old.outcome == "OPENED" and old.instance["definition_version"] == 1
    assert old.steps[0] == "otp_entry"
    new = driver.run(Customer(card_sequence=1302), stop_before="otp_entry").instance
    assert new["definition_version"] == 2
    assert next(t["title"] for t in new["tasks"] if t["name"] == "otp_entry") == "输入短信验证码 (6位)"
