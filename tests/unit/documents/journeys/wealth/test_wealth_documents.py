"""J3's documents from a finished journey: the questionnaire record shows every question with every option
as the version showed them, and the confirmation is unsigned until the customer signed it."""

from __future__ import annotations

import dataclasses

from documents.formatting import DASH
from documents.journeys.wealth import EVIDENCE
from documents.journeys.wealth.documents import BUILDERS, documents_for
from documents.journeys.wealth.samples import cancelled_order_facts
from documents.rendering import DocumentRenderer
from engine.journeys.wealth.questionnaire import WRQ_2025_1


def test_a_scored_journey_holds_the_record_and_the_confirmation_and_none_without_a_questionnaire() -> None:
    facts = EVIDENCE.sample_facts()
    assert documents_for(facts) == ["questionnaire_record", "assessment_confirmation", "product_agreement"]
    reused = dataclasses.replace(facts, data={**facts.data, "assessment": None, "agreement_signature": None})
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
    assert sorted(pdfs) == [
        "assessment_confirmation.pdf",
        "product_agreement.pdf",
        "questionnaire_record.pdf",
    ]
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs.values())


def test_the_agreement_pins_the_product_documents_by_hash_with_the_hand_copy_and_the_recording() -> None:
    facts = EVIDENCE.sample_facts()
    assert "product_agreement" in documents_for(facts) and "voucher" not in documents_for(facts)
    context = BUILDERS["product_agreement"](facts)
    product = context["product"]
    assert (product["code"], product["risk_level"], product["offering"]) == ("WM-R3-003", "R3 中", "公募")
    assert [d["title"] for d in product["documents"]] == [
        "《平衡增利一年产品说明书》",
        "《平衡增利一年风险揭示书》",
        "《平衡增利一年销售协议书》",
        "《平衡增利一年投资者权益须知》",
    ]
    assert all(len(d["sm3"]) == 64 for d in product["documents"])
    recording = next(i for i in facts.images if i.role == "dual_recording")
    assert context["recording"] == {"sm3": recording.sm3, "length": "3 分 5 秒"}
    assert context["hand_copy_sentence"] == "本人已经阅读风险揭示，愿意承担投资风险"
    assert context["hand_copy"]["image"].startswith("data:image/png;base64,")
    assert context["order"] is None and context["incomplete"] is None  # signed; no order on the tablet


def test_an_order_adds_the_voucher_with_the_cooling_off_and_the_refund() -> None:
    facts = cancelled_order_facts()
    assert documents_for(facts)[-2:] == ["product_agreement", "voucher"]
    order = BUILDERS["product_agreement"](facts)["order"]
    assert order["order_no"] == "WO2025061200000042" and order["account_no"] != "6230580000012345678"
    assert order["cooling_off_start"] != DASH and order["cooling_off_end"] != DASH
    assert order["refund"] == order["amount"] and order["status"] == "已撤销"
    product = BUILDERS["product_agreement"](facts)["product"]
    assert product["offering"] == "私募" and product["documents"][0]["title"] == "《私享固收一号产品说明书》"
    voucher = BUILDERS["voucher"](facts)
    assert (voucher["txn_code"], voucher["core_serial_no"], voucher["cif_no"]) == (
        "LC01",
        "WO2025061200000042",
        "CIF0000123456",
    )
    assert "420106199003071238" not in str(voucher) and "6230580000012345678" not in str(voucher)
    rows = dict(voucher["extra_rows"])
    assert rows["认购订单号"] == "WO2025061200000042" and "退款" in rows["撤销退款"]
    assert [c["name"] for c in voucher["checks"]][:2] == ["联网核查", "人脸比对"]


def test_every_document_of_an_ordered_journey_renders_to_pdf() -> None:
    renderer = DocumentRenderer({EVIDENCE.process_id: EVIDENCE})
    pdfs = renderer.render_evidence_documents(cancelled_order_facts())
    assert sorted(pdfs) == [
        "assessment_confirmation.pdf",
        "product_agreement.pdf",
        "questionnaire_record.pdf",
        "voucher.pdf",
    ]
    assert all(pdf.startswith(b"%PDF") for pdf in pdfs.values())


def test_a_customer_of_65_or_more_reads_the_risk_disclosure_in_large_print() -> None:
    facts = EVIDENCE.sample_facts()
    assert BUILDERS["product_agreement"](facts)["large_print"] is False
    elderly = dataclasses.replace(facts, data={**facts.data, "elderly_customer": True})
    assert BUILDERS["product_agreement"](elderly)["large_print"] is True
    html = DocumentRenderer({EVIDENCE.process_id: EVIDENCE}).html.render_html(
        "product_agreement.html.j2", BUILDERS["product_agreement"](elderly), EVIDENCE.process_id
    )
    assert 'style="font-size: 1.4em' in html and "可能损失部分或全部本金" in html
