"""A script or condition that fails at run time is an incident naming process, element and expression;
the caller gets a 409 in the error shape, never a 500, and the task completion that ran it is rolled
back (the task is still open, nothing of it in the trail). Diagram: `processes/broken_steps.bpmn`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import J1Driver
from tests.integration.conftest import services_with_test_processes

PROCESS = "broken_steps"


@pytest.fixture
def services(database_url: str, key_dir: Path, tmp_path: Path) -> Services:
    return services_with_test_processes(database_url, key_dir, tmp_path, PROCESS)


def start(client: TestClient, headers: dict[str, str]) -> tuple[str, str]:
    r = client.post(f"/api/v1/processes/{PROCESS}/instances", json={}, headers=headers)
    assert r.status_code == 201, r.text
    [task] = r.json()["tasks"]
    return r.json()["instance_id"], task["task_id"]


def get(client: TestClient, headers: dict[str, str], instance_id: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/instances/{instance_id}", headers=headers)
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


@pytest.mark.parametrize(
    ("path", "element", "expression", "error"),
    [
        (
            "script",
            "broken_script",
            "total = fee + missing_fee",
            "NameError: name 'missing_fee' is not defined",
        ),
        (
            "condition",
            "broken_gateway",
            "undefined_flag is True",
            "NameError: name 'undefined_flag' is not defined",
        ),
    ],
)
def test_a_failing_step_is_an_incident_naming_it_and_a_409(
    client: TestClient, path: str, element: str, expression: str, error: str
) -> None:
    headers = J1Driver(client).headers("fo001")
    instance_id, task_id = start(client, headers)
    r = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"path": path}}, headers=headers)
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "process_step_failed"
    details = body["details"]
    assert (details["process_id"], details["element_id"], details["expression"], details["error"]) == (
        PROCESS,
        element,
        expression,
        error,
    )
    assert PROCESS in body["message"] and element in body["message"] and expression in body["message"]

    view = get(client, headers, instance_id)
    assert view["status"] == "incident"
    [incident] = view["incidents"]
    assert incident["incident_id"] == details["incident_id"]
    assert incident["task_spec"] == element and incident["error_code"] == "SCRIPT_ERROR"
    assert PROCESS in incident["message"] and expression in incident["message"]
    # rolled back: the task is still the one to do, and the trail has no completion of it
    assert [t["task_id"] for t in view["tasks"]] == [task_id]
    trail = client.get(f"/api/v1/instances/{instance_id}/events", headers=headers).json()
    kinds = [e["kind"] for e in (trail["events"] if isinstance(trail, dict) else trail)]
    assert "task_completed" not in kinds and "incident_raised" in kinds


def test_after_a_retry_the_task_can_be_done_again(client: TestClient) -> None:
    headers = J1Driver(client).headers("fo001")
    instance_id, task_id = start(client, headers)
    failed = client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {"path": "script"}}, headers=headers
    )
    incident_id = failed.json()["details"]["incident_id"]
    r = client.post(f"/api/v1/instances/{instance_id}/incidents/{incident_id}/retry", headers=headers)
    assert r.status_code in (200, 204), r.text
    assert get(client, headers, instance_id)["status"] == "waiting_user"
    done = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"path": "fine"}}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
