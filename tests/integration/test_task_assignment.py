"""Claim / reassign, and maker-checker that no reassignment can get around (§11)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import Customer, J1Driver
from devices.demo import provision_tablet
from engine.people.auth import hash_password
from engine.persistence.records import StaffRecord


def add_staff(services: Services, staff_id: str, roles: list[str], branch: str = "WH0101") -> None:
    with services.deps.sessions() as session:
        session.add(
            StaffRecord(
                id=staff_id,
                name="测试",
                branch_code=branch,
                roles=roles,
                password_hash=hash_password("fieldbank-demo"),
                status="active",
                created_at=datetime.now(UTC),
            )
        )
        session.commit()


def test_a_field_officer_cannot_approve_their_own_application_even_after_reassigning_it(
    client: TestClient, services: Services
) -> None:
    add_staff(services, "fa001", ["field_officer", "authorizer"])
    provision_tablet(services.device_admin, 51, "tab-fa001", "fa001")  # the device gate wants one
    driver = J1Driver(client, wait_seconds=5)
    driver.use_device("fa001", "tab-fa001")
    # 宋涛: face score 72 (GRAY) → the journey needs a remote authorization
    stopped = driver.run(
        Customer(name="宋涛", id_number="420104199202029099", card_sequence=9601),
        officer="fa001",
        stop_before="remote_authorization",
    )
    [task] = [
        t
        for t in client.get("/api/v1/tasks", headers=driver.headers("au001")).json()
        if t["instance_id"] == stopped.instance["instance_id"]
    ]
    own = driver.headers("fa001")
    assert all(t["task_id"] != task["task_id"] for t in client.get("/api/v1/tasks", headers=own).json())
    url = f"/api/v1/tasks/{task['task_id']}"
    assert (
        client.post(
            f"{url}/reassign", headers=driver.headers("fo002"), json={"staff_id": "fa001"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{url}/reassign", headers=driver.headers("bm001"), json={"staff_id": "fa001"}
        ).status_code
        == 204
    )
    approve = {"decision": "APPROVE", "reason_code": "VERIFIED_IN_PERSON", "reason_text": "本人办理"}
    assert client.post(f"{url}/complete", headers=own, json={"data": approve}).status_code == 404
    assert client.post(f"{url}/claim", headers=own).status_code == 404
    assert (
        client.post(f"{url}/complete", headers=driver.headers("au001"), json={"data": approve}).status_code
        == 404
    )
    assert (
        client.post(
            f"{url}/reassign", headers=driver.headers("bm001"), json={"staff_id": "au001"}
        ).status_code
        == 204
    )
    done = client.post(f"{url}/complete", headers=driver.headers("au001"), json={"data": approve})
    assert done.status_code == 200
    kinds = [
        e["kind"]
        for e in client.get(f"/api/v1/instances/{stopped.instance['instance_id']}/events", headers=own).json()
    ]
    assert kinds.count("task_reassigned") == 2


def test_an_approver_claims_a_task_and_others_no_longer_see_it(
    client: TestClient, services: Services
) -> None:
    add_staff(services, "au002", ["authorizer"])
    driver = J1Driver(client, wait_seconds=5)
    stopped = driver.run(
        Customer(name="宋涛", id_number="420104199202029099", card_sequence=9701),
        stop_before="remote_authorization",
    )
    [task] = [
        t
        for t in client.get("/api/v1/tasks", headers=driver.headers("au002")).json()
        if t["instance_id"] == stopped.instance["instance_id"]
    ]
    claimed = client.post(f"/api/v1/tasks/{task['task_id']}/claim", headers=driver.headers("au002"))
    assert claimed.status_code == 200 and claimed.json()["assignee"] == "au002"
    assert all(
        t["task_id"] != task["task_id"]
        for t in client.get("/api/v1/tasks", headers=driver.headers("au001")).json()
    )
    back = client.post(f"/api/v1/tasks/{task['task_id']}/unclaim", headers=driver.headers("au002"))
    assert back.status_code == 200 and back.json()["assignee"] is None
    assert any(
        t["task_id"] == task["task_id"]
        for t in client.get("/api/v1/tasks", headers=driver.headers("au001")).json()
    )


def test_a_senior_trigger_is_offered_only_to_authorizers_with_the_authority_level(
    client: TestClient, services: Services
) -> None:
    add_staff(services, "au003", ["authorizer"])  # authority level 1
    driver = J1Driver(client, wait_seconds=5)
    # an 18-year-old student opening a "business" account on an MVNO number: risk score 60 → senior review
    risky = Customer(
        name="赵雨桐",
        id_number="42010320070220004X",
        mobile="17000009001",
        occupation_code="student",
        account_purpose="business",
        card_sequence=9901,
    )
    stopped = driver.run(risky, stop_before="remote_authorization")

    def mine(who: str) -> list[dict[str, Any]]:
        tasks = client.get("/api/v1/tasks", headers=driver.headers(who)).json()
        return [t for t in tasks if t["instance_id"] == stopped.instance["instance_id"]]

    assert mine("au003") == []
    [task] = mine("au001")  # level 2
    approve = {"decision": "APPROVE", "reason_code": "VERIFIED_IN_PERSON", "reason_text": "已核实开户用途"}
    r = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("au003"), json={"data": approve}
    )
    assert r.status_code == 404
    r = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("au001"), json={"data": approve}
    )
    assert r.status_code == 200


def test_the_approver_sees_the_trigger_with_personal_data_masked(client: TestClient) -> None:
    driver = J1Driver(client, wait_seconds=5)
    stopped = driver.run(
        Customer(name="宋涛", id_number="420104199202029099", card_sequence=9951),
        stop_before="remote_authorization",
    )
    [task] = [
        t
        for t in client.get("/api/v1/tasks", headers=driver.headers("au001")).json()
        if t["instance_id"] == stopped.instance["instance_id"]
    ]
    detail = client.get(f"/api/v1/tasks/{task['task_id']}", headers=driver.headers("au001")).json()
    context = detail["context"]
    assert context["customer"]["id_number"] == "4201**********9099"
    assert context["customer"]["name"] == "宋*" and context["customer"]["reserved_mobile"] == "139****1234"
    assert context["checks"]["face"] == "GRAY" and "FACE_GRAY" in context["authorization_reasons"]
    assert "420104199202029099" not in str(detail) and "13900001234" not in str(detail)
