"""J2's documents: EvidenceFacts -> template context, one builder per document, and which documents a
package holds.

Every value is final display text when it leaves here (masking, labels, dates, the dash for what the
journey never recorded), as for J1 (documents/journeys/debit_card/documents.py). Masking (§8.3, §10):
- the documents the customer signs (the application, the credit-report authorization, the agreement's
  key terms) identify the customer and their contacts in full; a card number there uses the
  customer-facing `尾号xxxx` form;
- the officer's witness declaration and the decision record are staff views: name, ID and mobile masked.
The decision record never carries the card centre's reasons: they can be credit-report information.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from crypto import mask_card_number, mask_id_number, mask_mobile, mask_name
from documents import parts
from documents.evidence.facts import EvidenceFacts
from documents.formatting import (
    DASH,
    cn_date,
    cn_datetime,
    event_detail,
    get,
    image_data_uri,
    image_for,
    last_event,
    money,
    show,
    text,
)
from documents.journeys.credit_card import labels as L
from documents.journeys.credit_card.terms import key_terms
from documents.parts import header_context, identification_consents
from documents.vocabulary import SEX, label
from engine.journeys.credit_card import QUALIFICATION
from engine.journeys.credit_card.operations import CREDIT_AUTH_TEXT_VERSION, DOCUMENT_NAMES
from engine.journeys.credit_card.projection import DECISION_FIELD, SUBMISSION_FIELD

Context = dict[str, Any]

AUTHORIZATION = "credit_report_authorization"
APPLICATION = "credit_card_application"
AGREEMENT = "card_agreement"
WITNESS = "witness_declaration"
DECISION = "decision_record"

# Text versions the customer or officer saw (§10 "consent texts with version ids"): bump on any wording
# change. The authorization's is the one `credit_card.record_authorization` stamps with the signature.
TEXT_VERSIONS = {
    AUTHORIZATION: CREDIT_AUTH_TEXT_VERSION,
    APPLICATION: "FB-J2-APP-2025.06",
    AGREEMENT: "FB-J2-CCA-2025.06",
    WITNESS: "FB-J2-WIT-2025.06",
    DECISION: "FB-J2-DEC-2025.06",
}
TITLES = {
    AUTHORIZATION: "个人征信查询授权书",
    APPLICATION: "信用卡申请表",
    AGREEMENT: "信用卡领用合约主要条款",
    WITNESS: "面签见证声明",
    DECISION: "信用卡审批结果记录",
}
# §7.2 [Reg, medium confidence]: the sentence the applicant copies by hand (the signing form's wording)
HAND_COPY_SENTENCE = (
    "本人已阅读全部申请材料，充分了解并清楚知晓该信用卡产品的相关信息，愿意遵守领用合约（协议）的各项规则"
)
KEY_TERM_FIELDS = ("interest", "fees", "interest_free_period", "minimum_payment", "penalty", "instalment")
WITNESS_DECLARATIONS = (
    ("witness_person_seen", "亲见申请人本人：在场申请人即为身份证上的本人，面签照片由本人现场拍摄"),
    ("witness_originals_seen", "亲见申请资料原件：所拍摄的资料均为申请人当场出示的原件"),
    (
        "witness_signature_seen",
        "亲见申请人签名：征信查询授权书、申请表和领用合约由申请人本人当场亲笔签署，确认语句由本人完整抄录",
    ),
    ("witness_no_relationship", "本人与申请人无亲属关系或其他利害关系，未代申请人填写、抄录或签名"),
)
QUALIFICATION_NAMES = {QUALIFICATION: "信用卡面签资格"}


def documents_for(facts: EvidenceFacts) -> list[str]:
    """The documents a package holds, in signing order.

    Before the ID card was read there is no customer data to put on paper: nothing. After it, the
    application always (marked 未完成 when nothing was submitted); the authorization, the agreement's key
    terms and the witness declaration only once signed; the decision record once the card centre numbered
    the application."""
    if not (facts.data.get("customer_name") and facts.data.get("id_number")):
        return []
    names = [AUTHORIZATION] if authorization_signed(facts) else []
    names.append(APPLICATION)
    if agreement_signed(facts):
        names.append(AGREEMENT)
    if witnessed(facts):
        names.append(WITNESS)
    if submitted(facts):
        names.append(DECISION)
    return names


def authorization_signed(facts: EvidenceFacts) -> bool:
    auth = facts.data.get("credit_auth")
    return get(auth, "result") == "SIGNED" and bool(get(auth, "signed_at"))


def agreement_signed(facts: EvidenceFacts) -> bool:
    return all(_attachment(facts.data.get(f)) for f in ("customer_signature", "hand_copy_image"))


def witnessed(facts: EvidenceFacts) -> bool:
    return _attachment(facts.data.get("witness_signature"))


def submitted(facts: EvidenceFacts) -> bool:
    return bool(get(facts.data.get(SUBMISSION_FIELD), "application_no"))


def _attachment(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def common_context(facts: EvidenceFacts, name: str) -> Context:
    """A journey that ended before its submission is marked unfinished (a decided one is complete,
    whatever the card centre decided)."""
    reason = f"（{facts.outcome_reason}）" if facts.outcome_reason else ""
    version = get(facts.data.get("credit_auth"), "text_version") if name == AUTHORIZATION else None
    incomplete = (
        None if submitted(facts) else f"未完成 · 办理结果：{label(L.OUTCOMES, facts.outcome)}{reason}"
    )
    return header_context(facts, TITLES[name], show(version or TEXT_VERSIONS[name]), incomplete)


def address_text(address: Any) -> str:
    region = get(address, "district_code") or get(address, "city_code") or get(address, "province_code")
    detail = get(address, "detail")
    return f"{detail}（行政区划代码 {region}）" if detail and region else show(detail)


def party_context(facts: EvidenceFacts) -> Context:
    """The applicant as they appear in the documents they sign: in full (§10)."""
    data = facts.data
    return {
        "name": show(data.get("customer_name")),
        "sex": show(label(SEX, data.get("sex"))),
        "birth_date": cn_date(data.get("birth_date")),
        "nationality": show(label(L.NATIONALITIES, data.get("nationality"))),
        "id_type": "居民身份证",
        "id_number": show(data.get("id_number")),
        "id_valid": f"{cn_date(data.get('id_valid_from'))} 至 {cn_date(data.get('id_valid_to'))}",
        "issuing_authority": show(data.get("issuing_authority")),
        "registered_address": show(data.get("registered_address")),
        "mobile": show(data.get("reserved_mobile")),
        "email": show(data.get("email")),
    }


def masked_party(facts: EvidenceFacts) -> Context:
    """The applicant on a staff view (§8.3)."""
    data = facts.data
    return {
        "name": show(mask_name(text(data.get("customer_name")))),
        "id_number": show(mask_id_number(text(data.get("id_number")))),
        "mobile": show(mask_mobile(text(data.get("reserved_mobile")))),
    }


def card_context(facts: EvidenceFacts) -> Context:
    data = facts.data
    product = data.get("product_code")
    return {
        "product": show(label(L.PRODUCTS, product)),
        "product_code": show(product),
        "application_no": show(get(data.get(SUBMISSION_FIELD), "application_no")),
    }


def staff_context(facts: EvidenceFacts) -> Context:
    return parts.staff_context(facts, facts.authorizer_id)


def task_time(facts: EvidenceFacts, task_spec: str) -> Any:
    return event_detail(last_event(facts, "task_completed", task_spec), "at")


def customer_signature(facts: EvidenceFacts) -> Context:
    """The signature on the application and the agreement, given on the signing hand-over screen."""
    return parts.signature_context(facts, "signature", task_time(facts, "signing"))


def supplementary_context(facts: EvidenceFacts) -> Context | None:
    """The supplementary card's section (§7.2): its holder in full, as read from their own ID card (the
    application is a document they sign), and their own signature. A card dropped for the holder's ID or
    checks says only that it was not accepted: a watch-list hit is never named on a customer's paper."""
    data = facts.data
    if data.get("supplementary_card_wanted") is not True:
        return None
    accepted = data.get("supplementary_card_accepted")
    return {
        "relation": show(label(L.RELATIONS, data.get("supplementary_holder_relation"))),
        "present": show(data.get("supplementary_holder_present")),
        "name": show(data.get("supp_name")),
        "id_number": show(data.get("supp_id_number")),
        "sex": show(label(SEX, data.get("supp_sex"))),
        "birth_date": cn_date(data.get("supp_birth_date")),
        "status": DASH if accepted is None else ("随主卡申请" if accepted else "未受理（主卡申请继续办理）"),
        "signature": parts.signature_context(
            facts, "supplementary_signature", task_time(facts, "supp_signing")
        )
        if accepted
        else None,
    }


def _contact(contact: Any) -> Context:
    return {
        "name": show(get(contact, "name")),
        "relation": show(label(L.RELATIONS, get(contact, "relation"))),
        "mobile": show(get(contact, "mobile")),
    }


def _documents(codes: Any) -> str:
    if not isinstance(codes, list | tuple) or not codes:
        return DASH
    return "、".join(DOCUMENT_NAMES.get(str(c), str(c)) for c in codes)


def _yuan(value: Any) -> str:
    """A whole-yuan amount as recorded (the forms take integers); anything else is not an amount."""
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        return DASH
    try:
        return f"{money(value)} 元"
    except ArithmeticError:
        return show(value)


def _years(value: Any) -> str:
    return DASH if value is None or value == "" else f"{value}年"


def application_context(facts: EvidenceFacts) -> Context:
    data = facts.data
    auto_repay = data.get("auto_repay_account")
    return {
        **common_context(facts, APPLICATION),
        "party": party_context(facts),
        "card": card_context(facts),
        "staff": staff_context(facts),
        "signature": customer_signature(facts),
        "started_at": cn_datetime(facts.started_at),
        "residence": {
            "address": address_text(data.get("residential_address")),
            "housing": show(label(L.HOUSING, data.get("housing_status"))),
            "years": _years(data.get("years_at_address")),
        },
        "personal": {
            "marital": show(label(L.MARITAL, data.get("marital_status"))),
            "education": show(label(L.EDUCATION, data.get("education"))),
            "dependants": show(data.get("dependants_count")),
            "student": show(data.get("full_time_student")),
        },
        "employment": {
            "type": show(label(L.EMPLOYMENT, data.get("employment_type"))),
            "employer": show(data.get("employer_name")),
            "uscc": show(data.get("employer_uscc")),
            "address": address_text(data.get("employer_address")),
            "phone": show(data.get("employer_phone")),
            "industry": show(label(L.INDUSTRIES, data.get("industry_code"))),
            "position": show(label(L.POSITIONS, data.get("position"))),
            "years": _years(data.get("years_employed")),
        },
        "income": {
            "annual": _yuan(data.get("annual_income")),
            "proofs": _documents(data.get("income_proof_types")),
        },
        "contacts": [
            ("直系亲属联系人", _contact(data.get("family_contact"))),
            ("其他联系人", _contact(data.get("other_contact"))),
        ],
        "options": {
            "supplementary": supplementary_context(facts),
            "statement_channel": show(label(L.STATEMENT_CHANNELS, data.get("statement_channel"))),
            "auto_repay": show(data.get("auto_repay_wanted")),
            "auto_repay_account": mask_card_number(text(auto_repay), customer_facing=True)
            if auto_repay
            else DASH,
            "auto_repay_mode": show(label(L.AUTO_REPAY_MODES, data.get("auto_repay_mode"))),
            "delivery": show(label(L.DELIVERY, data.get("delivery_address_choice"))),
        },
        "consents": [
            *identification_consents(data),
            ("已阅读并同意《个人征信查询授权书》", show(data.get("credit_auth_read"))),
        ],
    }


def authorization_context(facts: EvidenceFacts) -> Context:
    data, auth = facts.data, facts.data.get("credit_auth")
    purpose = get(auth, "purpose_code") or data.get("credit_report_purpose")
    signed_at = get(auth, "signed_at")
    return {
        **common_context(facts, AUTHORIZATION),
        "party": party_context(facts),
        "card": card_context(facts),
        "purpose": show(label(L.CREDIT_REPORT_PURPOSES, purpose)),
        "purpose_code": show(purpose),
        "read": show(data.get("credit_auth_read")),
        "stamped_at": cn_datetime(signed_at),
        "signature": parts.signature_context(facts, "credit_auth_signature", signed_at),
    }


def agreement_context(facts: EvidenceFacts) -> Context:
    data = facts.data
    terms = key_terms(data.get("product_code"))
    return {
        **common_context(facts, AGREEMENT),
        "party": party_context(facts),
        "card": card_context(facts),
        "staff": staff_context(facts),
        "terms": [
            (heading, wording, data.get(f"key_term_{field}") is True)
            for (heading, wording), field in zip(terms, KEY_TERM_FIELDS, strict=True)
        ],
        "agreement_read": data.get("agreement_read") is True,
        "hand_copy": {
            "sentence": HAND_COPY_SENTENCE,
            "image": image_data_uri(image_for(facts, "hand_copy")),
        },
        "signature": customer_signature(facts),
    }


def _image_digest(facts: EvidenceFacts, role: str) -> str:
    image = image_for(facts, role)
    return image.sm3 if image else "未拍摄"


def witnessed_holder(facts: EvidenceFacts) -> Context | None:
    """The supplementary card's holder the officer saw beside the applicant (§7.2: present and signing),
    masked as on every staff view; None when no holder was asked for or they were not there."""
    data = facts.data
    if (
        data.get("supplementary_card_wanted") is not True
        or data.get("supplementary_holder_present") is not True
    ):
        return None
    return {
        "relation": show(label(L.RELATIONS, data.get("supplementary_holder_relation"))),
        "name": show(mask_name(text(data.get("supp_name")))),
        "id_number": show(mask_id_number(text(data.get("supp_id_number")))),
        "signature": _image_digest(facts, "supplementary_signature"),
    }


def witness_context(facts: EvidenceFacts) -> Context:
    data = facts.data
    event = last_event(facts, "task_completed", "witness")
    witness_id = (event or {}).get("actor_id") or facts.staff_id
    name = facts.staff_name if witness_id == facts.staff_id else None
    originals = [
        {
            "name": document,
            "seen": data.get(f"doc_{code}_seen") is True,
            "photo": _image_digest(facts, f"original_{code}"),
        }
        for code, document in DOCUMENT_NAMES.items()
        if data.get(f"doc_{code}_seen") is True or data.get(f"doc_{code}_photo")
    ]
    return {
        **common_context(facts, WITNESS),
        "applicant": masked_party(facts),
        "card": card_context(facts),
        "witness": {
            "staff": f"{name}（{witness_id}）" if name else show(witness_id),
            "staff_id": show(witness_id),
            "qualification": f"{QUALIFICATION_NAMES[QUALIFICATION]}（{QUALIFICATION}）",
            "device_id": show(facts.device_id),
        },
        "sightings_at": cn_datetime(task_time(facts, "sightings")),
        "applicant_photo": _image_digest(facts, "applicant_photo"),
        "supplementary": witnessed_holder(facts),
        "face": show(get(data.get("face_result"), "result")),
        "originals": originals,
        "declarations": [(wording, data.get(key) is True) for key, wording in WITNESS_DECLARATIONS],
        "signature": parts.signature_context(facts, "witness_signature", event_detail(event, "at")),
    }


def _service_results(facts: EvidenceFacts, operation: str) -> list[Mapping[str, Any]]:
    return [
        e
        for e in facts.trail
        if e.get("kind") == "service_result" and get(e.get("detail"), "operation") == operation
    ]


def decision_context(facts: EvidenceFacts) -> Context:
    data = facts.data
    submission, decision = data.get(SUBMISSION_FIELD), data.get(DECISION_FIELD)
    submits = _service_results(facts, "credit_card.submit")
    decisions = [
        e
        for e in facts.trail
        if e.get("kind") == "message_received" and get(e.get("detail"), "message") == DECISION_FIELD
    ]
    own_reason = L.OWN_REASONS.get(str(facts.outcome_reason)) if facts.outcome_reason else None
    return {
        **common_context(facts, DECISION),
        "applicant": masked_party(facts),
        "card": card_context(facts),
        "staff": staff_context(facts),
        "submitted_at": cn_datetime(event_detail(submits[0], "at")) if submits else DASH,
        "channel_serial": show(get(submission, "request_id")),
        "authorized_at": cn_datetime(get(data.get("credit_auth"), "signed_at")),
        "bureau_queried_at": cn_datetime(get(decision, "bureau_queried_at")),
        "decision": show(label(L.DECISIONS, get(decision, "decision"))),
        "decided_at": cn_datetime(event_detail(decisions[-1], "at")) if decisions else DASH,
        "decisions_received": str(len(decisions)),
        "credit_limit": _yuan(get(decision, "credit_limit")),
        "outcome": show(label(L.OUTCOMES, facts.outcome)),
        "own_reason": show(own_reason),
        "supplements": [
            {
                "at": cn_datetime(event_detail(e, "at")),
                "serial": show(get(e.get("detail"), "request_id")),
                "result": show(get(e.get("detail"), "result")),
            }
            for e in _service_results(facts, "credit_card.submit_documents")
        ],
        "supplement_documents": _documents(get(data.get("documents_submission"), "documents")),
    }


BUILDERS: dict[str, Callable[[EvidenceFacts], Context]] = {
    AUTHORIZATION: authorization_context,
    APPLICATION: application_context,
    AGREEMENT: agreement_context,
    WITNESS: witness_context,
    DECISION: decision_context,
}
