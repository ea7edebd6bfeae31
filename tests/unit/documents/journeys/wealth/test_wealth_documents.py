"""J3's documents from a finished journey: the questionnaire record shows every question with every option
as the version showed them, and the confirmation is unsigned until the customer signed it."""

from __future__ import annotations

import dataclasses

from documents.formatting import DASH
from documents.journeys.wealth import EVIDENCE
from documents.journeys.wealth.documents import BUILDERS, documents_for
from documents.rendering import DocumentRenderer
from engine.journeys.wealth.questionnaire import WRQ_2025_1


def test_a_scored_journey_holds_the_record_and_the_confirmation_and_none_without_a_questionnaire() -> None:
    facts = EVIDENCE.sample_facts()
    assert documents_for(facts) == ["questionnaire_record", "assessment_confirmation"]
    reused = dataclasses.replace(facts, data={**facts.data, "assessment": None})
    assert documents_for(reused) == []


def test_the_record_shows_each_question_its_options_the_answer_time_and_points() -> None:
    context = BUILDERS["questionnaire_record"](EVIDENCE.sample_facts())
    rows = context["questions"]
    assert [row["number"] for row in rows] == [str(q.number) for q in WRQ_2025_1.questions]
    income = WRQ_2025_1.question("income_band")
    row = rows[1]
    assert row["text"] == income.text
    assert [text for text, _ in row["options"]] == [o.text for o in income.options]
    assert [chosen for _, chosen in row["options"]].count(True) == 1
    assert row["answer"] == "20万（含）–50万元" and row["seconds"] == "14.0 秒"
    assert row["text_hash"] == income.text_hash
    assert rows[0]["seconds"] == "身份证件带出"  # Q1 is derived from the ID, never answered
    result = context["result"]
    assert (result["level"], result["allowed"], result["caps"]) == ("C3 平衡型", "R1 低、R2 中低、R3 中", [])
    assert result["total_seconds"] == "126.0 秒"


def test_the_confirmation_is_marked_unfinished_until_the_customer_signed() -> None:
    facts = EVIDENCE.sample_facts()
    assert BUILDERS["assessment_confirmation"](facts)["incomplete"] is None
    unsigned = dataclasses.replace(
        facts, outcome="REFUSED", outcome_reason="PRODUCT_RISK_ABOVE_LEVEL",
        data={**facts.data, "assessment_signature": None},
    )  # fmt: skip
    context = BUILDERS["assessment_confirmation"](unsigned)
    assert context["incomplete"].startswith("未完成")
    assert context["result"]["assessment_no"] != DASH


def test_both_documents_render_to_pdf_with_the_customer_words() -> None:
    renderer = DocumentRenderer({EVIDENCE.process_id: EVIDENCE})
    pdfs = renderer.render_evidence_documents(EVIDENCE.sample_facts())
    assert sorted(pdfs) == ["assessment_confirmation.pdf", "questionnaire_record.pdf"] or sorted(pdfs) == [
        "assessment_confirmation",
        "questionnaire_record",
    ]
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs.values())
