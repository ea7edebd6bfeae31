"""A locked tablet's journeys are held, and resumed on another bound tablet (domain §9.1: "LOCKED: no
journeys; in-flight journeys suspended"), over HTTP on PostgreSQL: the hold is in the trail and on the
journey, the other tablet cannot move it on until it resumes it here, and then it ends as usual."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import DEMO_PASSWORD, Customer, J1Driver
from api.web.session import DEVICE_COOKIE, SESSION_COOKIE
from tests.integration.test_web_pages import Browser, csrf_of, drive_to_remote_authorization

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
TABLET_1, TABLET_2 = "web-0000000000000001", "web-0000000000000002"  # fo001 holds 1, is backup of 2


def change(client: TestClient, driver: J1Driver, device_id: str, transition: str) -> None:
    """The device admin's step through the real route (a lock or a loss applies at once)."""
    r = client.post(
        f"/api/v1/devices/{device_id}/changes",
        headers=driver.headers("da001"),
        json={"transition": transition, "reason": "测试：平板疑似被他人使用"},
    )
    assert r.status_code == 201 and r.json()["status"] == "APPLIED", r.text


def journey(client: TestClient, driver: J1Driver, who: str, instance_id: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/instances/{instance_id}", headers=driver.headers(who))
    assert r.status_code == 200, r.text
    return dict(r.json())


def trail(client: TestClient, driver: J1Driver, who: str, instance_id: str) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/instances/{instance_id}/events", headers=driver.headers(who))
    assert r.status_code == 200, r.text
    return list(r.json())


def resume(client: TestClient, driver: J1Driver, who: str, instance_id: str) -> Any:
    return client.post(f"/api/v1/instances/{instance_id}/resume-here", headers=driver.headers(who))


@ON_POSTGRESQL
def test_a_locked_tablets_journey_is_held_then_resumed_and_finished_on_the_officers_other_tablet(
    client: TestClient,
) -> None:
    driver = J1Driver(client, wait_seconds=5)
    customer = Customer(card_sequence=9831)
    started = driver.run_from(driver.start("fo001"), customer, stop_before="face_check")
    instance_id = started.instance["instance_id"]
    elsewhere = driver.start("fo002")["instance_id"]  # on fo002's own tablet 2
    change(client, driver, TABLET_1, "lock")

    driver.use_device("fo001", TABLET_2)
    held = journey(client, driver, "fo001", instance_id)
    assert held["hold"]["device_id"] == TABLET_1 and held["hold"]["device_state"] == "LOCKED"
    assert held["hold"]["reason"] == "lock"
    assert held["hold"]["message"] == f"此业务因设备 {TABLET_1} 锁定而暂停，请在本设备上继续办理"
    [event] = [e for e in trail(client, driver, "fo001", instance_id) if e["kind"] == "journey_held"]
    assert event["detail"] == {"device_id": TABLET_1, "device_state": "LOCKED", "reason": "lock"}
    assert event["device_id"] is None and event["actor_id"] is None  # the server held it; no step was done
    # a journey in flight on another tablet goes on untouched
    assert journey(client, driver, "fo002", elsewhere)["hold"] is None
    assert "journey_held" not in {e["kind"] for e in trail(client, driver, "fo002", elsewhere)}

    # tablet 2 cannot move it on before resuming it there
    task = held["tasks"][0]
    data = driver.form_data(task["name"], customer, "fo001", started.steps)
    r = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
    )
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "journey_held"
    assert r.json()["details"] == {"device_id": TABLET_1, "device_state": "LOCKED"}
    claim = client.post(f"/api/v1/tasks/{task['task_id']}/claim", headers=driver.headers("fo001"))
    assert (claim.status_code, claim.json()["code"]) == (409, "journey_held")
    abandon = client.post(
        f"/api/v1/instances/{instance_id}/abandon",
        headers=driver.headers("fo001"),
        json={"reason": "CUSTOMER_DECLINED"},
    )
    assert (abandon.status_code, abandon.json()["code"]) == (409, "journey_held")

    r = resume(client, driver, "fo001", instance_id)
    assert r.status_code == 200, r.text
    assert r.json()["hold"] is None and r.json()["tasks"][0]["task_id"] == task["task_id"]
    [resumed] = [e for e in trail(client, driver, "fo001", instance_id) if e["kind"] == "journey_resumed"]
    assert (resumed["actor_id"], resumed["device_id"]) == ("fo001", TABLET_2)
    assert resumed["detail"] == {"from_device_id": TABLET_1, "to_device_id": TABLET_2}
    again = resume(client, driver, "fo001", instance_id)
    assert (again.status_code, again.json()["code"]) == (409, "conflict")

    done = driver.run_from(r.json(), customer, skip=started.steps)
    assert done.outcome == "OPENED", done.instance
    kinds = [e["kind"] for e in trail(client, driver, "fo001", instance_id)]
    assert kinds.index("journey_held") < kinds.index("journey_resumed") < kinds.index("instance_completed")


@ON_POSTGRESQL
def test_a_resumed_journey_is_held_again_when_its_new_tablet_leaves_service(
    client: TestClient, services: Services
) -> None:
    """The automatic lock (risk engine, heartbeat sweep) holds too; a loss after a lock moves the hold
    to the new state; after resuming, the journey is in flight on the tablet it was resumed on."""
    driver = J1Driver(client, wait_seconds=5)
    customer = Customer(card_sequence=9832)
    started = driver.run_from(driver.start("fo001"), customer, stop_before="face_check")
    instance_id = started.instance["instance_id"]
    services.device_admin.lock_automatically(TABLET_1, "风险评分 85：设备已 root")
    driver.use_device("fo001", TABLET_2)
    assert journey(client, driver, "fo001", instance_id)["hold"]["device_state"] == "LOCKED"
    change(client, driver, TABLET_1, "report_lost")
    hold = journey(client, driver, "fo001", instance_id)["hold"]
    assert (hold["device_state"], hold["reason"]) == ("LOST", "report_lost") and "挂失" in hold["message"]
    states = [
        e["detail"]["device_state"]
        for e in trail(client, driver, "fo001", instance_id)
        if e["kind"] == "journey_held"
    ]
    assert states == ["LOCKED", "LOST"]

    assert resume(client, driver, "fo001", instance_id).status_code == 200
    change(client, driver, TABLET_2, "lock")
    # fo001 has no tablet left; the authorizer (no device, not gated) sees where the journey stands
    hold = journey(client, driver, "au001", instance_id)["hold"]
    assert (hold["device_id"], hold["device_state"]) == (TABLET_2, "LOCKED")


@ON_POSTGRESQL
def test_resuming_answers_404_for_no_such_journey_and_409_for_one_that_is_not_held(
    client: TestClient,
) -> None:
    driver = J1Driver(client, wait_seconds=5)
    instance_id = driver.start("fo001")["instance_id"]
    r = resume(client, driver, "fo001", instance_id)
    assert (r.status_code, r.json()["code"]) == (409, "conflict")
    assert "not held" in r.json()["message"]
    r = resume(client, driver, "fo001", "00000000-0000-0000-0000-000000000000")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    r = resume(client, driver, "fo001", "not-a-journey")
    assert r.status_code in (404, 422), r.text


@ON_POSTGRESQL
def test_the_tablet_shows_the_held_journey_and_resumes_it_with_one_button(client: TestClient) -> None:
    driver = J1Driver(client, wait_seconds=5)
    started = driver.run_from(driver.start("fo001"), Customer(card_sequence=9833), stop_before="face_check")
    instance_id = started.instance["instance_id"]
    task_id = started.instance["tasks"][0]["task_id"]
    change(client, driver, TABLET_1, "lock")

    login = client.post(
        "/login",
        data={"username": "fo001", "password": DEMO_PASSWORD},
        headers={"Accept": "text/html", "Cookie": f"{DEVICE_COOKIE}={TABLET_2}"},
        follow_redirects=False,
    )
    assert login.status_code == 303, login.text
    page = Browser(client, login.cookies[SESSION_COOKIE])
    client.cookies.clear()
    home = page.get("/tablet")
    assert home.status_code == 200 and "data-held" in home.text and "已暂停" in home.text
    page.csrf_token = csrf_of(home.text)
    message = f"此业务因设备 {TABLET_1} 锁定而暂停，请在本设备上继续办理"
    for url in (f"/tablet/journeys/{instance_id}", f"/tablet/tasks/{task_id}"):
        held = page.get(url)
        assert held.status_code == 200 and 'data-held="LOCKED"' in held.text, url
        assert message in held.text and "在本设备继续办理" in held.text
        assert f'action="/tablet/journeys/{instance_id}/resume-here"' in held.text
        assert 'data-task="face_check"' not in held.text  # no form to fill while held
    refused = page.post_form(f"/tablet/tasks/{task_id}", {}, headers={"HX-Request": "true"})
    assert refused.status_code == 409 and message in refused.text

    resumed = page.post_form(f"/tablet/journeys/{instance_id}/resume-here", {})
    assert resumed.status_code == 303 and resumed.headers["location"] == f"/tablet/journeys/{instance_id}"
    screen = page.get(f"/tablet/journeys/{instance_id}")
    assert screen.status_code == 200 and 'data-task="face_check"' in screen.text
    assert "data-held" not in page.get("/tablet").text


@ON_POSTGRESQL
def test_an_approver_without_a_device_decides_a_held_journey_and_the_officer_meets_the_hold(
    client: TestClient,
) -> None:
    """Desk and phone staff (phones are not enrolled yet) do no device's work: the authorizer's answer
    goes on; the journey stays held for the officer, who resumes it on the other tablet."""
    waiting = drive_to_remote_authorization(client)
    driver = J1Driver(client, wait_seconds=5)
    change(client, driver, TABLET_1, "lock")
    r = client.post(
        f"/api/v1/tasks/{waiting.task_id}/complete",
        headers=driver.headers("au001"),
        json={"data": driver.form_data("remote_authorization", Customer(), "au001", [])},
    )
    assert r.status_code == 200, r.text
    driver.use_device("fo001", TABLET_2)
    after = driver.next_state("fo001", journey(client, driver, "fo001", waiting.instance_id))
    assert after["hold"] is not None and after["hold"]["device_id"] == TABLET_1
    assert resume(client, driver, "fo001", waiting.instance_id).status_code == 200
    assert journey(client, driver, "fo001", waiting.instance_id)["hold"] is None
