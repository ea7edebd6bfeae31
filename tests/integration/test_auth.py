"""Sign-in: throttling, logout and suspension take effect at once (issue: people, roles, branches)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import J1Driver
from devices.demo import DEMO_DEVICE_OF
from engine.persistence.records import StaffRecord


def test_the_sixth_wrong_password_within_ten_minutes_is_refused_without_checking_it(
    client: TestClient,
) -> None:
    for _ in range(5):
        r = client.post("/api/v1/auth/token", json={"username": "fo002", "password": "wrong"})
        assert r.status_code == 401
    sixth = client.post("/api/v1/auth/token", json={"username": "fo002", "password": "fieldbank-demo"})
    assert (sixth.status_code, sixth.json()["code"]) == (429, "too_many_attempts")  # even the right one
    assert (
        client.post(
            "/api/v1/auth/token",
            json={"username": "fo001", "password": "fieldbank-demo", "device_id": DEMO_DEVICE_OF["fo001"]},
        ).status_code
        == 200
    )


def test_a_logged_out_token_stops_working(client: TestClient) -> None:
    headers = J1Driver(client).headers("fo001")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401


def test_a_suspended_member_of_staff_is_refused_at_once(client: TestClient, services: Services) -> None:
    headers = J1Driver(client).headers("au001")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    with services.deps.sessions() as session:
        staff = session.get(StaffRecord, "au001")
        assert staff is not None
        staff.status = "suspended"
        session.commit()
    r = client.get("/api/v1/tasks", headers=headers)
    assert (r.status_code, r.json()["code"]) == (401, "unauthenticated")
    login = client.post("/api/v1/auth/token", json={"username": "au001", "password": "fieldbank-demo"})
    assert login.status_code == 401
