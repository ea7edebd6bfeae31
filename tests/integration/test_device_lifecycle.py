"""A device's whole life over HTTP, every step under maker-checker (§9.1, §11), and the refusals."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import J1Driver
from devices.demo import DEVICES, demo_actor, seed_demo_devices
from engine.errors import Conflict

DEMO_IDS = {d[0] for d in DEVICES}

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
# the embedded default too: its partial unique index and dates behave as PostgreSQL's
ON_BOTH = pytest.mark.parametrize("database_url", ["postgresql", "sqlite"], indirect=True)

DEVICE = "dev-life-0001"


class Desk:
    """The device administration calls, each as the named member of staff."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.driver = J1Driver(client)

    def call(self, who: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.client.request(method, f"/api/v1{path}", headers=self.driver.headers(who), json=body)
        return r.status_code, r.json()

    def register(self, who: str = "da001", **overrides: Any) -> tuple[int, Any]:
        return self.call(who, "POST", "/devices", registration(**overrides))

    def ask(self, who: str, transition: str, device: str = DEVICE, **payload: Any) -> tuple[int, Any]:
        body = {"transition": transition, "reason": f"测试：{transition}", **payload}
        return self.call(who, "POST", f"/devices/{device}/changes", body)

    def decide(self, who: str, change_id: int, verdict: str = "approve") -> tuple[int, Any]:
        return self.call(who, "POST", f"/device-changes/{change_id}/{verdict}", {"reason": "核对无误"})

    def step(self, maker: str, transition: str, checker: str | None = None, **payload: Any) -> dict[str, Any]:
        """Asks, and approves when the step has a checker; answers the device afterwards."""
        status, change = self.ask(maker, transition, **payload)
        assert status == 201, change
        if checker is None:
            assert change["status"] == "APPLIED"
        else:
            assert change["status"] == "PENDING"
            status, decided = self.decide(checker, change["change_id"])
            assert status == 200 and decided["status"] == "APPROVED", decided
        return self.device()

    def sign(self, who: str, seed: int = 0) -> str:
        """`who` uploads the image of their signature on the handover record from their demo tablet."""
        return self.driver.upload(who, seed or sum(map(ord, who)))

    def device(self, who: str = "da001", device: str = DEVICE) -> dict[str, Any]:
        status, detail = self.call(who, "GET", f"/devices/{device}")
        assert status == 200, detail
        return detail["device"]


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "asset_no": "WH0101-PAD-009001",
        "model": "Huawei MatePad 11",
        "serial": "HWMP11-T-9001",
        "imei": "490154203237518",
        "wifi_mac": "a4-5e-60-99-00-01",
        "os_version": "HarmonyOS 4.2",
        "purchase_date": "2026-03-01",
        "branch_code": "WH0101",
        "secure_element_serial": "SETF-T-9001",
        "peripherals": {"id_reader_serial": "IDR-T-9001", "sam_id": "05.01-20260301-0000009001"},
        "device_id": DEVICE,
        **overrides,
    }


@pytest.fixture
def desk(client: TestClient) -> Desk:
    return Desk(client)


@ON_BOTH
def test_a_device_lives_from_registration_to_voiding_each_step_checked_by_a_second_person(desk: Desk) -> None:
    status, device = desk.register(reason="新购平板入库")
    assert status == 201 and device["state"] == "REGISTERED" and device["wifi_mac"] == "A4:5E:60:99:00:01"
    assert device["last_contact_at"] is None and device["risk_level"] is None
    assert device["peripherals"]["sam_id"] == "05.01-20260301-0000009001"

    bound = desk.step(
        "da001", "bind", "bm001", branch_code="WH0101", holder_id="fo001", backup_holder_id="fo002"
    )
    assert bound["state"] == "BOUND" and bound["holder"] == {"staff_id": "fo001", "name_masked": "李*"}
    assert bound["backup_holder"]["staff_id"] == "fo002"
    active = desk.step("da001", "activate", "sec001")
    assert (active["state"], active["custody"]) == ("ACTIVE", "CHECKED_IN")

    assert desk.step("fo001", "check_out")["custody"] == "CHECKED_OUT"  # the holder takes it out
    assert desk.step("fo001", "check_in")["custody"] == "CHECKED_IN"
    assert desk.step("da001", "lock")["state"] == "LOCKED"
    unlocked = desk.step("da001", "unlock", "sec002", presented_in_person=True)
    assert (unlocked["state"], unlocked["custody"]) == ("ACTIVE", "CHECKED_IN")

    # cross-branch: WH0101's manager asks, WH0102's manager checks
    moving = desk.step("bm001", "transfer", "bm101", branch_code="WH0102", holder_id="fo101")
    assert moving["state"] == "TRANSFER_PENDING" and moving["branch_code"] == "WH0101"
    assert moving["transfer_to"]["holder_id"] == "fo101"
    # both holders sign the handover record, each on their own demo tablet
    signatures = {"outgoing_signature": desk.sign("fo001"), "incoming_signature": desk.sign("fo101")}
    moved = desk.step("da001", "complete_transfer", **signatures)
    assert (moved["state"], moved["branch_code"], moved["holder"]["staff_id"]) == ("BOUND", "WH0102", "fo101")
    assert moved["backup_holder"] is None and moved["transfer_to"] is None

    assert desk.step("da001", "send_to_repair", "bm101")["state"] == "REPAIR"
    assert desk.step("da001", "return_from_repair")["state"] == "BOUND"
    assert desk.step("da001", "void", "sec001")["state"] == "VOIDED"

    status, detail = desk.call("sec001", "GET", f"/devices/{DEVICE}")
    trail = [(c["transition"], c["status"]) for c in detail["history"]]
    assert trail[0] == ("register", "APPLIED") and trail[1] == ("bind", "APPROVED")
    assert trail[-1] == ("void", "APPROVED") and len(trail) == 12
    bind = detail["history"][1]
    assert (bind["requested_by"], bind["decided_by"], bind["request_reason"]) == (
        "da001",
        "bm001",
        "测试：bind",
    )
    assert bind["decision_reason"] == "核对无误" and bind["checker_branch"] == "WH0101"

    status, refused = desk.ask("da001", "report_lost")
    assert status == 409 and "voided" in refused["message"]
    status, refused = desk.register(device_id="dev-life-0002", serial="HWMP11-T-9002")
    assert status == 409 and "never reused" in refused["message"]


@ON_BOTH
def test_nothing_changes_until_a_different_person_with_the_checker_role_approves(desk: Desk) -> None:
    assert desk.register()[0] == 201
    status, change = desk.ask("da001", "bind", branch_code="WH0101", holder_id="fo001")
    assert status == 201 and desk.device()["state"] == "REGISTERED"
    assert desk.decide("da001", change["change_id"])[0] == 403  # a device admin does not check
    assert desk.decide("sec001", change["change_id"])[0] == 403  # bind is a branch manager's to check
    assert desk.decide("bm101", change["change_id"])[0] == 404  # another branch's manager: out of scope
    status, second = desk.ask("da001", "bind", branch_code="WH0101", holder_id="fo002")
    assert status == 409 and "pending" in second["message"]
    status, pending = desk.call("bm001", "GET", "/device-changes")
    assert [p["change_id"] for p in pending] == [change["change_id"]]
    assert desk.call("bm101", "GET", "/device-changes")[1] == []  # not WH0102's device nor its check
    status, rejected = desk.decide("bm001", change["change_id"], "reject")
    assert status == 200 and rejected["status"] == "REJECTED" and desk.device()["state"] == "REGISTERED"
    assert desk.decide("bm001", change["change_id"])[0] == 409  # decided already


@ON_POSTGRESQL
def test_the_maker_never_approves_their_own_change(client: TestClient, services: Services) -> None:
    desk = Desk(client)
    seed_demo_devices(services.device_admin)
    device = DEVICES[0][0]  # ACTIVE, held by fo001, WH0101
    status, change = desk.ask("bm001", "transfer", device, branch_code="WH0101", holder_id="fo002")
    assert status == 201 and change["checker_role"] == "branch_manager"
    status, refused = desk.decide("bm001", change["change_id"])
    assert status == 403 and "own request" in refused["message"]


@ON_POSTGRESQL
def test_refusals_answer_409_with_the_reason_and_leave_the_device_as_it_was(desk: Desk) -> None:
    assert desk.register()[0] == 201
    status, refused = desk.ask("da001", "activate")
    assert status == 409 and "BOUND" in refused["message"] and "REGISTERED" in refused["message"]
    status, refused = desk.ask("da001", "lock")
    assert status == 409 and "ACTIVE" in refused["message"]
    desk.step("da001", "bind", "bm001", branch_code="WH0101", holder_id="fo001")
    desk.step("da001", "activate", "sec001")
    desk.step("fo001", "check_out")
    status, refused = desk.ask("da001", "void")
    assert status == 409 and "checked in" in refused["message"]
    desk.step("da001", "lock")
    status, refused = desk.ask("da001", "lock")
    assert status == 409
    assert desk.device()["state"] == "LOCKED"


@ON_POSTGRESQL
def test_a_lock_or_a_loss_supersedes_a_pending_change_and_approving_it_later_is_refused(desk: Desk) -> None:
    assert desk.register()[0] == 201
    status, change = desk.ask("da001", "bind", branch_code="WH0101", holder_id="fo001")
    assert desk.step("bm001", "report_lost")["state"] == "LOST"
    status, refused = desk.decide("bm001", change["change_id"])
    assert status == 409 and "SUPERSEDED" in refused["message"]


@ON_POSTGRESQL
def test_roles_and_scope(desk: Desk) -> None:
    assert desk.register("bm001")[0] == 403  # only device admins register
    assert desk.register("fo001")[0] == 403
    assert desk.register()[0] == 201
    assert desk.ask("fo002", "report_lost")[0] == 403  # not a holder of it (none yet)
    assert desk.call("fo001", "GET", "/devices")[0] == 403
    assert desk.call("bm101", "GET", f"/devices/{DEVICE}")[0] == 404  # another branch's device
    assert desk.call("bm101", "GET", "/devices?branch_code=WH0101")[0] == 404
    assert desk.ask("bm101", "report_lost")[0] == 404
    listed = desk.call("bm001", "GET", "/devices?branch_code=WH0101")[1]
    assert _not_demo(listed) == [DEVICE]
    assert _not_demo(desk.call("bm101", "GET", "/devices")[1]) == []
    assert _not_demo(desk.call("sec001", "GET", "/devices")[1]) == [DEVICE]


def _not_demo(listed: list[dict[str, Any]]) -> list[str]:
    """The devices a test registered, leaving out the demo tablets every test's officers sign in on."""
    return [d["device_id"] for d in listed if d["device_id"] not in DEMO_IDS]


@ON_POSTGRESQL
def test_bad_input_is_a_422_naming_the_field(desk: Desk) -> None:
    status, body = desk.register(imei="490154203237517")  # the Luhn digit is wrong
    assert status == 422 and [d["field"] for d in body["details"]] == ["imei"]
    status, body = desk.register(wifi_mac="A4:5E:60", asset_no="PAD-1")
    assert status == 422 and {d["field"] for d in body["details"]} == {"wifi_mac", "asset_no"}
    status, body = desk.register(peripherals={"id_reader_serial": "IDR-T-9001"})
    assert status == 422 and body["details"][0]["field"] == "peripherals.sam_id"
    assert desk.register()[0] == 201
    status, body = desk.ask("da001", "bind", branch_code="WH0101", holder_id="au001")  # not a tablet role
    assert status == 422 and body["details"][0]["field"] == "holder_id"
    status, body = desk.ask(
        "da001", "bind", branch_code="WH0101", holder_id="fo001", backup_holder_id="fo001"
    )
    assert status == 422 and body["details"][0]["field"] == "backup_holder_id"
    status, body = desk.ask("da001", "bind", branch_code="WH0102", holder_id="fo001")  # fo001 is WH0101's
    assert status == 422 and body["details"][0]["field"] == "holder_id"
    status, body = desk.ask("da001", "teleport")
    assert status == 422
    status, body = desk.call(
        "da001", "POST", f"/devices/{DEVICE}/changes", {"transition": "lock", "reason": " "}
    )
    assert status == 422 and body["details"][0]["field"] == "lock.reason"  # the body shape of `lock`
    status, body = desk.ask("da001", "unlock", presented_in_person=False)
    assert status == 422


@ON_POSTGRESQL
def test_unknown_devices_and_changes_are_404(desk: Desk) -> None:
    assert desk.call("da001", "GET", "/devices/dev-nobody")[0] == 404
    assert desk.ask("da001", "lock", "dev-nobody")[0] == 404
    assert desk.decide("sec001", 999999)[0] == 404


@ON_POSTGRESQL
def test_demo_devices_are_seeded_active_once(client: TestClient, services: Services) -> None:
    # the fixture seeded them (every test signs its officers in on their demo tablets)
    assert seed_demo_devices(services.device_admin) == 0
    desk = Desk(client)
    listed = {d["device_id"]: d for d in desk.call("da001", "GET", "/devices")[1]}
    assert {d: listed[d]["state"] for d in listed} == {
        "web-0000000000000001": "ACTIVE",
        "web-0000000000000002": "ACTIVE",
        "web-0000000000000003": "ACTIVE",
        "web-0000000000000004": "REGISTERED",
        "web-0000000000000005": "ACTIVE",
    }
    assert listed["web-0000000000000003"]["holder"]["staff_id"] == "fo101"


@ON_POSTGRESQL
def test_the_risk_engine_locks_without_a_person(client: TestClient, services: Services) -> None:
    seed_demo_devices(services.device_admin)
    change = services.device_admin.lock_automatically(DEVICES[0][0], "risk score 85")
    assert (change.status, change.requested_by, change.to_state) == ("APPLIED", "system", "LOCKED")


@ON_POSTGRESQL
def test_two_checkers_approving_one_change_at_once_apply_it_once(
    client: TestClient, services: Services
) -> None:
    admin = services.device_admin
    seed_demo_devices(admin)
    device = DEVICES[0][0]
    lock = admin.request(demo_actor("da001"), device, "lock", {}, "测试")
    assert lock.status == "APPLIED"
    change = admin.request(demo_actor("da001"), device, "unlock", {"presented_in_person": True}, "测试")
    barrier = threading.Barrier(2)

    def approve(who: str) -> str:
        barrier.wait()
        try:
            return admin.decide(demo_actor(who), change.change_id, True, "核对无误").status
        except Conflict as refused:
            return refused.message

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(approve, ["sec001", "sec002"]))
    assert answers[0] == "APPROVED" and "not pending" in answers[1]
    history = [c.transition for c in admin.device(demo_actor("sec001"), device).history]
    assert history.count("unlock") == 1
