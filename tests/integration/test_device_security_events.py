"""Device security events over HTTP on PostgreSQL (§9.3): an automatic lock is an incident, a step-up is
the branch manager's notice (without the reasons), a wipe the tablet could not do is an incident; the
device readers of the branch see them, a security officer or branch manager acknowledges with a note."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.device_agent import DeviceAgent, sign_in_on_device
from api.journey_driver import J1Driver
from devices.demo import DEMO_DEVICE_OF, demo_identity, seed_demo_devices
from tests.integration.test_web_pages import sign_in

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

DEVICE = DEMO_DEVICE_OF["fo001"]
PASSWORD = "fieldbank-demo"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"device_risk": {"outside_hours": 0}}


@pytest.fixture
def agent(client: TestClient, services: Services) -> DeviceAgent:
    seed_demo_devices(services.device_admin)
    return DeviceAgent(
        client, sign_in_on_device(client, "fo001", PASSWORD, DEVICE), DEVICE, demo_identity(DEVICE)
    )


def events(client: TestClient, who: str, query: str = "") -> Any:
    return client.get(f"/api/v1/device-security-events{query}", headers=J1Driver(client).headers(who))


def acknowledge(client: TestClient, who: str, event_id: int, note: str) -> Any:
    return client.post(
        f"/api/v1/device-security-events/{event_id}/acknowledge",
        json={"note": note},
        headers=J1Driver(client).headers(who),
    )


def test_an_automatic_lock_is_an_incident_for_the_branch_to_acknowledge(
    client: TestClient, agent: DeviceAgent
) -> None:
    assert agent.run_profile("rooted")[-1].action == "lock"
    [event] = events(client, "sec001").json()
    assert (event["kind"], event["device_id"], event["branch_code"]) == ("auto_lock", DEVICE, "WH0101")
    assert "root" in event["detail"] and event["acknowledged_at"] is None
    assert [e["event_id"] for e in events(client, "bm001").json()] == [event["event_id"]]
    assert events(client, "da001").status_code == 200
    assert events(client, "bm101").json() == []  # another branch's manager
    assert events(client, "fo002").status_code == 403  # not a device reader
    assert acknowledge(client, "da001", event["event_id"], "已知悉").status_code == 403
    assert acknowledge(client, "bm101", event["event_id"], "已知悉").status_code == 404
    assert acknowledge(client, "bm001", event["event_id"], " ").status_code == 422
    done = acknowledge(client, "bm001", event["event_id"], "已回收设备，交安全管理员检查")
    assert done.status_code == 200 and done.json()["acknowledged_by"] == "bm001"
    assert acknowledge(client, "sec001", event["event_id"], "再次").status_code == 409
    assert events(client, "sec001", "?open=true").json() == []


def test_a_step_up_notifies_the_branch_manager_once_per_episode_without_reasons(
    client: TestClient, agent: DeviceAgent
) -> None:
    assert agent.run_profile("sim_swapped")[-1].action == "step_up"
    [notice] = events(client, "bm001").json()
    assert notice["kind"] == "step_up" and "需加强认证" in notice["detail"]
    assert "iccid" not in notice["detail"].lower() and "SIM" not in notice["detail"]
    assert agent.send(*_swapped(agent)).action == "step_up"  # the same episode: no second notice
    assert len(events(client, "bm001").json()) == 1


def test_a_wipe_the_tablet_could_not_do_is_an_incident(client: TestClient, agent: DeviceAgent) -> None:
    admin = J1Driver(client).headers("da001")["Authorization"].removeprefix("Bearer ")
    tablet = DeviceAgent(client, None, DEVICE, agent.identity)
    assert tablet.enrol(admin).status == 201
    client.post(
        f"/api/v1/devices/{DEVICE}/changes",
        json={"transition": "report_lost", "reason": "遗失"},
        headers=J1Driver(client).headers("da001"),
    )
    pulled = client.post(f"/api/v1/devices/{DEVICE}/check-in", json=tablet.tablet.check_in(datetime.now(UTC)))
    wipe = next(c["command"] for c in pulled.json()["commands"] if c["command"]["kind"] == "WIPE")
    failed = tablet.tablet._receipt(wipe, "FAILED", "安全芯片无响应", datetime.now(UTC))
    r = client.post(f"/api/v1/devices/{DEVICE}/command-receipts", json=failed)
    assert r.status_code == 200 and r.json()["status"] == "FAILED"
    [incident] = [e for e in events(client, "sec001").json() if e["kind"] == "wipe_failed"]
    assert "安全芯片无响应" in incident["detail"] and "FAILED" in incident["detail"]


def test_the_device_page_lists_events_and_takes_the_acknowledgement(
    client: TestClient, agent: DeviceAgent
) -> None:
    agent.run_profile("rooted")
    page = sign_in(client, "sec001")
    listed = page.get("/devices")
    assert 'data-event-kind="auto_lock"' in listed.text and "data-open-events>1<" in listed.text
    event_id = listed.text.split('data-event-id="')[1].split('"')[0]
    assert 'action="/devices/security-events/' in listed.text
    assert 'action="/devices/security-events/' not in sign_in(client, "da001").get("/devices").text
    done = page.post_form(f"/devices/security-events/{event_id}/acknowledge", {"note": "已处理"})
    assert (done.status_code, done.headers["location"]) == (303, "/devices?done=acknowledge")
    assert "data-open-events>0<" in page.get("/devices").text


def _swapped(agent: DeviceAgent) -> Any:
    from dataclasses import replace

    from devices.risk_profiles import clean_snapshot
    from devices.snapshots import SnapshotKind

    snapshot = clean_snapshot(replace(agent.identity, sim_iccid="89860198765432109876"), datetime.now(UTC))
    return SnapshotKind.HEARTBEAT, snapshot
