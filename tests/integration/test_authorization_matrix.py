"""Every API route × every role × in-scope / out-of-scope data → the expected status.

The expectation table must name every route of the OpenAPI document: a new route without a row fails
this test. Out-of-scope data answers 404, never 403, so its existence does not leak.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import Customer, J1Driver, tiny_png
from crypto import SM2PrivateKey
from devices.demo import demo_actor, provision_tablet, seed_demo_devices
from devices.lifecycle import TABLET_ROLES
from devices.sandbox_tablet import SandboxTablet
from engine.people.auth import hash_password
from engine.people.roles import JOURNEY_READER_ROLES, ROLES
from engine.persistence.records import StaffRecord

IN, OUT = "WH0101", "WH0102"
DESK = {"post_supervisor", "aml_officer"}
DEVICE_READERS = {"device_admin", "security_officer", "branch_manager"}
DEVICE_CHECKERS = {"security_officer", "branch_manager"}
DEVICE_CHANNEL = {
    "/api/v1/devices/{device_id}/check-in": 422,
    "/api/v1/devices/{device_id}/command-receipts": 422,
    "/api/v1/device-channel/command-key": 200,
}
"""Routes a tablet calls with its own signature (or the public command key): no staff token, no gate."""
ANONYMOUS = DEVICE_CHANNEL
Expect = Callable[[str, bool, bool], int]  # (role, in scope, is the journey's own officer) -> status


def staff_id(role: str, branch: str) -> str:
    return f"{role}@{branch}"


def tablet_of(who: str) -> str | None:
    """The tablet bound to a matrix member of staff of a tablet role (the device gate wants one)."""
    role, _, branch = who.partition("@")
    return f"mx-{role.replace('_', '-')}-{branch.lower()}" if role in TABLET_ROLES else None


ROUTES: dict[tuple[str, str], Expect] = {
    ("POST", "/api/v1/auth/token"): lambda role, inside, own: 200,
    ("POST", "/api/v1/auth/logout"): lambda role, inside, own: 204,
    # no device asks for a step-up here: proving who you are again is allowed to everyone signed in
    ("POST", "/api/v1/auth/step-up"): lambda role, inside, own: 200,
    # system clients only: no member of staff, whatever the role, delivers messages
    ("POST", "/api/v1/messages"): lambda role, inside, own: 401,
    ("GET", "/api/v1/processes"): lambda role, inside, own: 200,
    ("POST", "/api/v1/processes/{process_id}/instances"): lambda role, inside, own: (
        201 if role == "field_officer" else 403
    ),
    ("GET", "/api/v1/instances/{instance_id}"): lambda role, inside, own: (
        (200 if inside else 404) if role in JOURNEY_READER_ROLES else 403
    ),
    ("GET", "/api/v1/instances/{instance_id}/events"): lambda role, inside, own: (
        (200 if inside else 404) if role in JOURNEY_READER_ROLES else 403
    ),
    ("POST", "/api/v1/instances/{instance_id}/incidents/{incident_id}/retry"): lambda role, inside, own: (
        404 if not inside or own or role in ("ops_center", "branch_manager") else 403
    ),
    ("POST", "/api/v1/instances/{instance_id}/abandon"): lambda role, inside, own: 200 if own else 404,
    # the journey is not held: its officer is told so; whoever does not work it may not resume it
    ("POST", "/api/v1/instances/{instance_id}/resume-here"): lambda role, inside, own: (
        409 if own else 403 if inside else 404
    ),
    ("GET", "/api/v1/tasks"): lambda role, inside, own: 200,
    ("GET", "/api/v1/tasks/{task_id}"): lambda role, inside, own: 200 if own else 404,
    # the journey's first screen (the ID card, a staff screen) shows the customer no document
    ("GET", "/api/v1/tasks/{task_id}/documents/{document}"): lambda role, inside, own: 404,
    ("POST", "/api/v1/tasks/{task_id}/complete"): lambda role, inside, own: 422 if own else 404,
    ("POST", "/api/v1/tasks/{task_id}/claim"): lambda role, inside, own: 200 if own else 404,
    ("POST", "/api/v1/tasks/{task_id}/unclaim"): lambda role, inside, own: 409 if own else 404,
    ("POST", "/api/v1/tasks/{task_id}/reassign"): lambda role, inside, own: (
        (409 if inside else 404) if role == "branch_manager" else 403
    ),
    ("POST", "/api/v1/attachments"): lambda role, inside, own: (
        201 if role in ("field_officer", "second_officer") else 403
    ),
    ("GET", "/api/v1/sandbox/sms/{mobile}"): lambda role, inside, own: 200,
    ("GET", "/api/v1/evidence"): lambda role, inside, own: 200 if role in DESK else 403,
    ("GET", "/api/v1/evidence/{package_id}"): lambda role, inside, own: (
        (200 if inside else 404) if role in DESK else 403
    ),
    ("GET", "/api/v1/evidence/{package_id}/download"): lambda role, inside, own: (
        (200 if inside else 404) if role in DESK else 403
    ),
    ("POST", "/api/v1/staff/changes"): lambda role, inside, own: (
        (201 if inside else 404) if role in ("branch_manager", "security_officer") else 403
    ),
    ("GET", "/api/v1/staff/changes"): lambda role, inside, own: (
        200 if role in ("branch_manager", "security_officer") else 403
    ),
    ("POST", "/api/v1/staff/changes/{change_id}/approve"): lambda role, inside, own: (
        404 if role == "security_officer" else 403
    ),
    ("POST", "/api/v1/staff/changes/{change_id}/reject"): lambda role, inside, own: (
        404 if role == "security_officer" else 403
    ),
    ("GET", "/api/v1/audit/personal-data-views"): lambda role, inside, own: (
        200 if role == "post_supervisor" else 403
    ),
    ("POST", "/api/v1/evidence/{package_id}/verify"): lambda role, inside, own: (
        (200 if inside else 404) if role in DESK else 403
    ),
    # the device registered into WH0101 by the first device admin; the other one's scope is WH0102
    ("POST", "/api/v1/devices"): lambda role, inside, own: (
        (201 if inside else 404) if role == "device_admin" else 403
    ),
    ("GET", "/api/v1/devices"): lambda role, inside, own: 200 if role in DEVICE_READERS else 403,
    ("GET", "/api/v1/devices/{device_id}"): lambda role, inside, own: (
        (200 if inside else 404) if role in DEVICE_READERS else 403
    ),
    # a REGISTERED demo device cannot be activated: the maker's role gets the state's 409
    ("POST", "/api/v1/devices/{device_id}/changes"): lambda role, inside, own: (
        (409 if role == "device_admin" else 403) if inside else 404
    ),
    # a device reports only for itself: nobody here signed in on the path's device
    ("POST", "/api/v1/devices/{device_id}/snapshots"): lambda role, inside, own: 403,
    # a REGISTERED device does not enrol: the device admin who sees it gets the state's 409
    ("POST", "/api/v1/devices/{device_id}/enrolment"): lambda role, inside, own: (
        (409 if inside else 404) if role == "device_admin" else 403
    ),
    ("GET", "/api/v1/devices/{device_id}/commands"): lambda role, inside, own: (
        (200 if inside else 404) if role in DEVICE_READERS else 403
    ),
    # only an ACTIVE device re-keys
    ("POST", "/api/v1/devices/{device_id}/commands"): lambda role, inside, own: (
        (409 if inside else 404) if role == "device_admin" else 403
    ),
    ("POST", "/api/v1/devices/{device_id}/commands/{command_id}/cancel"): lambda role, inside, own: (
        404 if role in ("device_admin", "security_officer") else 403
    ),
    # the tablet's own channel: signed by its key, no staff token; the matrix's empty body is refused
    **dict.fromkeys(
        [
            ("POST", "/api/v1/devices/{device_id}/check-in"),
            ("POST", "/api/v1/devices/{device_id}/command-receipts"),
        ],
        lambda role, inside, own: 422,
    ),
    ("GET", "/api/v1/device-channel/command-key"): lambda role, inside, own: 200,
    ("GET", "/api/v1/device-security-events"): lambda role, inside, own: (
        200 if role in DEVICE_READERS else 403
    ),
    ("POST", "/api/v1/device-security-events/{event_id}/acknowledge"): lambda role, inside, own: (
        404 if role in DEVICE_CHECKERS else 403
    ),
    # restricted tablets' requests: the authorizers' to see and decide (none here: an unknown id)
    ("GET", "/api/v1/device-step-grants"): lambda role, inside, own: 200 if role == "authorizer" else 403,
    **dict.fromkeys(
        [
            ("POST", "/api/v1/device-step-grants/{grant_id}/grant"),
            ("POST", "/api/v1/device-step-grants/{grant_id}/refuse"),
        ],
        lambda role, inside, own: 404 if role == "authorizer" else 403,
    ),
    ("GET", "/api/v1/device-changes"): lambda role, inside, own: 200 if role in DEVICE_READERS else 403,
    ("POST", "/api/v1/device-changes/{change_id}/approve"): lambda role, inside, own: (
        404 if role in DEVICE_CHECKERS else 403
    ),
    ("POST", "/api/v1/device-changes/{change_id}/reject"): lambda role, inside, own: (
        404 if role in DEVICE_CHECKERS else 403
    ),
}


def call(
    client: TestClient, method: str, path: str, headers: dict[str, str], ids: dict[str, str], who: str
) -> int:
    url = path.format(**ids)
    body: dict[str, Any] = {
        "/api/v1/auth/token": {"username": who, "password": "fieldbank-demo", "device_id": tablet_of(who)},
        "/api/v1/auth/step-up": {"password": "fieldbank-demo"},
        "/api/v1/processes/{process_id}/instances": {},
        "/api/v1/instances/{instance_id}/abandon": {"reason": "CUSTOMER_LEFT"},
        "/api/v1/tasks/{task_id}/complete": {"data": {}},
        "/api/v1/tasks/{task_id}/reassign": {"staff_id": staff_id("authorizer", IN)},  # lacks the task's role
        "/api/v1/staff/changes": {"action": "suspend", "staff_id": "fo002"},  # fo002 works in WH0101
        "/api/v1/staff/changes/{change_id}/approve": {},
        "/api/v1/staff/changes/{change_id}/reject": {},
        "/api/v1/messages": {"message_id": "m1", "name": "card_decision", "correlation_key": "CC1"},
        "/api/v1/devices": {
            "asset_no": "WH0101-PAD-009901",
            "model": "Huawei MatePad 11",
            "serial": "HWMP11-M-9901",
            "wifi_mac": "A4:5E:60:99:99:01",
            "os_version": "HarmonyOS 4.2",
            "purchase_date": "2026-03-01",
            "branch_code": IN,
        },
        "/api/v1/devices/{device_id}/changes": {"transition": "activate", "reason": "matrix"},
        "/api/v1/devices/{device_id}/snapshots": {
            "kind": "heartbeat",
            "fingerprint_hash": "0" * 64,
            "serial": "HWMP11-DEMO-0004",
            "os_version": "HarmonyOS 4.2",
        },
        "/api/v1/device-changes/{change_id}/approve": {"reason": "matrix"},
        "/api/v1/device-changes/{change_id}/reject": {"reason": "matrix"},
        "/api/v1/devices/{device_id}/commands": {"kind": "REKEY", "reason": "matrix"},
        "/api/v1/devices/{device_id}/commands/{command_id}/cancel": {"reason": "matrix"},
        "/api/v1/device-security-events/{event_id}/acknowledge": {"note": "matrix"},
        "/api/v1/device-step-grants/{grant_id}/grant": {"reason": "matrix"},
        "/api/v1/device-step-grants/{grant_id}/refuse": {"reason": "matrix"},
    }.get(path, {})
    if path == "/api/v1/devices/{device_id}/enrolment":
        tablet = SandboxTablet(ids["device_id"], SM2PrivateKey.generate().public_key)
        body = tablet.enrolment("0" * 64, "matrix", datetime.now(UTC))
    if path == "/api/v1/attachments":
        return client.post(
            url, headers=headers, files={"file": ("a.png", tiny_png(3), "image/png")}
        ).status_code
    if path == "/api/v1/instances/{instance_id}/abandon":
        url = path.format(instance_id=ids["abandon_instance_id"])
    return client.request(method, url, headers=headers, json=body if method == "POST" else None).status_code


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_every_route_answers_every_role_as_the_matrix_says(client: TestClient, services: Services) -> None:
    routes = {(m.upper(), p) for p, item in client.app.openapi()["paths"].items() for m in item}  # type: ignore[attr-defined]
    assert routes == set(ROUTES), (
        f"routes without a matrix row: {routes - set(ROUTES)}; rows without a route: {set(ROUTES) - routes}"
    )
    with services.deps.sessions() as session:
        for role in sorted(ROLES):
            for branch in (IN, OUT):
                session.add(
                    StaffRecord(
                        id=staff_id(role, branch),
                        name=role,
                        branch_code=branch,
                        roles=[role],
                        password_hash=hash_password("fieldbank-demo"),
                        status="active",
                        created_at=datetime.now(UTC),
                    )
                )
        session.commit()
    seed_demo_devices(services.device_admin)
    driver = J1Driver(client, wait_seconds=5)
    tablet_staff = [staff_id(r, b) for r in sorted(TABLET_ROLES & ROLES) for b in (IN, OUT)]
    for number, who in enumerate(tablet_staff, start=200):
        device = str(tablet_of(who))
        provision_tablet(services.device_admin, number, device, who, branch=who.split("@")[1])
        driver.devices[who] = device
    officer = staff_id("field_officer", IN)
    done = driver.run(Customer(card_sequence=9801), officer=officer)
    assert done.outcome == "OPENED"
    deadline = time.monotonic() + 60
    packages: list[dict[str, Any]] = []
    while not packages and time.monotonic() < deadline:
        packages = client.get(
            "/api/v1/evidence", headers=driver.headers(staff_id("post_supervisor", IN))
        ).json()
        time.sleep(0.2)
    assert packages, "no package was built"
    waiting = driver.start(officer)
    abandon_me = driver.start(officer)
    ids = {
        "process_id": "debit_card_opening",
        "instance_id": waiting["instance_id"],
        "incident_id": "999999",
        "task_id": waiting["tasks"][0]["task_id"],
        "mobile": "13900001234",
        "document": "privacy_policy",
        "package_id": packages[0]["package_id"],
        "abandon_instance_id": abandon_me["instance_id"],
        "change_id": "999999",
        "device_id": "web-0000000000000004",  # REGISTERED, in WH0101
        "command_id": "00000000-0000-0000-0000-000000000000",
        "grant_id": "999999",
        "event_id": "999999",
    }
    failures = []
    for (method, path), expect in sorted(ROUTES.items()):
        if path != "/api/v1/auth/token":
            anonymous = call(client, method, path, {}, ids, "")
            if anonymous != ANONYMOUS.get(path, 401):
                failures.append(f"anonymous {method} {path}: {anonymous} != {ANONYMOUS.get(path, 401)}")
        actors = [(role, branch) for role in sorted(ROLES) for branch in (IN, OUT)]
        if path.endswith("/abandon"):  # the one state-changing call that ends the instance goes last
            actors.sort(key=lambda a: staff_id(*a) == officer)
        for role, branch in actors:
            who = staff_id(role, branch)
            headers = (
                {"Authorization": "Bearer " + fresh_token(client, who)}
                if path.endswith("/logout")
                else driver.headers(who)
            )
            inside = branch == IN or (role in DESK and branch == IN)
            got = call(client, method, path, headers, ids, who)
            want = expect(role, inside, who == officer)
            if got != want:
                failures.append(f"{who} {method} {path}: {got} != {want}")
    assert not failures, "\n".join(failures)


def fresh_token(client: TestClient, who: str) -> str:
    body = {"username": who, "password": "fieldbank-demo", "device_id": tablet_of(who)}
    r = client.post("/api/v1/auth/token", json=body)
    return str(r.json()["access_token"])


def _lock(services: Services, device: str) -> None:
    admin = services.device_admin
    admin.request(demo_actor("da001"), device, "lock", {}, "矩阵：锁定")


def _report_lost(services: Services, device: str) -> None:
    admin = services.device_admin
    admin.request(demo_actor("da001"), device, "report_lost", {}, "矩阵：挂失")


def _void(services: Services, device: str) -> None:
    admin = services.device_admin
    change = admin.request(demo_actor("da001"), device, "void", {}, "矩阵：报废")
    admin.decide(demo_actor("sec001"), change.change_id, True, "矩阵：同意")


def _repair(services: Services, device: str) -> None:
    admin = services.device_admin
    change = admin.request(demo_actor("da001"), device, "send_to_repair", {}, "矩阵：送修")
    admin.decide(demo_actor("bm001"), change.change_id, True, "矩阵：同意")


def _rebind_to_fo002(services: Services, device: str) -> None:
    """Handed over to fo002 and active again: the officer signed in on it no longer holds it."""
    admin = services.device_admin
    move = {"branch_code": IN, "holder_id": "fo002"}
    change = admin.request(demo_actor("da001"), device, "transfer", move, "矩阵：移交")
    admin.decide(demo_actor("bm001"), change.change_id, True, "矩阵：同意")
    # both holders sign the handover record (each from a tablet of their own)
    signed = {
        f"{side}_signature": services.attachments.upload(demo_actor(who), tiny_png(seed)).attachment_id
        for side, who, seed in (("outgoing", "fo001", 41), ("incoming", "fo002", 42))
    }
    admin.request(demo_actor("da001"), device, "complete_transfer", signed, "矩阵：交接完成")
    change = admin.request(demo_actor("da001"), device, "activate", {}, "矩阵：启用")
    admin.decide(demo_actor("sec001"), change.change_id, True, "矩阵：同意")


SELF_REPORT = "/api/v1/devices/{device_id}/snapshots"
DEVICE_STATES: dict[str, Callable[[Services, str], None]] = {
    "device_locked": _lock,
    "device_lost": _report_lost,
    "device_voided": _void,
    "device_in_repair": _repair,
    "device_not_bound": _rebind_to_fo002,
}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("code", sorted(DEVICE_STATES))
def test_every_route_refuses_a_signed_in_officer_once_the_tablet_is_out_of_service(
    client: TestClient, services: Services, code: str
) -> None:
    """Generated over the route table: the token was issued on a good tablet; after the change every
    staff route answers 403 with the gate's code (the sign-in route as well), whatever the route is."""
    device = f"mx-{code.replace('_', '-')}"
    provision_tablet(services.device_admin, 100, device, "fo001")
    driver = J1Driver(client)
    driver.use_device("fo001", device)
    headers = driver.headers("fo001")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    DEVICE_STATES[code](services, device)
    ids = dict.fromkeys(("process_id", "instance_id", "abandon_instance_id", "incident_id"), "x")
    ids |= dict.fromkeys(
        ("task_id", "mobile", "document", "package_id", "change_id", "grant_id", "event_id"), "1"
    )
    ids |= {
        "process_id": "debit_card_opening",
        "device_id": device,
        "command_id": "0" * 8 + "-0000" * 3 + "-" + "0" * 12,
    }
    failures = []
    for method, path in sorted(ROUTES):
        if path == "/api/v1/messages" or path in DEVICE_CHANNEL:  # no staff, no staff device gate
            continue
        url = path.format(**ids)
        if path == SELF_REPORT and code in ("device_locked", "device_lost"):
            # a locked or lost tablet still reports on itself, to be told to wipe or unlock (§9.4): past
            # the gate, the empty snapshot meets its validation
            r = client.post(url, headers=headers, json={})
            if r.status_code != 422:
                failures.append(f"{method} {path}: a {code} tablet could not report ({r.status_code})")
            continue
        body = {
            "/api/v1/auth/token": {"username": "fo001", "password": "fieldbank-demo", "device_id": device},
            "/api/v1/auth/step-up": {"password": "fieldbank-demo"},
        }.get(path, {})
        r = client.request(method, url, headers=headers, json=body if method == "POST" else None)
        got = (r.status_code, r.json().get("code") if r.content else None)
        if got != (403, code):
            failures.append(f"{method} {path}: {got}")
    assert not failures, "\n".join(failures)
