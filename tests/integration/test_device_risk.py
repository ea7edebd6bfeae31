"""Device risk scoring over HTTP on PostgreSQL (§9.3): the snapshot endpoint and its refusals, a rooted
tablet locked by the system with its reasons shown to the security officer, restrict refusing a journey
start, and the 24 h heartbeat sweep on a moved clock. The sandbox device agent plays the tablet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build_services
from api.device_agent import DeviceAgent, sign_in_on_device
from api.journey_driver import J1Driver
from devices.demo import DEVICES, demo_identity, seed_demo_devices
from engine.people.demo import seed_demo
from tests.integration.conftest import Clock, make_settings
from tests.integration.test_web_pages import sign_in

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

DEVICE, OTHER = DEVICES[0][0], DEVICES[1][0]  # ACTIVE, held by fo001 / fo002 in WH0101
PASSWORD = "fieldbank-demo"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """The server scores sign-ins outside 08:00-20:00 by its own clock: these tests must not depend on
    the hour they run at (the night rule has its unit tests)."""
    return {"device_risk": {"outside_hours": 0}}


@pytest.fixture
def agent(client: TestClient, services: Services) -> DeviceAgent:
    seed_demo_devices(services.device_admin)
    return agent_for(client)


def detail(client: TestClient, who: str, device_id: str = DEVICE) -> dict[str, Any]:
    r = client.get(f"/api/v1/devices/{device_id}", headers=J1Driver(client).headers(who))
    assert r.status_code == 200, r.text
    return dict(r.json())


def device(client: TestClient, who: str, device_id: str = DEVICE) -> dict[str, Any]:
    return dict(detail(client, who, device_id)["device"])


def agent_for(client: TestClient, device_id: str = DEVICE, signed_on: str | None = None) -> DeviceAgent:
    """fo001's tablet agent, signed in on `signed_on` (the device itself unless named)."""
    token = sign_in_on_device(client, "fo001", PASSWORD, signed_on or device_id)
    known = device_id if device_id in {d[0] for d in DEVICES} else DEVICE
    return DeviceAgent(client, token, device_id, demo_identity(known))


def test_a_clean_device_is_allowed_and_its_heartbeat_is_its_last_contact(
    agent: DeviceAgent, client: TestClient
) -> None:
    answers = agent.run_profile("clean")
    assert [(a.kind, a.status, a.action) for a in answers] == [
        ("sign_in", 201, "allow"),
        ("journey_start", 201, "allow"),
        ("heartbeat", 201, "allow"),
    ]
    assert "reasons" not in answers[-1].body  # the device learns the action, not why
    seen = device(client, "da001")
    assert seen["risk_level"] == "allow" and seen["last_contact_at"] is not None
    assert seen["risk_score"] is None and seen["risk_reasons"] is None  # not a security officer
    assert device(client, "sec001")["risk_reasons"] == []


def test_a_device_reports_only_for_itself_and_an_unknown_one_cannot_sign_in(
    agent: DeviceAgent, client: TestClient
) -> None:
    assert agent_for(client, OTHER, signed_on=DEVICE).heartbeat().status == 403
    assert agent_for(client, "web-00000000000000ff", signed_on=DEVICE).heartbeat().status == 403
    # and no one signs in on a tablet the registry does not know (the device gate): an unknown device
    # never gets as far as reporting
    r = client.post(
        "/api/v1/auth/token",
        json={"username": "fo001", "password": PASSWORD, "device_id": "web-00000000000000ff"},
    )
    assert (r.status_code, r.json()["code"]) == (403, "device_unknown")
    plain = J1Driver(client).headers("fo001")  # signed in without a device
    r = client.post(f"/api/v1/devices/{DEVICE}/snapshots", json={"kind": "heartbeat"}, headers=plain)
    assert r.status_code == 422  # the body is checked before who may send it


def test_bad_snapshots_are_refused_field_by_field(agent: DeviceAgent, client: TestClient) -> None:
    body = {
        "kind": "reboot",
        "fingerprint_hash": "not-a-hash",
        "serial": "HWMP11-DEMO-0001",
        "os_version": "HarmonyOS 4.2",
        "fixes": [{"lat": 91, "lon": 114.3, "at": "2026-12-07T10:00:00", "accuracy_m": 10}],
        "integrity": {"root": False, "magisk": True},
    }
    r = client.post(f"/api/v1/devices/{DEVICE}/snapshots", json=body, headers=agent._headers)
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["details"]}
    assert fields == {"kind", "fingerprint_hash", "fixes.0.lat", "fixes.0.at", "integrity.magisk"}


def test_a_rooted_device_is_locked_by_the_system_with_reasons_for_the_security_officer(
    agent: DeviceAgent, client: TestClient
) -> None:
    answers = agent.run_profile("rooted")
    assert [a.action for a in answers] == ["allow", "lock"]
    seen = device(client, "sec001")
    assert seen["state"] == "LOCKED" and seen["risk_level"] == "lock" and seen["risk_score"] == 100
    assert [(r["code"], r["points"]) for r in seen["risk_reasons"]] == [("integrity_root", 100)]
    admin_view = device(client, "da001")
    assert admin_view["risk_level"] == "lock" and admin_view["risk_reasons"] is None
    last = detail(client, "sec001")["history"][-1]
    assert (last["transition"], last["status"], last["requested_by"]) == ("lock", "APPLIED", "system")
    assert "root" in last["request_reason"] and "+100" in last["request_reason"]
    # the /devices page: the reasons for the security officer, the level alone for the others
    page = sign_in(client, "sec001").get("/devices")
    assert 'data-risk-reason="integrity_root"' in page.text and "（100分）" in page.text
    page = sign_in(client, "bm001").get("/devices")
    assert 'data-risk="lock"' in page.text and "data-risk-reason" not in page.text
    # a locked device keeps reporting (so it can be told to wipe or unlock) and starts nothing,
    # whatever its next snapshot says
    assert agent.heartbeat().action == "allow"  # scored again, but it stays locked
    r = client.post("/api/v1/processes/debit_card_opening/instances", json={}, headers=agent._headers)
    assert r.status_code == 403 and "locked" in r.json()["message"]


def test_a_restricted_device_may_not_start_a_journey(agent: DeviceAgent, client: TestClient) -> None:
    start = "/api/v1/processes/debit_card_opening/instances"
    agent.run_profile("clean")
    assert client.post(start, json={}, headers=agent._headers).status_code == 201
    assert agent.run_profile("mock_location")[-1].action == "restrict"
    r = client.post(start, json={}, headers=agent._headers)
    assert r.status_code == 403 and "restrict" in r.json()["message"], r.text
    assert device(client, "da001")["state"] == "ACTIVE"  # restricted, not locked
    assert agent.run_profile("sim_swapped")[-1].action == "step_up"
    refused = client.post(start, json={}, headers=agent._headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "step_up_required")
    stepped = client.post("/api/v1/auth/step-up", json={"password": PASSWORD}, headers=agent._headers)
    assert stepped.status_code == 200
    assert client.post(start, json={}, headers=agent._headers).status_code == 201  # step up may start


@pytest.fixture
def timed(
    database_url: str, key_dir: Path, tmp_path: Path, clock: Clock
) -> Iterator[tuple[Services, TestClient]]:
    """Services on a clock the test moves, with no background worker sweeping behind its back."""
    built = build_services(make_settings(database_url, key_dir, tmp_path), now=clock, in_process_worker=False)
    seed_demo(built.deps.sessions, built.deps.now)
    seed_demo_devices(built.device_admin)
    with TestClient(create_app(built.settings, built)) as test_client:
        yield built, test_client


def test_a_device_silent_for_24_hours_is_locked_by_the_sweep(
    timed: tuple[Services, TestClient], clock: Clock
) -> None:
    services, client = timed
    agent = agent_for(client)
    assert agent.heartbeat(clock.now).action == "allow"
    clock.now += timedelta(hours=23, minutes=59)
    assert services.heartbeat_sweep.run_once() == []
    clock.now += timedelta(minutes=2)
    assert services.heartbeat_sweep.run_once() == [DEVICE]
    seen = device(client, "sec001")
    assert seen["state"] == "LOCKED"
    last = detail(client, "sec001")["history"][-1]
    assert (last["transition"], last["requested_by"]) == ("lock", "system")
    assert "no heartbeat for 24 h" in last["request_reason"]
    # devices that never called in, and the one already locked, are left alone
    clock.now += timedelta(hours=48)
    assert services.heartbeat_sweep.run_once() == []
    assert device(client, "da001", OTHER)["state"] == "ACTIVE"


@pytest.mark.parametrize(
    "settings_overrides",
    [
        {
            "device_risk": {
                "journeys_per_hour_limit": 1,
                "journeys_per_hour_severe_limit": 2,
                "outside_hours": 0,
            }
        }
    ],
)
def test_journeys_the_officer_started_in_the_hour_count_against_the_configured_limit(
    agent: DeviceAgent, client: TestClient
) -> None:
    start = "/api/v1/processes/debit_card_opening/instances"
    agent.run_profile("clean")
    assert agent.run_profile("velocity")[-1].action == "allow"  # none started yet
    for _ in range(2):
        assert client.post(start, json={}, headers=agent._headers).status_code == 201
    assert agent.run_profile("velocity")[-1].action == "restrict"
    assert [r["code"] for r in device(client, "sec001")["risk_reasons"]] == ["journeys_per_hour"]
    assert client.post(start, json={}, headers=agent._headers).status_code == 403
