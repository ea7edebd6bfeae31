"""A device transfer (移交) as §9.1 has it, over HTTP on PostgreSQL: a change of branch is asked by the
sending branch's manager and checked by the receiving one's; a change of holder within the branch may
still be asked by the device admin; the handover completes only with the record signed by both holders,
each signature an image the holder uploaded from a tablet of their own."""

from __future__ import annotations

from typing import Any

import pytest

from engine.adapters.sandbox.recording import sandbox_recording
from tests.integration.test_device_lifecycle import DEVICE, Desk

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


@pytest.fixture
def desk(client: Any) -> Desk:
    """A fresh tablet of WH0101, held by fo001 (backup fo002), active and checked in."""
    desk = Desk(client)
    assert desk.register()[0] == 201
    desk.step("da001", "bind", "bm001", branch_code="WH0101", holder_id="fo001", backup_holder_id="fo002")
    desk.step("da001", "activate", "sec001")
    return desk


def to_wh0102(desk: Desk) -> None:
    moving = desk.step("bm001", "transfer", "bm101", branch_code="WH0102", holder_id="fo101")
    assert moving["state"] == "TRANSFER_PENDING"


def fields(body: dict[str, Any]) -> dict[str, str]:
    return {d["field"].removeprefix("complete_transfer."): d["code"] for d in body["details"]}


def test_a_transfer_to_another_branch_is_asked_by_the_sending_manager_and_checked_by_the_receiving_one(
    desk: Desk,
) -> None:
    status, change = desk.ask("bm001", "transfer", branch_code="WH0102", holder_id="fo101")
    assert status == 201 and change["status"] == "PENDING"
    assert (change["checker_role"], change["checker_branch"]) == ("branch_manager", "WH0102")
    status, decided = desk.decide("bm101", change["change_id"])
    assert status == 200 and decided["status"] == "APPROVED"
    moving = desk.device()
    assert (moving["state"], moving["branch_code"]) == ("TRANSFER_PENDING", "WH0101")
    assert moving["transfer_to"]["holder_id"] == "fo101"


def test_a_device_admin_or_the_receiving_manager_asking_a_transfer_to_another_branch_is_refused_403(
    desk: Desk,
) -> None:
    status, refused = desk.ask("da001", "transfer", branch_code="WH0102", holder_id="fo101")
    assert status == 403 and "sending branch's branch_manager" in refused["message"]
    status, refused = desk.ask("bm101", "transfer", branch_code="WH0102", holder_id="fo101")
    assert status == 403 and "sending branch's branch_manager" in refused["message"]
    # the receiving side sees the device only for that refusal: nothing else of it
    assert desk.ask("bm101", "report_lost")[0] == 404
    assert desk.ask("bm101", "transfer", branch_code="WH0101", holder_id="fo002")[0] == 404
    assert desk.device()["state"] == "ACTIVE"
    assert [c["transition"] for c in desk.call("da001", "GET", f"/devices/{DEVICE}")[1]["history"]] == [
        "register",
        "bind",
        "activate",
    ]


def test_a_change_of_holder_within_the_branch_is_still_asked_by_the_device_admin(desk: Desk) -> None:
    moving = desk.step("da001", "transfer", "bm001", branch_code="WH0101", holder_id="fo002")
    assert moving["state"] == "TRANSFER_PENDING"
    # each signs on a tablet of their own: the device gate lets nobody work on the one handed over
    body = {"username": "fo001", "password": "fieldbank-demo", "device_id": DEVICE}
    refused = desk.client.post("/api/v1/auth/token", json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "device_transfer_pending"
    incoming = desk.sign("fo002")
    desk.driver.use_device("fo001", "web-0000000000000002")  # the demo tablet fo001 is backup holder of
    outgoing = desk.sign("fo001")
    moved = desk.step("da001", "complete_transfer", outgoing_signature=outgoing, incoming_signature=incoming)
    assert (moved["state"], moved["branch_code"], moved["holder"]["staff_id"]) == ("BOUND", "WH0101", "fo002")


def test_completing_a_transfer_without_the_signatures_names_both_fields(desk: Desk) -> None:
    to_wh0102(desk)
    status, body = desk.ask("da001", "complete_transfer")
    assert status == 422 and set(fields(body)) == {"outgoing_signature", "incoming_signature"}
    status, body = desk.ask("da001", "complete_transfer", outgoing_signature="att_1", incoming_signature="x")
    assert status == 422 and set(fields(body)) == {"outgoing_signature", "incoming_signature"}
    assert desk.device()["state"] == "TRANSFER_PENDING"


def test_a_recording_the_same_upload_twice_an_unknown_one_or_the_wrong_signer_is_a_422(desk: Desk) -> None:
    signed_before = desk.sign("fo001")  # an image of fo001's from before the transfer was approved
    to_wh0102(desk)
    outgoing, incoming = desk.sign("fo001"), desk.sign("fo101")
    recording = desk.client.post(
        "/api/v1/attachments",
        headers=desk.driver.headers("fo101"),
        files={"file": ("r.mp4", sandbox_recording(90_000), "video/mp4")},
    ).json()["attachment_id"]
    cases = [
        ({"incoming_signature": recording}, {"incoming_signature": "attachment_kind"}),
        ({"incoming_signature": outgoing}, {"incoming_signature": "same_as_outgoing"}),
        ({"outgoing_signature": "att_" + "0" * 32}, {"outgoing_signature": "attachment_not_found"}),
        ({"outgoing_signature": desk.sign("fo002")}, {"outgoing_signature": "not_signed_by_holder"}),
        ({"outgoing_signature": signed_before}, {"outgoing_signature": "signed_before_transfer"}),
        (
            {"outgoing_signature": incoming, "incoming_signature": outgoing},
            {"outgoing_signature": "not_signed_by_holder", "incoming_signature": "not_signed_by_holder"},
        ),
    ]
    for changed, expected in cases:
        payload = {"outgoing_signature": outgoing, "incoming_signature": incoming, **changed}
        status, body = desk.ask("da001", "complete_transfer", **payload)
        assert status == 422, body
        assert {f: c for f, c in fields(body).items() if f in expected} == expected, body
    assert desk.device()["state"] == "TRANSFER_PENDING"


def test_the_signed_handover_completes_the_transfer_and_its_history_keeps_the_signatures(
    desk: Desk,
) -> None:
    to_wh0102(desk)
    outgoing, incoming = desk.sign("fo001"), desk.sign("fo101")
    moved = desk.step("da001", "complete_transfer", outgoing_signature=outgoing, incoming_signature=incoming)
    assert (moved["state"], moved["branch_code"], moved["holder"]["staff_id"]) == ("BOUND", "WH0102", "fo101")
    status, detail = desk.call("bm101", "GET", f"/devices/{DEVICE}")
    assert status == 200
    done = detail["history"][-1]
    assert (done["transition"], done["status"], done["requested_by"]) == (
        "complete_transfer",
        "APPLIED",
        "da001",
    )
    assert done["payload"] == {
        "outgoing_signature": outgoing,
        "incoming_signature": incoming,
        "outgoing_holder_id": "fo001",
        "incoming_holder_id": "fo101",
    }
