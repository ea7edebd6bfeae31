"""§9.3 step up over HTTP on PostgreSQL: once a device's risk asks for it, the officer's calls and pages
answer `step_up_required` until they prove who they are again on that session (API and page form);
the device still reports on itself meanwhile; a clean snapshot ends the episode, a new one asks again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.device_agent import DeviceAgent, sign_in_on_device
from devices.demo import DEVICES, demo_identity, seed_demo_devices
from devices.risk_profiles import clean_snapshot
from devices.snapshots import SnapshotKind
from tests.integration.test_web_pages import csrf_of, sign_in

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

DEVICE = DEVICES[0][0]  # fo001's
PASSWORD = "fieldbank-demo"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"device_risk": {"outside_hours": 0}}  # the hour the test runs at must not score


@pytest.fixture
def agent(client: TestClient, services: Services) -> DeviceAgent:
    seed_demo_devices(services.device_admin)
    token = sign_in_on_device(client, "fo001", PASSWORD, DEVICE)
    return DeviceAgent(client, token, DEVICE, demo_identity(DEVICE))


def swapped(agent: DeviceAgent) -> str | None:
    """A heartbeat from the tablet with another SIM in it (§9.3: 30 points, step up)."""
    snapshot = clean_snapshot(replace(agent.identity, sim_iccid="89860198765432109876"), datetime.now(UTC))
    return agent.send(SnapshotKind.HEARTBEAT, snapshot).action


def tasks(client: TestClient, agent: DeviceAgent) -> tuple[int, str | None]:
    r = client.get("/api/v1/tasks", headers=agent._headers)
    return r.status_code, (r.json().get("code") if r.status_code != 200 else None)


def step_up(client: TestClient, agent: DeviceAgent, password: str) -> Any:
    return client.post("/api/v1/auth/step-up", json={"password": password}, headers=agent._headers)


def test_a_step_up_verdict_holds_every_call_until_the_officer_re_authenticates(
    client: TestClient, agent: DeviceAgent
) -> None:
    assert agent.run_profile("clean")[-1].action == "allow"
    assert tasks(client, agent) == (200, None)
    assert agent.run_profile("sim_swapped")[-1].action == "step_up"
    assert tasks(client, agent) == (403, "step_up_required")
    assert swapped(agent) == "step_up"  # the device still reports on itself
    wrong = step_up(client, agent, "not-the-password")
    assert wrong.status_code == 422 and wrong.json()["details"][0]["field"] == "password"
    assert tasks(client, agent) == (403, "step_up_required")
    done = step_up(client, agent, PASSWORD)
    assert done.status_code == 200 and done.json()["authenticated_at"]
    assert tasks(client, agent) == (200, None)
    # the same episode does not ask again; a clean snapshot ends it, the next one asks again
    assert swapped(agent) == "step_up"
    assert tasks(client, agent) == (200, None)
    assert agent.heartbeat().action == "allow"
    assert agent.run_profile("sim_swapped")[-1].action == "step_up"
    assert tasks(client, agent) == (403, "step_up_required")
    # signing in is proving who you are: a new session from after the verdict goes on
    fresh = sign_in_on_device(client, "fo001", PASSWORD, DEVICE)
    assert client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_step_up_needs_a_session_and_a_good_device(client: TestClient, agent: DeviceAgent) -> None:
    assert client.post("/api/v1/auth/step-up", json={"password": PASSWORD}).status_code == 401
    assert client.post("/api/v1/auth/step-up", json={}, headers=agent._headers).status_code == 422
    client.post(
        f"/api/v1/devices/{DEVICE}/changes",
        json={"transition": "lock", "reason": "测试"},
        headers={"Authorization": f"Bearer {sign_in_on_device(client, 'da001', PASSWORD, None)}"},
    )
    r = step_up(client, agent, PASSWORD)
    assert (r.status_code, r.json()["code"]) == (403, "device_locked")  # a step-up unlocks nothing


def test_the_tablet_page_asks_for_the_password_and_goes_back(client: TestClient, agent: DeviceAgent) -> None:
    browser = sign_in(client, "fo001")
    assert agent.run_profile("sim_swapped")[-1].action == "step_up"
    page = browser.get("/tablet")
    assert (
        page.status_code == 403
        and "data-step-up" in page.text
        and 'data-device-refusal="step_up_required"' in page.text
    )
    form_csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert 'name="next" value="/tablet"' in page.text
    wrong = browser.post("/step-up", data={"csrf_token": form_csrf, "next": "/tablet", "password": "nope"})
    assert wrong.status_code == 422 and "密码错误" in wrong.text and "data-step-up" in wrong.text
    forged = browser.post("/step-up", data={"csrf_token": "0" * 40, "next": "/tablet", "password": PASSWORD})
    assert forged.status_code == 403
    done = browser.post(
        "/step-up", data={"csrf_token": form_csrf, "next": "//evil.example", "password": PASSWORD}
    )
    assert (done.status_code, done.headers["location"]) == (303, "/")  # never off the site
    again = browser.get("/tablet")
    assert again.status_code == 200 and csrf_of(again.text)
