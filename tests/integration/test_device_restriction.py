"""§9.3 restrict over HTTP on PostgreSQL: a restricted tablet starts nothing new, and goes on with an
in-flight journey only once an authorizer of the journey's branch granted it (phone or API); the grant
is for that journey, a refusal is shown with its reason, and nobody decides their own request."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.device_agent import DeviceAgent
from api.journey_driver import J1Driver
from devices.demo import DEMO_DEVICE_OF, demo_identity, seed_demo_devices
from devices.restriction import ASKED, WAITING
from tests.integration.test_web_pages import sign_in

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

DEVICE = DEMO_DEVICE_OF["fo001"]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"device_risk": {"outside_hours": 0}}  # the hour the test runs at must not score


@pytest.fixture
def driver(client: TestClient, services: Services) -> J1Driver:
    seed_demo_devices(services.device_admin)
    return J1Driver(client)


def restrict(client: TestClient, driver: J1Driver) -> None:
    token = driver.headers("fo001")["Authorization"].removeprefix("Bearer ")
    agent = DeviceAgent(client, token, DEVICE, demo_identity(DEVICE))
    assert agent.run_profile("mock_location")[-1].action == "restrict"


def complete(client: TestClient, driver: J1Driver, instance: dict[str, Any]) -> Any:
    task_id = instance["tasks"][0]["task_id"]
    return client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": {}}, headers=driver.headers("fo001")
    )


def decide(
    client: TestClient, driver: J1Driver, who: str, grant_id: int, verdict: str, reason: str = "已核实"
) -> Any:
    return client.post(
        f"/api/v1/device-step-grants/{grant_id}/{verdict}",
        json={"reason": reason},
        headers=driver.headers(who),
    )


def test_an_in_flight_journey_goes_on_only_with_an_authorizers_grant(
    client: TestClient, driver: J1Driver
) -> None:
    first, second = driver.start("fo001"), driver.start("fo001")
    restrict(client, driver)
    r = client.post(
        "/api/v1/processes/debit_card_opening/instances", json={}, headers=driver.headers("fo001")
    )
    assert r.status_code == 403  # nothing new
    r = complete(client, driver, first)
    assert (r.status_code, r.json()["code"]) == (403, "restricted_needs_authorizer")
    assert r.json()["details"] == {"reason": "restricted_needs_authorizer"}  # the page shows the words
    assert complete(client, driver, first).status_code == 403  # asked once, still waiting
    [asked] = client.get("/api/v1/device-step-grants", headers=driver.headers("au001")).json()
    assert (asked["instance_id"], asked["device_id"], asked["staff_id"]) == (
        first["instance_id"],
        DEVICE,
        "fo001",
    )
    assert client.get("/api/v1/device-step-grants", headers=driver.headers("au101")).json() == []  # WH0102
    assert client.get("/api/v1/device-step-grants", headers=driver.headers("fo001")).status_code == 403
    assert decide(client, driver, "au101", asked["grant_id"], "grant").status_code == 404
    granted = decide(client, driver, "au001", asked["grant_id"], "grant")
    assert (
        granted.status_code == 200 and granted.json()["status"] == "GRANTED" and granted.json()["expires_at"]
    )
    assert decide(client, driver, "au001", asked["grant_id"], "refuse").status_code == 409
    assert complete(client, driver, first).status_code == 422  # past the restriction: the form's own checks
    # the grant is for that journey: the other one asks for its own
    r = complete(client, driver, second)
    assert (r.status_code, r.json()["code"]) == (403, "restricted_needs_authorizer")
    [other] = client.get("/api/v1/device-step-grants", headers=driver.headers("au001")).json()
    assert decide(client, driver, "au001", other["grant_id"], "refuse", "").status_code == 422
    assert decide(client, driver, "au001", other["grant_id"], "refuse", "客户身份存疑").status_code == 200
    r = complete(client, driver, second)
    assert r.status_code == 403 and r.json()["code"] == "restricted_needs_authorizer"


def test_the_officer_sees_why_and_the_authorizer_decides_on_the_phone(
    client: TestClient, driver: J1Driver
) -> None:
    instance = driver.start("fo001")
    restrict(client, driver)
    tablet = sign_in(client, "fo001")
    task_id = instance["tasks"][0]["task_id"]
    page = tablet.post_form(f"/tablet/tasks/{task_id}", {})
    assert page.status_code == 403 and ASKED in page.text and "需要授权" in page.text
    again = tablet.post_form(f"/tablet/tasks/{task_id}", {})
    assert WAITING in again.text
    phone = sign_in(client, "au001")
    listed = phone.get("/phone")
    assert listed.status_code == 200 and "data-grants>1<" in listed.text and DEVICE in listed.text
    grant_id = listed.text.split('data-grant-id="')[1].split('"')[0]
    empty = phone.post_form(f"/phone/device-step-grants/{grant_id}/grant", {"reason": " "})
    assert empty.status_code == 422 and "data-problem" in empty.text
    done = phone.post_form(f"/phone/device-step-grants/{grant_id}/grant", {"reason": "已电话核实"})
    assert (done.status_code, done.headers["location"]) == (303, "/phone?done=1")
    assert "data-grants>0<" in phone.get("/phone").text
    assert "data-grants" not in sign_in(client, "bm001").get("/phone").text  # authorizers only
