"""J1's documents: EvidenceFacts -> template context, one builder per document, and which documents a
package holds.

Every value is final display text when it leaves here: masking, labels, dates and the dash for what a
journey never recorded all happen in Python, so templates stay dumb and a StrictUndefined error can only
mean a template typo. Masking policy (domain §8.3, §10):
- the e-voucher is a staff/audit view: name, ID, mobile, account and card are masked (§2.10 "displayed
  masked");
- the documents the customer signs identify the parties in full (§10 "ID masked on display but complete in
  the signed file"); bank-assigned account/card numbers there use the customer-facing `尾号xxxx` form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crypto import mask_account_number, mask_card_number
from documents import parts
from documents.evidence.facts import EvidenceFacts
from documents.formatting import (
    DASH,
    cn_date,
    cn_datetime,
    event_detail,
    get,
    last_event,
    show,
    text,
)
from documents.journeys.debit_card.labels import ACCOUNT_CLASSES, OUTCOMES, PRODUCTS
from documents.journeys.debit_card.voucher import authorizer_id, voucher_context
from documents.parts import header_context, identification_consents
from documents.vocabulary import (
    ACCOUNT_PURPOSES,
    AUTHORIZATION_DECISIONS,
    OCCUPATIONS,
    SEX,
    TAX_RESIDENCY,
    label,
)

Context = dict[str, Any]

APPLICATION = "account_application"
AGREEMENT = "debit_card_agreement"
RISK_NOTICE = "risk_notice"
VOUCHER = "voucher"

# Text versions the customer saw (§10 "consent texts with version ids"): bump on any wording change.
TEXT_VERSIONS = {
    APPLICATION: "FB-J1-APP-2025.06",
    AGREEMENT: "FB-J1-DCA-2025.06",
    RISK_NOTICE: "FB-J1-RSK-2025.06",
    VOUCHER: "FB-EV-KH01-2025.06",
}
TITLES = {
    APPLICATION: "个人开户申请书",
    AGREEMENT: "借记卡章程及领用协议",
    RISK_NOTICE: "开户风险告知书及声明",
    VOUCHER: "电子凭证",
}


def documents_for(facts: EvidenceFacts) -> list[str]:
    """The documents a package holds, in signing order.

    OPENED: all four. Any other outcome after the ID card was read: the application (marked 未完成) and the
    risk notice if the customer confirmed it; no voucher, because nothing was posted. Before the ID card was
    read there is no customer data to put on paper, so nothing."""
    if facts.outcome == "OPENED":
        return [APPLICATION, AGREEMENT, RISK_NOTICE, VOUCHER]
    if not (facts.data.get("customer_name") and facts.data.get("id_number")):
        return []
    names = [APPLICATION, RISK_NOTICE] if risk_notice_confirmed(facts) else [APPLICATION]
    # every journey that posted to core leaves a voucher (§2.10), even if abandoned before signing
    if (facts.data.get("core_result") or {}).get("result") == "OK":
        names.append(VOUCHER)
    return names


def risk_notice_confirmed(facts: EvidenceFacts) -> bool:
    """The customer completed the risk-notice step: read it and answered both declarations."""
    data = facts.data
    return data.get("risk_notice_read") is True and all(
        isinstance(data.get(key), bool) for key in ("declaration_own_use", "declaration_no_rent_lend_sell")
    )


def common_context(facts: EvidenceFacts, name: str) -> Context:
    finished = facts.outcome == "OPENED"
    reason = f"（{facts.outcome_reason}）" if facts.outcome_reason else ""
    incomplete = None if finished else f"未完成 · 办理结果：{label(OUTCOMES, facts.outcome)}{reason}"
    return header_context(facts, TITLES[name], TEXT_VERSIONS[name], incomplete)


def party_context(facts: EvidenceFacts) -> Context:
    """The customer as they appear in the documents they sign: in full (§10)."""
    data = facts.data
    address = data.get("residential_address")
    region = get(address, "district_code") or get(address, "city_code") or get(address, "province_code")
    detail = get(address, "detail")
    return {
        "name": show(data.get("customer_name")),
        "sex": show(label(SEX, data.get("sex"))),
        "birth_date": cn_date(data.get("birth_date")),
        "id_type": "居民身份证",
        "id_number": show(data.get("id_number")),
        "id_valid": f"{cn_date(data.get('id_valid_from'))} 至 {cn_date(data.get('id_valid_to'))}",
        "issuing_authority": show(data.get("issuing_authority")),
        "registered_address": show(data.get("registered_address")),
        "mobile": show(data.get("reserved_mobile")),
        "residential_address": f"{detail}（行政区划代码 {region}）" if detail and region else show(detail),
        "occupation": show(label(OCCUPATIONS, data.get("occupation_code"))),
        "employer": show(data.get("employer_name")),
        "purpose": show(label(ACCOUNT_PURPOSES, data.get("account_purpose"))),
        "tax_residency": show(label(TAX_RESIDENCY, data.get("tax_residency"))),
        "pep": show(data.get("pep_declaration")),
    }


def account_context(facts: EvidenceFacts) -> Context:
    """What was (or would have been) opened; customer-facing `尾号` numbers."""
    data, core = facts.data, facts.data.get("core_result")
    card_no = get(core, "card_no") or data.get("card_no")
    account_no = get(core, "account_no")
    return {
        "product": show(label(PRODUCTS, data.get("product_code"))),
        "product_code": show(data.get("product_code")),
        "account_class": show(label(ACCOUNT_CLASSES, get(data, "account_decision", "account_class"))),
        "currency": "人民币（CNY）",
        "card_no": mask_card_number(text(card_no), customer_facing=True) if card_no else DASH,
        "account_no": mask_account_number(text(account_no), customer_facing=True) if account_no else DASH,
        "business_date": cn_date(get(core, "business_date")),
    }


def staff_context(facts: EvidenceFacts) -> Context:
    return parts.staff_context(facts, authorizer_id(facts))


def signature_context(facts: EvidenceFacts, task_spec: str = "signing") -> Context:
    """The customer's handwriting and when it was given (on the signing hand-over screen)."""
    event = last_event(facts, "task_completed", task_spec)
    return parts.signature_context(facts, "signature", event_detail(event, "at"))


def application_context(facts: EvidenceFacts) -> Context:
    data = facts.data
    authorization = None
    if data.get("decision"):
        authorization = {
            "decision": show(label(AUTHORIZATION_DECISIONS, data.get("decision"))),
            "reason_code": show(data.get("reason_code")),
            "reason_text": show(data.get("reason_text")),
        }
    return {
        **common_context(facts, APPLICATION),
        "party": party_context(facts),
        "account": account_context(facts),
        "staff": staff_context(facts),
        "signature": signature_context(facts),
        "authorization": authorization,
        "started_at": cn_datetime(facts.started_at),
        "consents": [
            *identification_consents(data),
            ("同意接收本行营销信息", show(data.get("marketing_optin"))),
        ],
    }


def agreement_context(facts: EvidenceFacts) -> Context:
    return {
        **common_context(facts, AGREEMENT),
        "party": party_context(facts),
        "account": account_context(facts),
        "staff": staff_context(facts),
        "signature": signature_context(facts),
    }


def risk_notice_context(facts: EvidenceFacts) -> Context:
    data = facts.data
    confirmed = last_event(facts, "task_completed", "risk_notice")
    return {
        **common_context(facts, RISK_NOTICE),
        "party": party_context(facts),
        "staff": staff_context(facts),
        "signature": signature_context(facts),
        "confirmed_at": cn_datetime(event_detail(confirmed, "at")),
        "declarations": [
            ("本人已阅读并理解《开户风险告知书》", data.get("risk_notice_read") is True),
            ("本人开户、本人使用", data.get("declaration_own_use") is True),
            ("本人不出租、出借、出售账户", data.get("declaration_no_rent_lend_sell") is True),
        ],
    }


BUILDERS: dict[str, Callable[[EvidenceFacts], Context]] = {
    APPLICATION: application_context,
    AGREEMENT: agreement_context,
    RISK_NOTICE: risk_notice_context,
    VOUCHER: lambda facts: {**common_context(facts, VOUCHER), **voucher_context(facts)},
}
