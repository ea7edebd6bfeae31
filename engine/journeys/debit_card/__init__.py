"""J1, debit-card opening (借记卡开户开卡): its declaration (domain J1, §6)."""

from __future__ import annotations

from typing import Any

from crypto import mask_card_number
from engine.journeys.debit_card.operations import OPERATIONS
from engine.journeys.debit_card.projection import PROCESS_ID, PROJECTION
from engine.journeys.declaration import EndingFact, JourneyDeclaration
from engine.outcomes import NEUTRAL_REFUSAL

CARD_OPENED = "开户成功，您的借记卡已激活。"
PRODUCTS = {"DC_STANDARD": "标准借记卡", "DC_PAYROLL": "代发工资卡"}
ACCOUNT_CLASSES = {"I": "I类账户", "II": "II类账户", "III": "III类账户"}


def approval_facts(data: dict[str, Any]) -> dict[str, Any]:
    """The card and product, and why the opening needs a remote authorization (rules.decide_account)."""
    decision = data.get("account_decision") if isinstance(data.get("account_decision"), dict) else {}
    assert isinstance(decision, dict)
    card_no, product = data.get("card_no"), data.get("product_code")
    facts = {"卡号": mask_card_number(card_no) if card_no else None, "产品": PRODUCTS.get(str(product))}
    return {
        "facts": {name: value for name, value in facts.items() if value},
        "authorization_reasons": decision.get("authorization_reasons") or [],
        "risk_score": decision.get("risk_score"),
        "risk_signals": decision.get("risk_signals") or [],
    }


JOURNEY = JourneyDeclaration(
    process_id=PROCESS_ID,
    title="借记卡开户开卡",
    projection=PROJECTION,
    outcome_headings={"OPENED": "开户成功"},
    outcome_words={"OPENED": CARD_OPENED},
    reason_words={
        "CARD_OPENED": CARD_OPENED,
        "OPENING_RISK": NEUTRAL_REFUSAL,
        "AUTHORIZATION_REJECTED": NEUTRAL_REFUSAL,
        "ACCOUNT_LIMIT": "您在本行的账户数量已达到监管上限，暂时无法开立新账户。",
        "CLASS_II_DECLINED": "您已取消本次办理。",
        # domain J1: a foreign PEP needs enhanced due diligence and senior approval, not on a tablet
        "FOREIGN_PEP": "根据反洗钱规定，您的业务需到网点办理，我们的工作人员会为您安排。",
    },
    labels={
        "OPENED": "开户成功",
        **PRODUCTS,
        "ELDERLY_CUSTOMER": "高龄客户",
        "FOREIGN_PEP": "外国政要及其关系人（需网点办理）",
        "OPENING_RISK_REVIEW": "开户风险评分偏高",
        "NON_LOCAL": "非本地客户",
        "PURPOSE_INCONSISTENT": "开户用途与身份不符",
        "VULNERABLE_OCCUPATION": "职业风险提示",
        # its machine rules at post-supervision (documents/journeys/debit_card/rules.py); the age band
        # is worded with the shared rules (api/web/labels.py)
        "CHECKS_BEFORE_ACTION": "开户前完成各项核查",
        "VOUCHER_MATCHES_CORE": "电子凭证与核心记账一致",
        "CARD_FROM_STOCK": "卡片来自网点库存",
        "DECLARATIONS_SIGNED": "风险告知与声明已签署",
        "MOBILE_VERIFIED": "预留手机号已核验",
    },
    ending_facts=(
        EndingFact("card_no_masked", "卡号"),
        EndingFact("account_class", "账户类别", values=ACCOUNT_CLASSES),
    ),
    approval_facts=approval_facts,
    decision_fields=frozenset({"accept_class_ii"}),
    operations=OPERATIONS,
    personal_fields=frozenset({"card_no", "tax_tin"}),
)
