"""EvidenceFacts -> template context, without rendering PDFs: which documents, masking, dashes, dates."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from documents.evidence.facts import EvidenceFacts
from documents.formatting import DASH, cn_date, cn_datetime
from documents.journeys.debit_card import EVIDENCE
from documents.journeys.debit_card.documents import BUILDERS, documents_for
from documents.journeys.debit_card.samples import (
    OPENED_INSTANCE,
    REFUSED_INSTANCE,
    opened_facts,
    refused_facts,
    request_id,
)
from documents.journeys.debit_card.voucher import package_refs, voucher_context
from documents.rendering import DocumentRenderer

J1_EVIDENCE = {EVIDENCE.process_id: EVIDENCE}
PROCESS_ID = EVIDENCE.process_id


def with_data(facts: EvidenceFacts, outcome: str | None = None, **data: Any) -> EvidenceFacts:
    return dataclasses.replace(facts, outcome=outcome or facts.outcome, data={**facts.data, **data})


def bare_facts(outcome: str = "ABANDONED") -> EvidenceFacts:
    """A journey abandoned before the ID card was read: no data, no images, an empty trail."""
    return dataclasses.replace(
        opened_facts(), outcome=outcome, outcome_reason=None, data={}, trail=[], images=[]
    )


def test_an_opened_journey_gets_all_four_documents() -> None:
    assert documents_for(opened_facts()) == [
        "account_application",
        "debit_card_agreement",
        "risk_notice",
        "voucher",
    ]


def test_an_early_refusal_gets_only_the_unfinished_application() -> None:
    assert documents_for(refused_facts()) == ["account_application"]


def test_a_later_ending_adds_the_risk_notice_the_customer_confirmed() -> None:
    # e.g. REFERRED_TO_BRANCH for CARD_STOCK_PROBLEM after the risk notice step: still no voucher
    referred = with_data(
        dataclasses.replace(
            opened_facts(), outcome="REFERRED_TO_BRANCH", outcome_reason="CARD_STOCK_PROBLEM"
        ),
        core_result=None,
    )
    assert documents_for(referred) == ["account_application", "risk_notice"]
    unanswered = with_data(referred, declaration_no_rent_lend_sell=None)
    assert documents_for(unanswered) == ["account_application"]


def test_a_journey_abandoned_after_the_core_posted_still_leaves_its_voucher() -> None:
    abandoned = dataclasses.replace(opened_facts(), outcome="ABANDONED", outcome_reason="CUSTOMER_LEFT")
    assert documents_for(abandoned)[-1] == "voucher"


def test_a_journey_that_never_read_the_id_card_has_no_documents() -> None:
    assert documents_for(bare_facts()) == []


def test_the_voucher_context_masks_per_section_8_3() -> None:
    voucher = voucher_context(opened_facts())
    assert (voucher["customer_name"], voucher["id_number"], voucher["reserved_mobile"]) == (
        "张*",
        "4201**********1238",
        "139****1234",
    )
    assert (voucher["card_no"], voucher["account_no"]) == ("621999*********0019", "***************6359")
    assert (voucher["txn_code"], voucher["txn_name"], voucher["currency"], voucher["amount"]) == (
        "KH01",
        "个人开户",
        "CNY",
        "0.00",
    )
    assert voucher["channel_serial_no"] == request_id(OPENED_INSTANCE, "open")
    assert voucher["business_date"] == "2025年06月01日"
    assert (voucher["outreach_activity_id"], voucher["gps"], voucher["authorizer_id"]) == (DASH, DASH, DASH)


def test_voucher_refs_are_built_from_the_package_id() -> None:
    assert voucher_context(opened_facts())["eseal_ref"] == f"EP-{OPENED_INSTANCE}/ESEAL-bank"
    assert package_refs("EP-1") == {
        "signature_ref": "EP-1/SIG-customer",
        "eseal_ref": "EP-1/ESEAL-bank",
        "tsa_token_ref": "EP-1/TSA-token",
    }


def test_checks_fall_back_to_the_trail_and_never_name_sanctions() -> None:
    checks = {row["name"]: row for row in voucher_context(refused_facts())["checks"]}
    assert (checks["黑名单筛查"]["result"], checks["黑名单筛查"]["request_id"]) == (
        "WATCHLIST_BLOCK",
        request_id(REFUSED_INSTANCE, "watchlist"),
    )
    assert checks["人脸比对"]["result"] == DASH and checks["短信验证码"]["result"] == DASH
    leaked = with_data(refused_facts(), watchlist_result={"result": "BLOCK_SANCTIONS", "request_id": "r"})
    assert {row["result"] for row in voucher_context(leaked)["checks"]} & {"BLOCK_SANCTIONS"} == set()


def test_gps_and_activity_print_when_recorded() -> None:
    gps = {"lat": 30.5431, "lon": 114.3145, "accuracy": 15, "time": "2025-06-01T01:30:00+00:00"}
    voucher = voucher_context(with_data(opened_facts(), gps=gps, outreach_activity_id="ACT-2025-0601"))
    assert voucher["gps"] == "30.5431, 114.3145 · ±15 m · 2025年06月01日 09:30:00"
    assert voucher["outreach_activity_id"] == "ACT-2025-0601"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-01", "2025年06月01日"),
        (datetime(2025, 5, 31, 16, 30, tzinfo=UTC), "2025年06月01日"),
        (None, DASH),
        ("not a date", DASH),
    ],
)
def test_dates_print_in_the_chinese_format_in_shanghai(value: object, expected: str) -> None:
    assert cn_date(value) == expected


def test_times_print_in_shanghai() -> None:
    assert cn_datetime("2025-05-31T16:30:05+00:00") == "2025年06月01日 00:30:05"


@pytest.mark.parametrize("name", ["account_application", "debit_card_agreement", "risk_notice", "voucher"])
def test_every_template_renders_from_facts_with_almost_nothing_recorded(name: str) -> None:
    html = DocumentRenderer(J1_EVIDENCE).render_html(
        f"{name}.html.j2", BUILDERS[name](bare_facts()), PROCESS_ID
    )
    assert DASH in html and "None" not in html


def test_the_application_records_the_authorizer_decision() -> None:
    facts = with_data(
        opened_facts(), decision="APPROVE", reason_code="VERIFIED_IN_PERSON", reason_text="已核实"
    )
    facts = dataclasses.replace(facts, authorizer_id="au001")
    context = BUILDERS["account_application"](facts)
    assert context["authorization"] == {
        "decision": "同意",
        "reason_code": "VERIFIED_IN_PERSON",
        "reason_text": "已核实",
    }
    assert context["staff"]["authorizer"] == "au001"
