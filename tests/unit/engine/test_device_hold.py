"""The pure parts of holding a journey whose device left service (engine/device_hold.py): what the
officer is told, and whether the device a call comes from may resume it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.device_hold import held_message, hold_view, resume_refusal
from engine.errors import Conflict, JourneyHeld
from engine.persistence.records import JourneyHoldRecord

TABLET_1, TABLET_2 = "web-0000000000000001", "web-0000000000000002"


@pytest.mark.parametrize(
    ("state", "word"),
    [
        ("LOCKED", "锁定"),
        ("LOST", "挂失"),
        ("REPAIR", "送修"),
        ("VOIDED", "作废"),
        ("TRANSFER_PENDING", "移交"),
    ],
)
def test_the_officer_is_told_which_device_did_what_and_where_to_go_on(state: str, word: str) -> None:
    assert held_message(TABLET_1, state) == f"此业务因设备 {TABLET_1} {word}而暂停，请在本设备上继续办理"


def test_a_state_without_words_still_reads_as_a_sentence() -> None:
    assert "停用而暂停" in held_message(TABLET_1, "SOMETHING_NEW")


def test_another_active_device_resumes_a_held_journey() -> None:
    assert resume_refusal(TABLET_1, TABLET_2, device_in_service=True) is None


def test_the_device_that_left_service_does_not_resume_it() -> None:
    refused = resume_refusal(TABLET_1, TABLET_1, device_in_service=False)
    assert refused is not None and "another bound device" in refused


def test_the_same_device_back_in_service_resumes_it() -> None:
    """Unlocked by the security officer with the tablet presented in person: it is good again."""
    assert resume_refusal(TABLET_1, TABLET_1, device_in_service=True) is None


def test_an_inactive_other_device_does_not_resume_it() -> None:
    refused = resume_refusal(TABLET_1, TABLET_2, device_in_service=False)
    assert refused is not None and "not active" in refused


def test_a_call_from_no_device_does_not_resume_it() -> None:
    assert resume_refusal(TABLET_1, None, device_in_service=False) is not None
    assert resume_refusal(TABLET_1, "", device_in_service=False) is not None


def test_a_journey_that_is_not_held_is_not_resumed() -> None:
    assert resume_refusal(None, TABLET_2, device_in_service=True) == "the journey is not held"


def test_the_view_carries_the_screen_sentence() -> None:
    at = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)
    record = JourneyHoldRecord(
        instance_id="i", device_id=TABLET_1, device_state="LOST", reason="report_lost", held_at=at
    )
    view = hold_view(record)
    facts = (view.device_id, view.device_state, view.reason, view.held_at)
    assert facts == (TABLET_1, "LOST", "report_lost", at)
    assert view.message == held_message(TABLET_1, "LOST")


def test_a_held_journey_is_a_conflict_with_a_stable_code_and_both_languages() -> None:
    error = JourneyHeld(TABLET_1, "LOCKED", held_message(TABLET_1, "LOCKED"))
    assert isinstance(error, Conflict) and error.code == "journey_held"
    assert error.details == {"device_id": TABLET_1, "device_state": "LOCKED"}
    assert "held" in error.message and "锁定" in error.screen_message
