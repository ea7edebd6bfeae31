"""J2's package contents per outcome and its context builders, without rendering PDFs."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from documents.evidence.facts import EvidenceFacts
from documents.journeys.credit_card import EVIDENCE
from documents.journeys.credit_card.documents import BUILDERS, documents_for
from documents.journeys.credit_card.samples import approved_facts
from documents.journeys.credit_card.terms import instalment_annual_rate, key_terms
from documents.rendering import DocumentRenderer

ALL = [
    "credit_report_authorization",
    "credit_card_application",
    "card_agreement",
    "witness_declaration",
    "decision_record",
]


def ended(outcome: str, reason: str | None, *cleared: str, **data: Any) -> EvidenceFacts:
    facts = approved_facts()
    kept = {k: v for k, v in facts.data.items() if k not in cleared}
    return dataclasses.replace(facts, outcome=outcome, outcome_reason=reason, data={**kept, **data})


SUBMISSION = ("cc_submission", "card_decision", "application_no", "credit_limit")
WITNESS = ("witness_signature",)
SIGNING = ("customer_signature", "hand_copy_image")


def test_an_approved_journey_holds_all_five_in_signing_order() -> None:
    assert documents_for(approved_facts()) == ALL
    assert EVIDENCE.documents(approved_facts()) == ALL


def test_a_journey_that_never_read_the_id_card_has_no_documents() -> None:
    assert documents_for(dataclasses.replace(approved_facts(), data={}, trail=[], images=[])) == []


def test_a_refusal_at_eligibility_leaves_only_the_unfinished_application() -> None:
    # the over-age refusal: chip data, no authorization yet
    facts = ended("REFUSED", "OVER_AGE", "credit_auth", *SIGNING, *WITNESS, *SUBMISSION)
    assert documents_for(facts) == ["credit_card_application"]
    assert (
        BUILDERS["credit_card_application"](facts)["incomplete"] == "未完成 · 办理结果：不予受理（OVER_AGE）"
    )


def test_a_withdrawal_before_signing_keeps_the_signed_authorization() -> None:
    facts = ended("ABANDONED", "CUSTOMER_DECLINED", *SIGNING, *WITNESS, *SUBMISSION)
    assert documents_for(facts) == ["credit_report_authorization", "credit_card_application"]
    for name in documents_for(facts):
        assert BUILDERS[name](facts)["incomplete"] == "未完成 · 办理结果：已中止（CUSTOMER_DECLINED）"


def test_a_journey_signed_but_not_witnessed_holds_the_agreement_but_no_declaration() -> None:
    facts = ended("ABANDONED", "CUSTOMER_DECLINED", *WITNESS, *SUBMISSION)
    assert documents_for(facts) == [
        "credit_report_authorization",
        "credit_card_application",
        "card_agreement",
    ]


@pytest.mark.parametrize("outcome", ["DECLINED", "REFERRED"])
def test_a_decided_application_is_complete_whatever_the_decision(outcome: str) -> None:
    facts = ended(outcome, "THIN_FILE")
    assert documents_for(facts) == ALL
    assert {BUILDERS[name](facts)["incomplete"] for name in ALL} == {None}


def test_an_unsigned_authorization_is_not_put_on_paper_as_signed() -> None:
    facts = ended("ABANDONED", None, *SIGNING, *WITNESS, *SUBMISSION, credit_auth={"result": "NOT_SIGNED"})
    assert documents_for(facts) == ["credit_card_application"]


def test_the_instalment_fee_is_about_13_03_percent_a_year() -> None:
    rate = instalment_annual_rate(12, Decimal("0.006"))
    assert rate.quantize(Decimal("0.0001")) == Decimal("0.1303")
    assert instalment_annual_rate(12, Decimal(0)) < Decimal("0.000001")


def test_an_unknown_product_prints_no_annual_fee_figure() -> None:
    fees = dict(key_terms("CC-NEW"))["费用"]
    assert fees.startswith("年费以本行公示的产品收费标准为准") and "300" not in fees
    assert "300元/年" in dict(key_terms("CC-GOLD"))["费用"]


def test_the_contexts_are_display_text_only() -> None:
    def strings(value: Any) -> bool:
        if isinstance(value, dict):
            return all(strings(v) for v in value.values())
        if isinstance(value, list | tuple):
            return all(strings(v) for v in value)
        return value is None or isinstance(value, str | bool)

    for name in ALL:
        assert strings(BUILDERS[name](approved_facts())), name


@pytest.mark.parametrize("name", ALL)
def test_every_template_renders_with_strange_values(name: str) -> None:
    """A value from the data is text, never markup, and odd shapes degrade to their text or the dash."""
    facts = ended(
        "APPROVED",
        None,
        customer_name="<b>王芳</b>",
        annual_income="abc",
        family_contact="not a mapping",
        income_proof_types="income_proof",
        residential_address=None,
        credit_auth={"result": "SIGNED", "signed_at": "yesterday", "purpose_code": None},
    )
    html = DocumentRenderer({EVIDENCE.process_id: EVIDENCE}).render_html(
        f"{name}.html.j2", BUILDERS[name](facts), facts.process_id
    )
    assert "<b>王芳</b>" not in html
