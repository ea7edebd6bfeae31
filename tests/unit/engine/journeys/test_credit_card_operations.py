"""J2's operations: the main-card eligibility rule, the service area, the authorization stamp, and the
submissions to the sandbox card centre (mapping, flags, idempotency, 补件)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from api.bootstrap import operation_registry as build_operation_registry
from engine.adapters.ports import SHANGHAI, CardApplication
from engine.adapters.sandbox.factory import SandboxAdapters, SandboxKnobs, build_sandbox_adapters
from engine.adapters.sandbox.store import InMemorySandboxStore
from engine.errors import ExternalServiceError
from engine.journeys.credit_card import operations as cc
from engine.operations.registry import Adapters, BusinessRejection, OperationContext
from forms.formats import id_check_char

TODAY = datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI)
WANG_FANG = "420102198506150026"  # §13.2 clean pass, credit card approve


def resident_id(born: date, area: str = "420106", sequence: str = "123") -> str:
    first17 = f"{area}{born:%Y%m%d}{sequence}"
    return first17 + id_check_char(first17)


class Clock:
    def __init__(self, now: datetime = TODAY) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> InMemorySandboxStore:
    return InMemorySandboxStore()


@pytest.fixture
def sandbox(store: InMemorySandboxStore, clock: Clock) -> SandboxAdapters:
    return build_sandbox_adapters(
        store, SandboxKnobs(latency_profile="zero"), clock=clock, sleep=lambda _s: None
    )


def context(
    sandbox: SandboxAdapters, clock: Clock, *, centre: bool = True, task: str = "submit"
) -> OperationContext:
    adapters = Adapters(
        sandbox.identity,
        sandbox.face,
        sandbox.watchlist,
        sandbox.telco,
        sandbox.sms,
        sandbox.core,
        card_centre=sandbox.card_centre if centre else None,
    )
    return OperationContext(adapters, None, f"inst-1:{task}", "inst-1", "WH0101", "fo001", clock)  # type: ignore[arg-type]


@pytest.fixture
def ctx(sandbox: SandboxAdapters, clock: Clock) -> OperationContext:
    return context(sandbox, clock)


def test_the_operations_are_registered_inline_rules_and_card_centre_services() -> None:
    ops = build_operation_registry()
    assert {
        "credit_card.service_area",
        "credit_card.record_authorization",
        "credit_card.documents_request",
        "credit_card.assess_supplementary_id",
    } <= set(ops.inline_names())
    for name in ("credit_card.eligibility", "credit_card.submit", "credit_card.submit_documents"):
        assert (ops.get(name).inline, ops.get(name).system) == (False, "credit_card_sys")


# --- eligibility -------------------------------------------------------------------------------------------


def eligibility(ctx: OperationContext, id_number: str, **params: Any) -> dict[str, Any]:
    return cc.eligibility(ctx, {"id_number": id_number, "product_code": "CC-STANDARD", **params})


@pytest.mark.parametrize(
    ("born", "max_age", "expected"),
    [
        (date(2007, 6, 13), None, ("INELIGIBLE", "UNDER_AGE", 17)),  # the day before the 18th birthday
        (date(2007, 6, 12), None, ("ELIGIBLE", None, 18)),  # the 18th birthday
        (date(1964, 6, 13), None, ("ELIGIBLE", None, 60)),  # the last day of being 60
        (date(1964, 6, 12), None, ("INELIGIBLE", "OVER_AGE", 61)),  # the 61st birthday
        (date(1964, 6, 12), 65, ("ELIGIBLE", None, 61)),
        (date(1959, 6, 13), 65, ("ELIGIBLE", None, 65)),
        (date(1959, 6, 12), 65, ("INELIGIBLE", "OVER_AGE", 66)),
    ],
)
def test_main_card_age_is_18_to_60_or_a_configured_bound_up_to_65(ctx, born, max_age, expected) -> None:
    found = eligibility(ctx, resident_id(born), max_age=max_age)
    assert (found["result"], found["reason"], found["age"]) == expected
    assert found["outcome"] == ("REFUSED" if expected[1] else None)
    assert found["max_age"] == (max_age or 60)


def test_the_birthday_counts_in_shanghai_not_in_utc(sandbox, clock) -> None:
    clock.now = datetime.fromisoformat("2025-06-11T16:30:00+00:00")  # 00:30 on the 12th in Shanghai
    found = eligibility(context(sandbox, clock), resident_id(date(2007, 6, 12)))
    assert (found["result"], found["age"]) == ("ELIGIBLE", 18)


@pytest.mark.parametrize("max_age", [66, 17, True, "65"])
def test_an_upper_bound_beyond_65_or_not_whole_years_is_a_configuration_error(ctx, max_age) -> None:
    with pytest.raises(ValueError, match="max_age"):
        eligibility(ctx, WANG_FANG, max_age=max_age)


BEIJING_ID = resident_id(date(1990, 1, 1), area="110105")
HUBEI = {"province_code": "420000", "city_code": "420100", "district_code": "420106", "detail": "中北路1号"}
BEIJING = {**HUBEI, "province_code": "110000"}


@pytest.mark.parametrize(
    ("addresses", "in_area"),
    [
        ({}, False),
        ({"residential_address": BEIJING, "employer_address": BEIJING}, False),
        ({"residential_address": HUBEI, "employer_address": None}, True),
        ({"residential_address": BEIJING, "employer_address": HUBEI}, True),
    ],
)
def test_the_applicant_lives_or_works_in_the_service_area(ctx, addresses, in_area) -> None:
    assert cc.service_area(ctx, addresses) == (
        {"result": "IN_AREA", "reason": None}
        if in_area
        else {"result": "OUTSIDE", "reason": "OUTSIDE_SERVICE_AREA"}
    )


def test_a_non_local_id_is_no_reason_to_refuse_before_the_application(ctx) -> None:
    found = eligibility(ctx, BEIJING_ID)
    assert (found["result"], found["reason"]) == ("ELIGIBLE", None)


@pytest.mark.parametrize("id_number", ["810000199001019419", "931156198501019424"])
def test_permits_are_referred_to_the_branch(ctx, id_number) -> None:
    found = eligibility(ctx, id_number)
    assert (found["result"], found["reason"], found["outcome"]) == (
        "INELIGIBLE",
        "DOCUMENT_TYPE_NOT_SUPPORTED",
        "REFERRED_TO_BRANCH",
    )


def test_an_id_number_with_a_wrong_check_character_is_refused(ctx) -> None:
    assert eligibility(ctx, "420106199003071230")["reason"] == "ID_NUMBER_INVALID"


@pytest.mark.parametrize("declared", [{"full_time_student": True}, {"employment_type": "STUDENT"}])
def test_a_student_stays_eligible_but_must_bring_a_second_repayment_source(ctx, declared) -> None:
    found = eligibility(ctx, resident_id(date(2005, 3, 1)), **declared)
    assert (found["result"], found["student"]) == ("ELIGIBLE", True)
    assert found["flags"] == ["STUDENT_SECOND_REPAYMENT_SOURCE"]
    assert found["documents_required"] == ["second_repayment_source"]


def test_a_non_student_needs_no_extra_documents(ctx) -> None:
    found = eligibility(ctx, WANG_FANG, full_time_student=False)
    assert (found["student"], found["flags"], found["documents_required"]) == (False, [], [])


def test_the_same_product_held_already_is_refused_another_is_flagged(ctx) -> None:
    same = eligibility(ctx, WANG_FANG, held_card_products=["CC-STANDARD"])
    assert (same["result"], same["reason"]) == ("INELIGIBLE", "PRODUCT_ALREADY_HELD")
    other = eligibility(ctx, WANG_FANG, held_card_products=["CC-GOLD"])
    assert (other["result"], other["flags"]) == ("ELIGIBLE", ["EXISTING_CARDHOLDER"])


def test_eligibility_asks_the_card_centre_what_the_person_holds_or_has_applied_for(store, clock) -> None:
    knobs = SandboxKnobs(latency_profile="zero", card_decision_delay_s=60)
    sandbox = build_sandbox_adapters(store, knobs, clock=clock, sleep=lambda _s: None)
    ctx = context(sandbox, clock)

    def apply(request_id: str, product: str, income: int) -> None:
        sandbox.card_centre.submit(
            CardApplication(
                request_id=request_id,
                id_number=WANG_FANG,
                name="王芳",
                product_code=product,
                annual_income=income,
                income_proofs=("income_proof",),
                credit_auth_signed_at=clock() - timedelta(minutes=1),
            )
        )

    apply("earlier:submit", "CC-STANDARD", 120_000)  # nothing declared on the tablet
    deciding = eligibility(ctx, WANG_FANG)
    assert (deciding["result"], deciding["reason"]) == ("INELIGIBLE", "APPLICATION_IN_PROGRESS")
    clock.now += timedelta(seconds=60)  # approved
    held = eligibility(ctx, WANG_FANG)
    assert (held["result"], held["reason"], held["held_products"]) == (
        "INELIGIBLE",
        "PRODUCT_ALREADY_HELD",
        ["CC-STANDARD"],
    )
    apply("gold:submit", "CC-GOLD", 400_000)  # waits for 补件
    gold = cc.eligibility(ctx, {"id_number": WANG_FANG, "product_code": "CC-GOLD"})
    assert (gold["reason"], gold["in_progress_products"]) == ("APPLICATION_IN_PROGRESS", ["CC-GOLD"])
    platinum = cc.eligibility(ctx, {"id_number": WANG_FANG, "product_code": "CC-PLATINUM"})
    assert (platinum["result"], platinum["flags"]) == ("ELIGIBLE", ["EXISTING_CARDHOLDER"])


def test_eligibility_without_a_card_centre_fails_rather_than_guess(sandbox, clock) -> None:
    with pytest.raises(ExternalServiceError):
        eligibility(context(sandbox, clock, centre=False), WANG_FANG)


# --- authorization stamp -----------------------------------------------------------------------------------


def test_the_authorization_is_stamped_on_the_engines_clock_with_its_purpose_and_text_version(ctx) -> None:
    found = cc.record_authorization(
        ctx, {"credit_report_purpose": "CREDIT_CARD_APPROVAL", "credit_auth_signature": "att_" + "1" * 32}
    )
    assert found["result"] == "SIGNED"
    assert found["signed_at"] == "2025-06-12T10:00:00+08:00"
    assert (found["purpose_code"], found["text_version"]) == ("CREDIT_CARD_APPROVAL", "CRA-2025-01")


@pytest.mark.parametrize(
    "params",
    [
        {"credit_report_purpose": "LOAN_APPROVAL", "credit_auth_signature": "att_" + "1" * 32},
        {"credit_report_purpose": "CREDIT_CARD_APPROVAL", "credit_auth_signature": None},
    ],
)
def test_no_stamp_without_the_credit_card_purpose_and_a_signature(ctx, params) -> None:
    found = cc.record_authorization(ctx, params)
    assert (found["result"], found["signed_at"]) == ("NOT_SIGNED", None)


# --- submission --------------------------------------------------------------------------------------------


def application(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id_number": WANG_FANG,
        "name": "王芳",
        "product_code": "CC-STANDARD",
        "annual_income": 120000,
        "credit_auth_signed_at": (TODAY - timedelta(minutes=5)).isoformat(),
        "doc_work_certificate_seen": True,
        "doc_income_proof_seen": True,
        "doc_bank_statement_seen": False,
        "eligibility": {"result": "ELIGIBLE", "student": False, "flags": []},
        "watchlist": {"result": "CLEAR"},
        "mobile": {"result": "MATCH", "screen_result": "CLEAR", "flags": []},
        "face": {"result": "PASS"},
        "identity": {"result": "MATCH_WITH_PHOTO"},
    }
    return {**base, **over}


def decision(sandbox: SandboxAdapters, clock: Clock) -> dict[str, Any]:
    [(_key, found)] = sandbox.card_centre.due_decisions(clock() + timedelta(days=1))
    return {"decision": found.decision, "limit": found.credit_limit, "due": found.documents_due}


def test_the_application_is_mapped_from_the_journey_and_numbered_once(ctx, sandbox, store, clock) -> None:
    received = cc.submit(ctx, application())
    assert (received["result"], received["status"]) == ("RECEIVED", "RECEIVED")
    assert received["application_no"].startswith("CC20250612")
    assert received["income_proofs"] == ["income_proof"]  # the work certificate proves no income
    stored = store.get("cc.app", received["application_no"])
    assert stored is not None
    assert (stored["id_number"], stored["name"], stored["product_code"], stored["annual_income"]) == (
        WANG_FANG,
        "王芳",
        "CC-STANDARD",
        120000,
    )
    assert stored["credit_auth_signed_at"] == "2025-06-12T09:55:00+08:00"
    assert cc.submit(ctx, application())["application_no"] == received["application_no"]
    assert decision(sandbox, clock) == {"decision": "APPROVED", "limit": 24000, "due": ()}


def test_review_outcomes_of_the_checks_travel_as_flags_and_the_centre_refers(ctx, sandbox, clock) -> None:
    found = cc.submit(
        ctx,
        application(
            watchlist={"result": "REVIEW_ENHANCED"},
            mobile={"screen_result": "REVIEW_MOBILE", "flags": ["MOBILE_SHARED"]},
            face={"result": "GRAY"},
            identity={"result": "MATCH_NO_PHOTO"},
            eligibility={"result": "ELIGIBLE", "flags": ["EXISTING_CARDHOLDER"]},
        ),
    )
    assert found["flags"] == [
        "REVIEW_ENHANCED",
        "REVIEW_MOBILE",
        "MOBILE_SHARED",
        "FACE_GRAY",
        "IDENTITY_NO_PHOTO",
        "EXISTING_CARDHOLDER",
    ]
    assert decision(sandbox, clock)["decision"] == "REFERRED"


def test_clean_checks_add_no_flags(ctx) -> None:
    assert cc.submit(ctx, application())["flags"] == []


@pytest.mark.parametrize("signed_at", [None, "", "yesterday"])
def test_no_submission_without_the_signed_authorization(ctx, signed_at) -> None:
    with pytest.raises(BusinessRejection) as caught:
        cc.submit(ctx, application(credit_auth_signed_at=signed_at))
    assert caught.value.code == "CC_AUTH_MISSING"


def test_an_authorization_time_without_offset_is_shanghai_time(ctx, store) -> None:
    found = cc.submit(ctx, application(credit_auth_signed_at="2025-06-12T09:30:00"))
    assert (
        store.get("cc.app", found["application_no"])["credit_auth_signed_at"] == "2025-06-12T09:30:00+08:00"
    )


def test_a_student_without_the_second_repayment_source_goes_back_to_the_sightings(ctx) -> None:
    student = {"result": "ELIGIBLE", "student": True, "flags": ["STUDENT_SECOND_REPAYMENT_SOURCE"]}
    with pytest.raises(BusinessRejection) as caught:
        cc.submit(ctx, application(eligibility=student))
    assert caught.value.code == "CC_APPLICATION_INCOMPLETE"
    [problem] = caught.value.payload["problems"]
    assert (problem["field"], problem["code"]) == ("doc_second_repayment_source_seen", "required")
    found = cc.submit(ctx, application(eligibility=student, doc_second_repayment_source_seen=True))
    assert found["flags"] == ["STUDENT_SECOND_REPAYMENT_SOURCE"]
    assert found["income_proofs"] == ["income_proof"]


def test_an_ineligible_applicant_is_never_submitted(ctx) -> None:
    with pytest.raises(BusinessRejection) as caught:
        cc.submit(ctx, application(eligibility={"result": "INELIGIBLE", "reason": "OVER_AGE"}))
    assert (caught.value.code, caught.value.payload["code"]) == ("CC_NOT_ELIGIBLE", "OVER_AGE")


def test_without_a_card_centre_adapter_the_submission_fails_technically(sandbox, clock) -> None:
    with pytest.raises(ExternalServiceError) as caught:
        cc.submit(context(sandbox, clock, centre=False), application())
    assert (caught.value.system, caught.value.reason) == ("credit_card_sys", "NOT_CONFIGURED")
    with pytest.raises(ExternalServiceError):
        cc.submit_documents(
            context(sandbox, clock, centre=False),
            {"application_no": "CC1", "documents_due": [], "supplement_bank_statement_seen": True},
        )


# --- 补件 --------------------------------------------------------------------------------------------------


def pending_docs(ctx: OperationContext, sandbox: SandboxAdapters, clock: Clock) -> str:
    number = cc.submit(ctx, application(annual_income=360000))["application_no"]
    assert decision(sandbox, clock) == {"decision": "PENDING_DOCS", "limit": None, "due": ("bank_statement",)}
    sandbox.card_centre.mark_delivered(f"{number}:0")
    return number


def test_the_asked_documents_are_sent_and_the_centre_decides_again(ctx, sandbox, clock) -> None:
    number = pending_docs(ctx, sandbox, clock)
    found = cc.submit_documents(
        context(sandbox, clock, task="docs"),
        {
            "application_no": number,
            "documents_due": ["bank_statement"],
            "supplement_bank_statement_seen": True,
        },
    )
    assert (found["result"], found["application_no"], found["documents"]) == (
        "RECEIVED",
        number,
        ["bank_statement"],
    )
    assert decision(sandbox, clock) == {"decision": "APPROVED", "limit": 50000, "due": ()}


def test_an_asked_document_left_out_goes_back_to_the_task_with_its_field(ctx, sandbox, clock) -> None:
    number = pending_docs(ctx, sandbox, clock)
    params = {
        "application_no": number,
        "documents_due": ["bank_statement", "tax_record"],
        "supplement_income_proof_seen": True,
    }
    with pytest.raises(BusinessRejection) as caught:
        cc.submit_documents(context(sandbox, clock, task="docs"), params)
    assert caught.value.code == "CC_DOCUMENTS_INCOMPLETE"
    assert caught.value.payload["missing"] == ["bank_statement", "tax_record"]
    assert [p["field"] for p in caught.value.payload["problems"]] == ["supplement_bank_statement_seen", ""]


def test_nothing_ticked_is_nothing_to_send(ctx) -> None:
    with pytest.raises(BusinessRejection) as caught:
        cc.submit_documents(ctx, {"application_no": "CC1", "documents_due": []})
    assert caught.value.code == "CC_DOCUMENTS_INCOMPLETE"


def test_documents_after_the_deadline_are_refused(ctx, clock) -> None:
    params = {
        "application_no": "CC1",
        "documents_due": ["bank_statement"],
        "supplement_bank_statement_seen": True,
        "deadline": (clock.now - timedelta(seconds=1)).isoformat(),
    }
    with pytest.raises(BusinessRejection) as caught:
        cc.submit_documents(ctx, params)
    assert caught.value.code == "CC_DOCUMENTS_LATE"


def test_the_officer_is_told_the_documents_by_name_and_the_deadline_in_beijing_time(sandbox, clock) -> None:
    clock.now = datetime.fromisoformat("2025-06-12T17:30:00+00:00")  # 01:30 on the 13th in Beijing
    found = cc.documents_request(context(sandbox, clock), {"documents_due": ["bank_statement", "tax_record"]})
    assert found == {
        "documents_due": ["bank_statement", "tax_record"],
        "documents": "银行流水、tax_record",  # a code the catalogue does not name is shown as it came
        "deadline": "2025-06-20T01:30:00+08:00",
        "deadline_shown": "2025-06-20 01:30（北京时间）",
    }


# --- the supplementary card's holder (§7.2, §7.3) ----------------------------------------------------------


def supp_id(ctx: OperationContext, id_number: str, valid_to: str = "2040-01-01") -> dict[str, Any]:
    return cc.assess_supplementary_id(
        ctx, {"supp_id_number": id_number, "supp_id_valid_to": valid_to, "applicant_id_number": WANG_FANG}
    )


@pytest.mark.parametrize(
    ("id_number", "valid_to", "expected"),
    [
        (resident_id(date(2009, 6, 12)), "2040-01-01", ("OK", None, 16)),  # the 16th birthday [Practice]
        (resident_id(date(2009, 6, 13)), "2040-01-01", ("REFUSE", "SUPPLEMENTARY_UNDER_AGE", None)),
        (resident_id(date(1940, 1, 1)), "长期", ("OK", None, 85)),  # no upper bound for the holder
        (resident_id(date(1990, 1, 1)), "2025-06-11", ("REFUSE", "ID_CARD_EXPIRED", None)),
        ("810000199001019419", "2040-01-01", ("REFER", "DOCUMENT_TYPE_NOT_SUPPORTED", None)),
        ("420106199003071230", "2040-01-01", ("REFUSE", "ID_NUMBER_INVALID", None)),  # wrong check char
        (WANG_FANG, "2040-01-01", ("REFUSE", "SUPPLEMENTARY_IS_APPLICANT", None)),
    ],
)
def test_a_supplementary_holder_needs_a_valid_card_and_16_years(ctx, id_number, valid_to, expected) -> None:
    found = supp_id(ctx, id_number, valid_to)
    assert (found["decision"], found["reason"], found["age"]) == expected


def test_the_supplementary_holder_travels_with_their_own_signature(ctx, store) -> None:
    holder = {
        "id_number": "42010320070220004X",
        "name": "赵雨桐",
        "relation": "CHILD",
        "identity_result": "MATCH_WITH_PHOTO",
        "watchlist_result": "CLEAR",
    }
    sent = cc.submit(ctx, application(supplementary_holder=holder, supp_signature="att_" + "7" * 32))
    assert sent["supplementary_holder"] == {**holder, "signature_ref": "att_" + "7" * 32}
    stored = store.get("cc.app", sent["application_no"])
    assert stored is not None and stored["supplementary_holder"]["id_number"] == "42010320070220004X"
    assert (stored["id_number"], stored["name"]) == (WANG_FANG, "王芳")  # the applicant stays the applicant
    with pytest.raises(ValueError):  # §7.2: never submitted unsigned
        cc.submit(ctx, application(supplementary_holder=holder, supp_signature=None))


def test_a_refused_supplementary_card_is_a_neutral_flag_and_no_holder(ctx) -> None:
    refusal = {"code": "WATCHLIST_BLOCK", "reason": "GENERAL_POLICY"}
    sent = cc.submit(ctx, application(supplementary_holder=None, supplementary_refusal=refusal))
    assert sent["supplementary_holder"] is None and sent["flags"] == [cc.SUPPLEMENTARY_REFUSED_FLAG]
