"""User and role administration is itself maker-checker (§11)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.journey_driver import J1Driver
from devices.demo import DEMO_DEVICE_OF

PASSWORD = "a-long-initial-password"


def request(client: TestClient, driver: J1Driver, who: str, body: dict[str, object]) -> tuple[int, dict]:
    r = client.post("/api/v1/staff/changes", headers=driver.headers(who), json=body)
    return r.status_code, r.json()


def decide(client: TestClient, driver: J1Driver, who: str, change_id: int, verdict: str = "approve") -> int:
    return client.post(
        f"/api/v1/staff/changes/{change_id}/{verdict}", headers=driver.headers(who), json={}
    ).status_code


def test_a_new_officer_exists_only_after_a_second_person_approves(client: TestClient) -> None:
    driver = J1Driver(client)
    status, change = request(
        client,
        driver,
        "bm001",
        {
            "action": "create",
            "staff_id": "fo003",
            "name": "新员工",
            "branch_code": "WH0101",
            "roles": ["field_officer"],
            "initial_password": PASSWORD,
        },
    )
    assert status == 201 and change["status"] == "PENDING" and "password_hash" not in change["payload"]
    login = {"username": "fo003", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", json=login).status_code == 401
    assert decide(client, driver, "bm001", change["change_id"]) == 403  # not a security officer
    assert decide(client, driver, "sec001", change["change_id"]) == 200
    # the password is now right; a field officer still needs a tablet bound to them (the device gate)
    signed_in = client.post("/api/v1/auth/token", json=login)
    assert (signed_in.status_code, signed_in.json()["code"]) == (403, "device_required"), signed_in.text
    assert decide(client, driver, "sec002", change["change_id"]) == 404  # no longer pending


def test_nobody_grants_themselves_and_the_requester_never_approves(client: TestClient) -> None:
    driver = J1Driver(client)
    status, _ = request(
        client, driver, "sec001", {"action": "grant_role", "staff_id": "sec001", "role": "analyst"}
    )
    assert status == 403
    status, change = request(
        client, driver, "sec001", {"action": "grant_role", "staff_id": "fo002", "role": "authorizer"}
    )
    assert status == 201
    assert decide(client, driver, "sec001", change["change_id"]) == 403
    assert decide(client, driver, "sec002", change["change_id"]) == 200
    roles = client.post(
        "/api/v1/auth/token",
        json={"username": "fo002", "password": "fieldbank-demo", "device_id": DEMO_DEVICE_OF["fo002"]},
    ).json()["staff"]["roles"]
    assert roles == ["authorizer", "field_officer"]


def test_segregation_of_duties_conflicts_are_refused(client: TestClient) -> None:
    driver = J1Driver(client)
    status, body = request(
        client, driver, "sec001", {"action": "grant_role", "staff_id": "fo001", "role": "security_officer"}
    )
    assert status == 409 and "security_officer + field_officer" in body["message"]


def test_an_approved_suspension_ends_the_sessions_at_once(client: TestClient) -> None:
    driver = J1Driver(client)
    headers = driver.headers("au001")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    status, change = request(client, driver, "sec001", {"action": "suspend", "staff_id": "au001"})
    assert (
        status == 201 and client.get("/api/v1/tasks", headers=headers).status_code == 200
    )  # pending: no effect
    assert decide(client, driver, "sec002", change["change_id"]) == 200
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401


def test_a_manager_cannot_change_staff_outside_their_branch(client: TestClient) -> None:
    driver = J1Driver(client)
    status, _ = request(client, driver, "bm001", {"action": "suspend", "staff_id": "fo101"})
    assert status == 404
