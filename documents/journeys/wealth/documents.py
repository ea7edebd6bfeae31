"""J3's documents: EvidenceFacts -> template context, and which documents a package holds.

The questionnaire record prints every question as the customer saw it (the text and every option of the
version they answered, with its SM3 text hash), the answer, its time, its points, then the score, the caps
the decision table applied and the level (§5.6). The result confirmation is what the customer signs. Every
value is final display text when it leaves here (the templates stay dumb).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from documents import parts
from documents.evidence.facts import EvidenceFacts
from documents.formatting import DASH, cn_datetime, event_detail, get, last_event, show
from documents.journeys.wealth import order
from documents.parts import header_context
from documents.voucher import VOUCHER
from engine.journeys.wealth import JOURNEY, PRODUCT_RISK_LEVELS, RISK_LEVELS
from engine.journeys.wealth.questionnaire import QUESTIONNAIRES, Question

Context = dict[str, Any]

QUESTIONNAIRE_RECORD = "questionnaire_record"
CONFIRMATION = "assessment_confirmation"
AGREEMENT = "product_agreement"

TEXT_VERSIONS = {
    QUESTIONNAIRE_RECORD: "FB-J3-WRQ-2025.06",
    CONFIRMATION: "FB-J3-RAC-2025.06",
    AGREEMENT: "FB-J3-PSA-2025.06",
    VOUCHER: "FB-EV-2025.06",
}
TITLES = {
    QUESTIONNAIRE_RECORD: "风险承受能力评估问卷记录",
    CONFIRMATION: "风险承受能力评估结果确认书",
    AGREEMENT: "理财产品销售协议书",
    VOUCHER: "电子凭证",
}
CAPS = {  # the decision table's cap names (processes/decisions/wealth_risk_level.dmn)
    "KNOCK_OUT_NO_PRINCIPAL_LOSS": "第9题选择“不能承受本金损失”，等级定为C1",
    "AGE_65_69_MAX_C4": "65–69周岁，等级上限C4",
    "AGE_70_PLUS_MAX_C3": "70周岁及以上，等级上限C3",
}
PROMPTS = {
    "NO_EXPERIENCE_BUT_DERIVATIVES": "无投资经历，但选择曾持有期货、期权、私募等产品",
    "ELDERLY_LONG_HORIZON": "65周岁以上，投资期限选择5年以上",
    "LOW_INCOME_AGGRESSIVE": "家庭年收入5万元以下且投资占比低于10%，评估结果为C5",
}


def documents_for(facts: EvidenceFacts) -> list[str]:
    """The questionnaire record and the confirmation once the questionnaire was scored (none when the
    customer's valid assessment was used: this journey then recorded none); the agreement once the
    customer signed it; the e-voucher once the sales system took an order (§2.10: it froze funds)."""
    names = [QUESTIONNAIRE_RECORD, CONFIRMATION] if facts.data.get("assessment") else []
    if facts.data.get("agreement_signature"):
        names.append(AGREEMENT)
    if isinstance(facts.data.get("order"), dict):
        names.append(VOUCHER)
    return names


def common_context(facts: EvidenceFacts, name: str) -> Context:
    signed = "agreement_signature" if name in (AGREEMENT, VOUCHER) else "assessment_signature"
    finished = facts.outcome == "AGREEMENT_SIGNED" or bool(facts.data.get(signed))
    reason = f"（{facts.outcome_reason}）" if facts.outcome_reason else ""
    outcome = JOURNEY.labels.get(facts.outcome, facts.outcome)
    incomplete = None if finished else f"未完成 · 办理结果：{outcome}{reason}"
    return header_context(facts, TITLES[name], TEXT_VERSIONS[name], incomplete)


def party_context(facts: EvidenceFacts) -> Context:
    """The customer in full, as in every document they sign (§10)."""
    return {
        "name": show(facts.data.get("customer_name")),
        "id_type": "居民身份证",
        "id_number": show(facts.data.get("id_number")),
    }


def result_context(facts: EvidenceFacts, field: str = "assessment") -> Context:
    """The assessment this journey scored, or (`current_assessment`) the one it went on with."""
    assessment = facts.data.get(field) or {}
    level = assessment.get("level")
    allowed = assessment.get("allowed_product_levels") or []
    return {
        "questionnaire_version": show(assessment.get("questionnaire_version")),
        "score": show(assessment.get("score")),
        "level": show(RISK_LEVELS.get(str(level))) if level else DASH,
        "allowed": "、".join(PRODUCT_RISK_LEVELS.get(str(r), str(r)) for r in allowed) or DASH,
        "caps": [CAPS.get(str(c), str(c)) for c in assessment.get("caps_applied") or []],
        "prompts": [PROMPTS.get(str(p), str(p)) for p in assessment.get("consistency_prompts") or []],
        "assessed_at": cn_datetime(assessment.get("assessed_at")),
        "expires_at": cn_datetime(assessment.get("expires_at")),
        "total_seconds": _seconds(assessment.get("total_answer_ms")),
        "record_digest": show(assessment.get("record_digest")),
        "assessment_no": show(get(facts.data, "assessment_receipt", "assessment_no")),
    }


def question_rows(facts: EvidenceFacts) -> list[Context]:
    """Each answered question with its text and every option as the version showed them."""
    assessment = facts.data.get("assessment") or {}
    form = QUESTIONNAIRES.get(str(assessment.get("questionnaire_version")))
    rows = []
    for row in assessment.get("questions") or []:
        question: Question | None = form.question(row["id"]) if form else None
        rows.append(
            {
                "number": show(row.get("number")),
                "text": question.text if question else show(row.get("id")),
                "options": [
                    (o.text, o.code == row.get("selected")) for o in (question.options if question else ())
                ],
                "answer": show(row.get("selected_text")),
                "points": show(row.get("points")),
                "seconds": "身份证件带出" if row.get("id") == "age_band" else _seconds(row.get("answer_ms")),
                "text_hash": show(row.get("text_hash")),
            }
        )
    return rows


def questionnaire_context(facts: EvidenceFacts) -> Context:
    return {
        **common_context(facts, QUESTIONNAIRE_RECORD),
        "party": party_context(facts),
        "result": result_context(facts),
        "questions": question_rows(facts),
        "staff": parts.staff_context(facts, None),
    }


def confirmation_context(facts: EvidenceFacts) -> Context:
    signed = last_event(facts, "task_completed", "confirmation")
    return {
        **common_context(facts, CONFIRMATION),
        "party": party_context(facts),
        "result": result_context(facts),
        "staff": parts.staff_context(facts, None),
        "signature": parts.signature_context(facts, "assessment_signature", event_detail(signed, "at")),
    }


def _seconds(ms: Any) -> str:
    return f"{ms / 1000:.1f} 秒" if isinstance(ms, int) and not isinstance(ms, bool) else DASH


def agreement_context(facts: EvidenceFacts) -> Context:
    common = {
        **common_context(facts, AGREEMENT),
        "party": party_context(facts),
        "result": result_context(facts, "current_assessment"),
    }
    return order.agreement_context(facts, common)


BUILDERS: dict[str, Callable[[EvidenceFacts], Context]] = {
    QUESTIONNAIRE_RECORD: questionnaire_context,
    CONFIRMATION: confirmation_context,
    AGREEMENT: agreement_context,
    VOUCHER: lambda facts: {**common_context(facts, VOUCHER), **order.voucher_context(facts)},
}
