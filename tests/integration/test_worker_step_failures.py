"""A script or condition failing outside a request (the worker applying a service call's result, the timer
sweep, a message correlated) is an incident naming process, element and expression, like in a request:
not an exception in a log and a journey stuck where it was. It does not come back by itself round after
round (one incident, not one per sweep or lease); an operator's retry runs the step again.
Diagrams: `processes/fails_after_service.bpmn`, `fails_after_timer.bpmn`, `fails_after_message.bpmn`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.bootstrap import Services
from api.journey_driver import J1Driver
from engine.persistence.records import IncidentRecord, OutboxRecord
from engine.timers import fire_due_timers
from tests.integration.conftest import services_with_test_processes


class Clock:
    """The engine's clock, moved by the test (SpiffWorkflow's timers read it too)."""

    def __init__(self) -> None:
        self.moment = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(database_url: str, key_dir: Path, tmp_path: Path, clock: Clock) -> Services:
    return services_with_test_processes(
        database_url,
        key_dir,
        tmp_path,
        "fails_after_service",
        "fails_after_timer",
        "fails_after_message",
        now=clock,
    )


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as test_client:  # the in-process worker runs
        yield test_client


def start(client: TestClient, process_id: str) -> dict[str, Any]:
    r = client.post(f"/api/v1/processes/{process_id}/instances", json={}, headers=headers(client))
    assert r.status_code == 201, r.text
    view: dict[str, Any] = r.json()
    return view


def headers(client: TestClient) -> dict[str, str]:
    return J1Driver(client).headers("fo001")


def view_of(client: TestClient, instance_id: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/instances/{instance_id}", headers=headers(client))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def until_open_incident(client: TestClient, instance_id: str, seconds: float = 20) -> dict[str, Any]:
    """The instance once the worker has parked it (the worker runs in its own threads)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        view = view_of(client, instance_id)
        if view["status"] == "incident" and any(i.get("resolved_at") is None for i in view["incidents"]):
            return view
        time.sleep(0.1)
    raise AssertionError(f"no incident: {view_of(client, instance_id)}")


def incidents(services: Services, instance_id: str) -> list[IncidentRecord]:
    with services.deps.sessions() as session:
        return list(session.scalars(select(IncidentRecord).where(IncidentRecord.instance_id == instance_id)))


def open_outbox_rows(services: Services, instance_id: str) -> list[OutboxRecord]:
    with services.deps.sessions() as session:
        return list(
            session.scalars(
                select(OutboxRecord).where(
                    OutboxRecord.instance_id == instance_id, OutboxRecord.done_at.is_(None)
                )
            )
        )


def retry(client: TestClient, instance_id: str, incident_id: int) -> None:
    r = client.post(f"/api/v1/instances/{instance_id}/incidents/{incident_id}/retry", headers=headers(client))
    assert r.status_code in (200, 204), r.text


def assert_names_the_step(incident: dict[str, Any], process_id: str, element: str, expression: str) -> None:
    assert incident["task_spec"] == element and incident["error_code"] == "SCRIPT_ERROR"
    assert process_id in incident["message"] and expression in incident["message"]


def test_a_condition_failing_after_a_service_call_is_an_incident_and_its_row_does_not_come_back(
    client: TestClient, services: Services
) -> None:
    instance_id = start(client, "fails_after_service")["instance_id"]
    view = until_open_incident(client, instance_id)
    [incident] = view["incidents"]
    assert_names_the_step(
        incident, "fails_after_service", "after_notice", 'notice["sent"] and undefined_flag'
    )
    assert "NameError" in incident["message"]
    assert open_outbox_rows(services, instance_id) == []  # finished with the incident: no lease to wait out
    time.sleep(1.0)  # a few worker rounds: nothing runs the calls again by itself
    assert len(incidents(services, instance_id)) == 1

    retry(client, instance_id, incident["incident_id"])  # the operator's retry makes the call again
    deadline = time.monotonic() + 20
    while len(incidents(services, instance_id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    again = [i for i in incidents(services, instance_id) if i.resolved_at is None]
    assert [i.task_spec for i in again] == ["after_notice"]  # the diagram is still broken


def test_a_script_failing_after_a_timer_is_an_incident_and_the_sweep_does_not_fire_it_again(
    client: TestClient, services: Services, clock: Clock
) -> None:
    instance_id = start(client, "fails_after_timer")["instance_id"]
    assert view_of(client, instance_id)["status"] == "waiting_external"
    clock.moment += timedelta(hours=2)
    view = until_open_incident(client, instance_id)  # the worker's own sweep fired the timer
    [incident] = view["incidents"]
    assert_names_the_step(incident, "fails_after_timer", "after_timer", "late_fee = missing_rate * 2")
    assert fire_due_timers(services.deps) == 0  # parked with its timers off: no incident per sweep
    assert len(incidents(services, instance_id)) == 1

    retry(client, instance_id, incident["incident_id"])  # the timer fires again on the next sweep
    fire_due_timers(services.deps)
    until_open_incident(client, instance_id)
    assert [i.resolved_at is None for i in incidents(services, instance_id)] == [False, True]


def test_a_script_failing_after_a_message_is_an_incident_and_the_client_hears_which_step(
    client: TestClient, services: Services
) -> None:
    view = start(client, "fails_after_message")
    instance_id, key = view["instance_id"], "APP-" + view["instance_id"][:8]
    token = services.system_clients.register("card_centre", "信用卡中心 (test)", ["card_decision"])
    centre = {"Authorization": f"Bearer {token}"}

    def deliver(message_id: str) -> Any:
        body = {
            "message_id": message_id,
            "name": "card_decision",
            "correlation_key": key,
            "payload": {"decision": "APPROVED"},
        }
        return client.post("/api/v1/messages", json=body, headers=centre)

    failed = deliver("m-1")
    assert failed.status_code == 409, failed.text
    assert failed.json()["code"] == "process_step_failed"
    details = failed.json()["details"]
    assert (details["process_id"], details["element_id"]) == ("fails_after_message", "record")
    view = view_of(client, instance_id)
    assert view["status"] == "incident"
    [incident] = view["incidents"]
    assert incident["incident_id"] == details["incident_id"]
    assert_names_the_step(
        incident, "fails_after_message", "record", 'outcome = card_decision["decision"] + missing_suffix'
    )
    held = deliver("m-2")  # the client retries: held back, not a second incident
    assert (held.status_code, held.json()["code"]) == (409, "conflict")
    assert len(incidents(services, instance_id)) == 1

    retry(client, instance_id, incident["incident_id"])
    again = deliver("m-3")  # after the retry the delivery runs the step again
    assert (again.status_code, again.json()["code"]) == (409, "process_step_failed")
    assert len(incidents(services, instance_id)) == 2
