"""The device gate over HTTP (domain §9.4): a field officer signs in and works only from an ACTIVE tablet
bound to them; a tablet locked mid-session is refused on the very next call, page or htmx partial; the
journey, held by the lock, is resumed and goes on from the officer's other tablet, and the trail names
the tablet of each step."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import DEMO_PASSWORD, Customer, J1Driver
from api.web.session import DEVICE_COOKIE, SESSION_COOKIE
from devices.demo import DEMO_DEVICE_OF

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
TABLET_A, TABLET_B = "web-0000000000000001", "web-0000000000000002"  # fo001 holds A, is backup of B


def sign_in(client: TestClient, username: str, device_id: str | None) -> tuple[int, dict[str, Any]]:
    body = {"username": username, "password": DEMO_PASSWORD, "device_id": device_id}
    r = client.post("/api/v1/auth/token", json=body)
    return r.status_code, r.json()


def lock(client: TestClient, device_id: str) -> None:
    """The device admin locks the tablet through the real route (a lock applies at once)."""
    r = client.post(
        f"/api/v1/devices/{device_id}/changes",
        headers=J1Driver(client).headers("da001"),
        json={"transition": "lock", "reason": "测试：平板疑似被他人使用"},
    )
    assert r.status_code == 201 and r.json()["status"] == "APPLIED", r.text


@ON_POSTGRESQL
def test_sign_in_refusals_name_their_cause(client: TestClient) -> None:
    cases = {
        None: "device_required",
        "web-00000000000000ff": "device_unknown",
        DEMO_DEVICE_OF["fo101"]: "device_not_bound",  # another officer's tablet
        "web-0000000000000004": "device_not_bound",  # a spare in the drawer, bound to nobody
    }
    for device_id, code in cases.items():
        status, body = sign_in(client, "fo001", device_id)
        assert (status, body["code"]) == (403, code), (device_id, body)
        assert body["details"] == {"reason": code}
    assert sign_in(client, "fo001", TABLET_A)[0] == 200  # holder
    assert sign_in(client, "fo001", TABLET_B)[0] == 200  # backup holder
    assert sign_in(client, "au001", None)[0] == 200  # desk and phone roles are not gated yet
    status, body = sign_in(client, "fo001", "")
    assert (status, body["code"]) == (403, "device_required")
    lock(client, TABLET_A)
    assert sign_in(client, "fo001", TABLET_A)[1]["code"] == "device_locked"
    assert sign_in(client, "fo002", TABLET_A)[1]["code"] == "device_locked"  # its backup holder too


@ON_POSTGRESQL
def test_a_session_is_refused_on_the_next_call_once_its_tablet_is_locked(client: TestClient) -> None:
    driver = J1Driver(client)
    headers = driver.headers("fo001")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    lock(client, TABLET_A)
    r = client.get("/api/v1/tasks", headers=headers)
    assert (r.status_code, r.json()["code"]) == (403, "device_locked")
    # fo002 works on their own tablet, untouched
    assert client.get("/api/v1/tasks", headers=driver.headers("fo002")).status_code == 200


@ON_POSTGRESQL
def test_the_pages_show_a_full_screen_refusal_also_to_htmx(client: TestClient) -> None:
    login = client.post(
        "/login",
        data={"username": "fo001", "password": DEMO_PASSWORD},
        headers={"Accept": "text/html", "Cookie": f"{DEVICE_COOKIE}={TABLET_A}"},
        follow_redirects=False,
    )
    assert login.status_code == 303, login.text
    session = login.cookies[SESSION_COOKIE]
    client.cookies.clear()
    cookie = {"Cookie": f"{SESSION_COOKIE}={session}"}
    assert client.get("/tablet", headers={"Accept": "text/html", **cookie}).status_code == 200
    lock(client, TABLET_A)
    page = client.get("/tablet", headers={"Accept": "text/html", **cookie}, follow_redirects=False)
    assert page.status_code == 403
    assert "此设备已被锁定，请联系设备管理员" in page.text
    assert 'data-device-refusal="device_locked"' in page.text
    partial = client.get("/tablet", headers={"HX-Request": "true", **cookie}, follow_redirects=False)
    assert partial.status_code == 403 and partial.headers["HX-Retarget"] == "#main"
    assert "此设备已被锁定" in partial.text
    # signing in again on the locked tablet says why, on the sign-in page
    again = client.post(
        "/login",
        data={"username": "fo001", "password": DEMO_PASSWORD},
        headers={"Accept": "text/html", "Cookie": f"{DEVICE_COOKIE}={TABLET_A}"},
        follow_redirects=False,
    )
    assert again.status_code == 403 and 'data-device-refusal="device_locked"' in again.text


@ON_POSTGRESQL
def test_a_browser_that_is_no_tablet_signs_a_demo_officer_in_on_their_own_tablet(client: TestClient) -> None:
    login = client.post(
        "/login",
        data={"username": "fo002", "password": DEMO_PASSWORD},
        headers={"Accept": "text/html", "Cookie": f"{DEVICE_COOKIE}=web-00000000000000aa"},
        follow_redirects=False,
    )
    assert login.status_code == 303, login.text
    assert login.cookies[DEVICE_COOKIE] == DEMO_DEVICE_OF["fo002"]
    client.cookies.clear()


@ON_POSTGRESQL
def test_a_journey_of_a_locked_tablet_goes_on_from_the_officers_other_tablet(
    client: TestClient, services: Services
) -> None:
    driver = J1Driver(client, wait_seconds=5)
    customer = Customer(card_sequence=9811)
    started = driver.run_from(driver.start("fo001"), customer, stop_before="face_check")
    instance_id = started.instance["instance_id"]
    lock(client, TABLET_A)
    assert client.get("/api/v1/tasks", headers=driver.headers("fo001")).status_code == 403
    driver.use_device("fo001", TABLET_B)
    tasks = client.get("/api/v1/tasks", headers=driver.headers("fo001")).json()
    assert instance_id in {t["instance_id"] for t in tasks}  # the suspended journey is on tablet B's list
    resumed = client.post(f"/api/v1/instances/{instance_id}/resume-here", headers=driver.headers("fo001"))
    assert resumed.status_code == 200, resumed.text  # held by the lock until resumed here
    done = driver.run_from(resumed.json(), customer, skip=started.steps)
    assert done.outcome == "OPENED", done.instance
    events = client.get(f"/api/v1/instances/{instance_id}/events", headers=driver.headers("fo001")).json()
    by_fo001 = [(e["kind"], e["device_id"]) for e in events if e["actor_id"] == "fo001"]
    devices = [d for _kind, d in by_fo001 if d]
    assert devices[0] == TABLET_A and devices[-1] == TABLET_B, by_fo001
    assert devices == sorted(devices), "every step after the lock was done on tablet B"
