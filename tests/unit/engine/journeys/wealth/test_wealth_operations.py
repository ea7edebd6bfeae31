"""The wealth.* operations through the sandbox wm_sales, with a fixed Shanghai clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from engine.adapters.ports import SHANGHAI, OpenAccountRequest
from engine.adapters.sandbox import InMemorySandboxStore, SandboxKnobs, build_sandbox_adapters, card_number
from engine.errors import ExternalServiceError, ValidationFailed
from engine.journeys.wealth import JOURNEY
from engine.journeys.wealth.questionnaire import WRQ_2025_1
from engine.operations.catalogue import build_operation_registry
from engine.operations.registry import Adapters, BusinessRejection, OperationContext
from forms import FormCatalogue

NOW = datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI)
ZHANG, WANG, LI, LIU, PENG, JIANG = (
    "420106199003071238",
    "420102198506150026",
    "420111195501010035",
    "420102195901010070",
    "420112198707079214",
    "420115198909099220",
)
OPS = build_operation_registry([JOURNEY])
TOP = {q.id: q.options[-1].code for q in WRQ_2025_1.questions if q.id != "age_band"}
TIMES = {q: 9_000 for q in TOP}


class Bank:
    def __init__(self, **knobs):
        sandbox = build_sandbox_adapters(
            InMemorySandboxStore(), SandboxKnobs(latency_profile="zero", **knobs), clock=lambda: self.now
        )
        self.now = NOW
        self.adapters = Adapters(
            sandbox.identity,
            sandbox.face,
            sandbox.watchlist,
            sandbox.telco,
            sandbox.sms,
            sandbox.core,
            wm_sales=sandbox.wm_sales,
        )
        self.core = sandbox.core
        self.calls = 0

    def open_account(self, id_number, name):
        """What a J1 leaves behind: the customer's account in the sandbox core, holding its balance."""
        self.calls += 1
        opened = self.core.open_account(
            OpenAccountRequest(
                channel_serial_no=f"j1-{self.calls}",
                id_number=id_number,
                name=name,
                mobile="13900001234",
                account_class="I",
                product_code="DC_STANDARD",
                card_no=card_number(100 + self.calls),
                branch_code="WH0101",
                operator_id="fo001",
            )
        )
        assert opened.result == "OK", opened
        return opened.account_no

    def run(self, operation, **params):
        self.calls += 1
        ctx = OperationContext(
            self.adapters, None, f"i1:t{self.calls}", "i1", "WH0101", "fo001", lambda: self.now
        )
        result = OPS.get(operation).handler(ctx, params)
        assert json.loads(json.dumps(result, ensure_ascii=False)) == result
        return result


@pytest.fixture
def bank():
    return Bank()


def test_every_wealth_operation_is_registered():
    names = {n for n in OPS if n.startswith("wealth.")}
    assert len(names) == 10
    assert {"wealth.score_assessment", "wealth.stamp_signing"} <= set(OPS.inline_names())


@pytest.mark.parametrize(
    ("id_number", "needed", "reasons"),
    [
        (ZHANG, False, []),
        (WANG, True, ["EXPIRED"]),
        (LI, True, ["ELDERLY_OLDER_THAN_6_MONTHS"]),
        (LIU, False, []),
        (PENG, True, ["QUESTIONNAIRE_RETIRED"]),
        ("420115194909090084", True, ["NO_ASSESSMENT"]),
    ],
)
def test_check_assessment_reads_the_fixture_and_says_why_to_reassess(bank, id_number, needed, reasons):
    got = bank.run("wealth.check_assessment", id_number=id_number)
    assert (got["reassessment_needed"], got["reasons"]) == (needed, reasons)


def test_check_assessment_derives_age_and_band_and_the_allowed_range(bank):
    got = bank.run("wealth.check_assessment", id_number=ZHANG)
    assert (got["age"], got["age_band"], got["elderly"]) == (35, "31_50", False)
    assert got["current"]["level"] == "C3" and got["allowed_product_levels"] == ["R1", "R2", "R3"]
    assert bank.run("wealth.check_assessment", id_number=LI)["age_band"] == "gt65"


def test_the_retake_limit_blocks_and_flags(bank):
    with pytest.raises(BusinessRejection) as caught:
        bank.run("wealth.check_retake_limit", id_number=JIANG)
    assert caught.value.code == "WEALTH_RETAKE_LIMIT"
    assert caught.value.payload["flags"] == ["LEVEL_ROSE_TODAY", "RETAKE_LIMIT_REACHED"]
    assert bank.run("wealth.check_retake_limit", id_number=ZHANG) == {
        "attempts_today": 0,
        "limit": 2,
        "business_date": "2025-06-12",
        "remaining": 2,
        "flags": [],
    }


def test_a_limit_of_one_blocks_the_second_attempt_of_the_day(bank):
    scored = bank.run("wealth.score_assessment", id_number=ZHANG, answers=TOP, answer_ms=TIMES)
    bank.run("wealth.record_assessment", id_number=ZHANG, assessment=scored)
    assert bank.run("wealth.check_retake_limit", id_number=ZHANG, retakes_per_day=2)["remaining"] == 1
    with pytest.raises(BusinessRejection):
        bank.run("wealth.check_retake_limit", id_number=ZHANG, retakes_per_day=1)


def test_scoring_keeps_the_full_record_of_5_6(bank):
    got = bank.run(
        "wealth.score_assessment", id_number=ZHANG, answers={**TOP, "age_band": "le30"}, answer_ms=TIMES
    )
    assert (got["score"], got["level"], got["caps_applied"]) == (100, "C5", [])  # Q1 from the ID: 31–50 → 10
    q1 = got["questions"][0]
    assert (q1["id"], q1["selected"], q1["answer_ms"]) == ("age_band", "31_50", 0)
    assert all(q["text_hash"].startswith("sm3:") and len(q["options_shown"]) == 5 for q in got["questions"])
    assert (got["assessed_at"], got["expires_at"]) == (
        "2025-06-12T10:00:00+08:00",
        "2026-06-12T10:00:00+08:00",
    )
    assert got["total_answer_ms"] == 81_000 and got["flags"] == []
    assert got["decision"]["id"] == "wealth_risk_level" and got["record_digest"].startswith("sm3:")


def test_scoring_applies_the_knock_out_and_the_age_caps_when_configured(bank):
    ko = bank.run(
        "wealth.score_assessment",
        id_number=ZHANG,
        answers={**TOP, "max_loss": "no_principal_loss"},
        answer_ms=TIMES,
    )
    assert (ko["score"], ko["level"], ko["caps_applied"]) == (90, "C1", ["KNOCK_OUT_NO_PRINCIPAL_LOSS"])
    elderly = bank.run("wealth.score_assessment", id_number=LI, answers=TOP, answer_ms=TIMES)
    assert (elderly["score"], elderly["level"], elderly["elderly"]) == (90, "C5", True)
    assert "DUAL_RECORDING" in elderly["elderly_steps"] and elderly["consistency_prompts"] == [
        "ELDERLY_LONG_HORIZON"
    ]
    capped = bank.run(
        "wealth.score_assessment", id_number=LI, answers=TOP, answer_ms=TIMES, age_caps_enabled=True
    )
    assert (capped["level"], capped["caps_applied"]) == ("C3", ["AGE_70_PLUS_MAX_C3"])


def test_scoring_flags_a_questionnaire_answered_in_under_a_minute(bank):
    fast = bank.run("wealth.score_assessment", id_number=ZHANG, answers=TOP, answer_ms={q: 500 for q in TOP})
    assert fast["flags"] == ["ANSWERED_TOO_FAST"]


def test_scoring_refuses_missing_answers_and_answer_times(bank):
    with pytest.raises(ValidationFailed) as caught:
        bank.run(
            "wealth.score_assessment",
            id_number=ZHANG,
            answers={**TOP, "horizon": "forever"},
            answer_ms={**TIMES, "knowledge": None},
        )
    assert {e.field for e in caught.value.errors} == {"horizon", "answer_ms.knowledge"}


def test_a_confirmed_attempt_becomes_the_current_assessment(bank):
    scored = bank.run("wealth.score_assessment", id_number=WANG, answers=TOP, answer_ms=TIMES)
    receipt = bank.run("wealth.record_assessment", id_number=WANG, assessment=scored)
    assert (receipt["status"], receipt["attempt_of_day"]) == ("SCORED", 1)
    assert bank.run("wealth.check_assessment", id_number=WANG)["reasons"] == ["EXPIRED"]
    bank.run("wealth.confirm_assessment", assessment_no=receipt["assessment_no"], signature_ref="att_sig")
    now = bank.run("wealth.check_assessment", id_number=WANG)
    assert now["reasons"] == [] and now["current"]["level"] == "C5"


def test_the_shelf_shows_only_products_up_to_the_level(bank):
    current = bank.run("wealth.check_assessment", id_number=ZHANG)["current"]
    shelf = bank.run("wealth.list_shelf", assessment=current)
    assert [p["code"] for p in shelf["products"]] == ["WM-R1-001", "WM-R2-002", "WM-R3-003", "PWM-R3-101"]
    private = shelf["products"][-1]
    assert private["requires_qualified_investor"] and len(private["documents"]) == 4
    expired = bank.run("wealth.check_assessment", id_number=WANG)["current"]
    with pytest.raises(BusinessRejection) as caught:
        bank.run("wealth.list_shelf", assessment=expired)
    assert caught.value.payload["code"] == "ASSESSMENT_EXPIRED"


def test_suitability_is_a_hard_block_and_private_products_check_the_qualified_investor(bank):
    current = bank.run("wealth.check_assessment", id_number=ZHANG)["current"]
    with pytest.raises(BusinessRejection) as caught:
        bank.run("wealth.check_suitability", assessment=current, product_code="WM-R4-004", amount="10000")
    assert caught.value.payload["reasons"] == ["PRODUCT_RISK_ABOVE_LEVEL"]
    with pytest.raises(BusinessRejection) as caught:
        bank.run("wealth.check_suitability", assessment=current, product_code="PWM-R3-101", amount="300000")
    assert caught.value.payload["reasons"] == ["QUALIFIED_INVESTOR_FACTS_MISSING"]
    qi = {
        "investment_years": 3,
        "avg_annual_income_3y": "450000",
        "proof_image_1": "a",
        "qualified_declaration": True,
        "customer_signature": "s",
    }
    ok = bank.run(
        "wealth.check_suitability",
        assessment=current,
        product_code="PWM-R3-101",
        amount="300000",
        qualified_investor=qi,
    )
    assert ok["decision"] == "ALLOW" and ok["amount"] == "300000.00"


def test_a_private_order_cools_off_for_24_hours_and_cancels_with_a_full_refund(bank):
    order = bank.run(
        "wealth.place_order",
        id_number=WANG,
        product_code="PWM-R3-101",
        amount="300000",
        account_no=bank.open_account(WANG, "王芳"),
        assessment_no="RA1",
        signed_at=NOW.isoformat(),
    )
    assert order["status"] == "COOLING_OFF" and order["cooling_off_ends_at"] == "2025-06-13T10:00:00+08:00"
    cancelled = bank.run("wealth.cancel_order", order_no=order["order_no"])
    assert (cancelled["result"], cancelled["refund_amount"]) == ("OK", "300000.00")


def test_cancelling_after_the_cooling_off_period_is_refused(bank):
    order = bank.run(
        "wealth.place_order",
        id_number=WANG,
        product_code="PWM-R5-103",
        amount="1000000",
        account_no=bank.open_account(WANG, "王芳"),
        assessment_no="RA1",
        signed_at=NOW.isoformat(),
    )
    assert order["cooling_off_ends_at"] == "2025-06-14T10:00:00+08:00"  # this product gives 48 h
    bank.now = NOW + timedelta(hours=48)
    with pytest.raises(BusinessRejection) as caught:
        bank.run("wealth.cancel_order", order_no=order["order_no"])
    assert caught.value.payload["code"] == "COOLING_OFF_ENDED"


def test_a_public_order_is_accepted_and_the_balance_is_checked(bank):
    account = bank.open_account(ZHANG, "张伟")
    order = bank.run(
        "wealth.place_order",
        id_number=ZHANG,
        product_code="WM-R2-002",
        amount="150000",
        account_no=account,
        assessment_no="RA1",
        signed_at=NOW.isoformat(),
    )
    assert (order["status"], order["cooling_off_ends_at"]) == ("ACCEPTED", None)
    with pytest.raises(BusinessRejection) as caught:
        bank.run(
            "wealth.place_order",
            id_number=ZHANG,
            product_code="WM-R2-002",
            amount="60000",
            account_no=account,
            assessment_no="RA1",
            signed_at=NOW.isoformat(),
        )
    assert caught.value.payload["code"] == "INSUFFICIENT_FUNDS"  # 200 000 minus the 150 000 frozen


def test_wm_sales_unavailable_is_a_technical_failure_never_an_offline_order():
    bank = Bank(wm_sales_unavailable=True)
    with pytest.raises(ExternalServiceError) as caught:
        bank.run("wealth.check_assessment", id_number=ZHANG)
    assert (caught.value.system, caught.value.reason) == ("wm_sales", "UNAVAILABLE")


def test_without_a_wealth_sales_system_the_operations_fail_technically(bank):
    bank.adapters = Adapters(
        *[getattr(bank.adapters, f) for f in ("identity", "face", "watchlist", "telco", "sms", "core")]
    )
    with pytest.raises(ExternalServiceError):
        bank.run("wealth.check_assessment", id_number=ZHANG)


# --- the form shows the versioned questionnaire exactly -----------------------------------------------


def test_the_questionnaire_form_shows_exactly_the_versioned_text_and_options():
    form = FormCatalogue().get("wealth-questionnaire-schema.json", "wealth-questionnaire-uischema.json")
    props = form.schema["properties"]
    assert props["questionnaire_version"]["const"] == WRQ_2025_1.version
    for q in WRQ_2025_1.questions:
        assert props[q.id]["title"] == f"{q.number}. {q.text}"
        assert props[q.id]["oneOf"] == [{"const": o.code, "title": o.text} for o in q.options]
    assert props["age_band"]["readOnly"] and form.ui_schema["age_band"]["ui:readonly"]
    assert form.ui_schema["ui:options"] == {"handover": True, "one_at_a_time": True}
    assert form.schema["x-answer-times"] == {"field": "answer_ms"}
    assert list(props["answer_ms"]["properties"]) == list(WRQ_2025_1.answered_ids)
    assert WRQ_2025_1.score_range == (16, 100)


def test_the_form_validates_answer_times_per_question():
    form = FormCatalogue().get("wealth-questionnaire-schema.json")
    data = {"questionnaire_version": "WRQ-2025-1", "age_band": "31_50", **TOP, "answer_ms": TIMES}
    assert form.validate(data) == []
    errors = form.validate({**data, "answer_ms": {**TIMES, "horizon": -1}})
    assert [e.field for e in errors] == ["answer_ms.horizon"]
    missing = {e.field for e in form.validate({**data, "answer_ms": {}})}
    assert missing == {f"answer_ms.{q}" for q in TOP}
