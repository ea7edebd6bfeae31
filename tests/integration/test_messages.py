"""Messages from external systems over HTTP, and timers on the engine's clock, on PostgreSQL and SQLite.

The process under test (`tests/integration/processes/awaiting_decision.bpmn`) waits for a
`card_decision` message correlated by its application number, or 7 days on a timer: J2's shape.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build_services
from api.journey_driver import J1Driver
from devices.demo import seed_demo_devices
from engine.people.demo import seed_demo
from engine.persistence.records import InstanceEventRecord, MessageSubscriptionRecord
from engine.timers import fire_due_timers
from tests.integration.conftest import clear_personal_data, make_settings

REPO = Path(__file__).resolve().parents[2]
PROCESS = "awaiting_decision"


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
def services(database_url: str, key_dir: Path, tmp_path: Path, clock: Clock) -> Iterator[Services]:
    processes = tmp_path / "processes"
    shutil.copytree(REPO / "processes", processes)
    shutil.copy(Path(__file__).parent / "processes" / f"{PROCESS}.bpmn", processes)
    settings = make_settings(database_url, key_dir, tmp_path, processes_dir=processes)
    built = build_services(settings, now=clock)
    seed_demo(built.deps.sessions, built.deps.now)
    seed_demo_devices(built.device_admin)
    built.definitions.deploy_all("test")
    yield built
    assert not clear_personal_data(built.deps.sessions.kw["bind"])


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client


@pytest.fixture
def card_centre(services: Services) -> dict[str, str]:
    token = services.system_clients.register("card_centre", "信用卡中心 (test)", ["card_decision"])
    return {"Authorization": f"Bearer {token}"}


def start(client: TestClient) -> tuple[str, str]:
    """(instance id, application number) of a new instance waiting for its decision."""
    headers = J1Driver(client).headers("fo001")
    r = client.post(f"/api/v1/processes/{PROCESS}/instances", json={}, headers=headers)
    assert r.status_code == 201, r.text
    view = r.json()
    assert view["status"] == "waiting_external"
    return view["instance_id"], "APP-" + view["instance_id"][:8]


def deliver(
    client: TestClient, headers: dict[str, str], key: str, message_id: str = "m-1", **payload: Any
) -> Any:
    body = {"message_id": message_id, "name": "card_decision", "correlation_key": key, "payload": payload}
    return client.post("/api/v1/messages", json=body, headers=headers)


def instance(client: TestClient, instance_id: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/instances/{instance_id}", headers=J1Driver(client).headers("fo001"))
    assert r.status_code == 200
    result: dict[str, Any] = r.json()
    return result


def events(services: Services, instance_id: str, kind: str) -> list[InstanceEventRecord]:
    with services.deps.sessions() as session:
        return [e for e in session.query(InstanceEventRecord).filter_by(instance_id=instance_id, kind=kind)]


def test_a_message_moves_its_waiting_instance_on_once(
    client: TestClient, services: Services, card_centre: dict[str, str]
) -> None:
    instance_id, key = start(client)
    r = deliver(client, card_centre, key, decision="APPROVED", limit=20000)
    assert r.status_code == 200 and r.json() == {"message_id": "m-1", "status": "delivered"}
    done = instance(client, instance_id)
    assert (done["status"], done["outcome"]) == ("completed", "APPROVED")
    received = events(services, instance_id, "message_received")
    assert [(e.actor_id, e.detail["message"]) for e in received] == [("client:card_centre", "card_decision")]
    with services.deps.sessions() as session:
        assert session.query(MessageSubscriptionRecord).count() == 0  # nothing waits any more

    again = deliver(client, card_centre, key, decision="DECLINED")  # the client lost our answer
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert instance(client, instance_id)["outcome"] == "APPROVED"
    assert len(events(services, instance_id, "message_received")) == 1


def test_unknown_keys_wrong_clients_and_reused_ids_are_refused(
    client: TestClient, services: Services, card_centre: dict[str, str]
) -> None:
    _first, key = start(client)
    _second, other_key = start(client)
    assert deliver(client, card_centre, "APP-NOSUCH").status_code == 404
    staff = J1Driver(client).headers("fo001")
    assert deliver(client, staff, key).status_code == 401  # a member of staff is not a system client
    assert deliver(client, {"Authorization": "Bearer fbsc_forged"}, key).status_code == 401
    assert deliver(client, {}, key).status_code == 401
    loans = services.system_clients.register("loan_system", "", ["loan_decision"])
    refused = deliver(client, {"Authorization": f"Bearer {loans}"}, key)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert deliver(client, card_centre, key, "m-9", decision="APPROVED").status_code == 200
    reused = deliver(client, card_centre, other_key, "m-9", decision="APPROVED")
    assert reused.status_code == 409  # the same message id for another message is a client bug
    bad = client.post(
        "/api/v1/messages",
        json={"message_id": "x", "name": "Card Decision", "correlation_key": "", "payload": []},
        headers=card_centre,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["details"]} >= {"name", "correlation_key", "payload"}


def test_a_rotated_token_replaces_the_old_one(client: TestClient, services: Services) -> None:
    _instance_id, key = start(client)
    old = services.system_clients.register("card_centre", "", ["card_decision"])
    new = services.system_clients.register("card_centre", "", ["card_decision"])
    assert deliver(client, {"Authorization": f"Bearer {old}"}, key).status_code == 401
    assert deliver(client, {"Authorization": f"Bearer {new}"}, key, decision="APPROVED").status_code == 200


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_deliveries_of_one_message_racing_commit_once(
    client: TestClient, services: Services, card_centre: dict[str, str]
) -> None:
    instance_id, key = start(client)
    client_obj = services.system_clients.authenticate(card_centre["Authorization"].split()[1])
    barrier = threading.Barrier(2)
    answers: list[str] = []

    def twin() -> None:
        barrier.wait()
        answers.append(
            services.messages.deliver(
                client_obj, "m-race", "card_decision", key, {"decision": "APPROVED"}
            ).status
        )

    threads = [threading.Thread(target=twin) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(answers) == ["delivered", "duplicate"]
    assert len(events(services, instance_id, "message_received")) == 1
    assert len(events(services, instance_id, "instance_completed")) == 1


def test_the_deadline_timer_fires_on_the_engines_clock(
    client: TestClient, services: Services, card_centre: dict[str, str], clock: Clock
) -> None:
    instance_id, key = start(client)
    clock.moment += timedelta(days=6, hours=23)
    assert fire_due_timers(services.deps) == 0
    assert instance(client, instance_id)["status"] == "waiting_external"
    clock.moment += timedelta(hours=1, seconds=1)
    assert fire_due_timers(services.deps) == 1
    late = instance(client, instance_id)
    assert (late["status"], late["outcome"]) == ("completed", "DECLINED_LATE")
    assert deliver(client, card_centre, key, decision="APPROVED").status_code == 404  # too late


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_due_timer_fires_once_with_two_workers(
    client: TestClient, services: Services, clock: Clock, database_url: str, tmp_path: Path, key_dir: Path
) -> None:
    instance_id, _key = start(client)
    other_site = build_services(make_settings(database_url, key_dir, tmp_path / "b"), now=clock)
    clock.moment += timedelta(days=7, seconds=1)
    barrier = threading.Barrier(2)
    fired: list[int] = []

    def sweep(deps: Any) -> None:
        barrier.wait()
        fired.append(fire_due_timers(deps))

    threads = [threading.Thread(target=sweep, args=(s.deps,)) for s in (services, other_site)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(fired) == [0, 1]
    assert len(events(services, instance_id, "instance_completed")) == 1
    assert instance(client, instance_id)["outcome"] == "DECLINED_LATE"
