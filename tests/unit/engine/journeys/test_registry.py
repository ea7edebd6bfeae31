"""The journey registry: each journey's words for its own outcomes, the shared steps' words for theirs,
and nothing one journey declares leaks into another."""

from __future__ import annotations

import pytest

from engine.journeys.credit_card import JOURNEY as J2
from engine.journeys.debit_card import JOURNEY as J1
from engine.journeys.declaration import EndingFact, JourneyDeclaration
from engine.journeys.registry import JourneyRegistry
from engine.outcomes import NEUTRAL_REFUSAL, SHARED_REASON_WORDS
from engine.settings import Settings

OTHER = JourneyDeclaration(process_id="social_security_card", title="社保卡申领")
REGISTRY = JourneyRegistry([J1, J2, OTHER])


def test_an_outcome_is_worded_by_the_journey_that_ended_with_it() -> None:
    assert "信用卡" in (REGISTRY.customer_message(J2.process_id, "APPROVED", None) or "")
    # another journey's APPROVED never tells the customer a credit card was approved
    assert REGISTRY.customer_message(OTHER.process_id, "APPROVED", None) is None
    assert REGISTRY.customer_message(J1.process_id, "OPENED", "CARD_OPENED") == "开户成功，您的借记卡已激活。"
    assert REGISTRY.customer_message(OTHER.process_id, "OPENED", "CARD_OPENED") is None


def test_shared_steps_word_their_reasons_for_every_journey_and_refusals_stay_neutral() -> None:
    for process_id in (J1.process_id, J2.process_id, OTHER.process_id):
        assert (
            REGISTRY.customer_message(process_id, "REFUSED", "FACE_VERIFICATION_FAILED")
            == (SHARED_REASON_WORDS["FACE_VERIFICATION_FAILED"])
        )
        assert REGISTRY.customer_message(process_id, "REFUSED", "SOMETHING_NEW") == NEUTRAL_REFUSAL
    assert REGISTRY.customer_message(J1.process_id, "REFUSED", "ACCOUNT_LIMIT") != NEUTRAL_REFUSAL
    assert REGISTRY.customer_message(J1.process_id, None, None) is None


def test_approval_facts_and_personal_fields_come_from_the_declarations() -> None:
    data = {"card_no": "6219994201000000010", "product_code": "DC_STANDARD", "account_decision": {}}
    assert REGISTRY.approval_facts(J1.process_id, data)["facts"] == {
        "卡号": "621999*********0010",
        "产品": "标准借记卡",
    }
    assert REGISTRY.approval_facts(OTHER.process_id, data) == {}
    assert {"card_no", "applicant_photo", "id_number"} <= REGISTRY.personal_fields


def test_a_journey_declared_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        JourneyRegistry([J1, J1])


def test_ending_facts_read_codes_and_amounts_in_words() -> None:
    account_class = next(f for f in J1.ending_facts if f.key == "account_class")
    limit = next(f for f in J2.ending_facts if f.key == "credit_limit")
    assert (account_class.shown("II"), limit.shown(50000)) == ("II类账户", "50,000 元")


def test_ending_facts_show_exact_amounts_and_instants_in_beijing_time() -> None:
    amount = EndingFact("order_amount", "认购金额", unit="元", kind="money")
    ends = EndingFact("cooling_off_ends_at", "冷静期截止", kind="time")
    assert amount.shown("1234567.5") == "1,234,567.50 元"
    assert ends.shown("2025-06-13T02:00:00+00:00") == "2025-06-13 10:00（北京时间）"


def test_a_journey_s_start_variables_come_from_the_settings_it_declares_and_no_other_s() -> None:
    """A switch the bank sets reaches only the journey that declares it (generic code names none)."""
    switched = JourneyDeclaration(
        process_id="switched_journey",
        title="开关旅程",
        start_variables=lambda settings: {"batch_mode": settings.worker_threads > 1},
    )
    registry = JourneyRegistry([J1, switched])
    assert registry.start_variables("switched_journey", Settings(worker_threads=4)) == {"batch_mode": True}
    assert registry.start_variables("switched_journey", Settings(worker_threads=1)) == {"batch_mode": False}
    assert registry.start_variables(J1.process_id, Settings(worker_threads=4)) == {}
    assert registry.start_variables("not_declared", Settings()) == {}
