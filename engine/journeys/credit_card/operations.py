"""J2, credit-card face-sign (§J2, §7): eligibility, the credit-report authorization stamp, the
submissions to the card centre (`credit_card_sys`) and the applicant's SMS. The contacts rule is the
application form's (`x-contact-mobiles`, forms/keywords.py), so a forbidden number is a field error.

The inline rules return a `result` code the diagram's gateways read; they never raise business errors
(an inline rule runs inside the request, where only results travel). Eligibility also answers with a
`result` code, but asks the card centre, so it is a service task like the two submissions: the worker
makes the call and retries an `ExternalServiceError`; the submissions raise `BusinessRejection` for what
the diagram routes back to a task.

Documents are named by one catalogue of codes shared with the forms: the 三亲见 form has
`doc_<code>_seen` / `doc_<code>_photo` per original, the 补件 form `supplement_<code>_seen` /
`supplement_<code>_photo`; the submissions take the `*_seen` ticks as parameters of the same names (the
forms make sure a tick comes with its photo).

A supplementary card's holder (§7.2, §7.3) is identified under their own field names (`supp_*`): their ID
rules are `assess_supplementary_id` (16+); their 联网核查 and watch-list are the shared operations with their
data as parameters. The holder the diagram accepted travels to the centre with their signature
(`CardApplication.supplementary_holder`); one it did not accept drops the supplementary card only, and the
centre gets a neutral flag.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from engine.adapters.ports import (
    SHANGHAI,
    CardApplication,
    CardCentre,
    CardDelivery,
    SupplementaryHolder,
    result_record,
)
from engine.errors import ExternalServiceError
from engine.operations.registry import BusinessRejection, Operation, OperationContext
from engine.operations.rules import BANK_PROVINCE
from forms.formats import age_on, id_birth_date, resident_id_problem

SYSTEM = "credit_card_sys"
MIN_AGE_MAIN_CARD = 18  # [Reg] no main card under 18 (§7.3)
MIN_AGE_SUPPLEMENTARY = 16  # [Practice] a supplementary card from 16 at many banks (§7.3)
DEFAULT_MAX_AGE = 60  # [Practice] 60 or 65 (§J2 preconditions): a diagram may pass max_age up to 65
MAX_AGE_CEILING = 65
CREDIT_REPORT_PURPOSE = "CREDIT_CARD_APPROVAL"
CREDIT_AUTH_TEXT_VERSION = "CRA-2025-01"  # [Sim] version id of the authorization text (§2.7)
# The applicant's notice after submission (§J2 step 8): the number to quote to the card centre, nothing of
# the bureau or the decision (an SMS can be read by whoever holds the phone).
SUBMITTED_SMS = "【FieldBank】您的信用卡申请已提交，申请编号{application_no}，请凭此编号查询进度。"

DOCUMENT_NAMES = {
    "work_certificate": "工作证明",
    "income_proof": "收入证明",
    "social_insurance_record": "社保或公积金缴存记录",
    "property_certificate": "房产证明",
    "vehicle_certificate": "车辆证明",
    "bank_statement": "银行流水",
    "second_repayment_source": "第二还款来源书面同意及证明",
}
# [Sim] What the card centre counts as proof of repayment capacity (收入及财力证明). A work certificate
# proves employment, and the second repayment source is a third party's, so neither is counted.
INCOME_PROOF_DOCUMENTS = (
    "income_proof",
    "bank_statement",
    "social_insurance_record",
    "property_certificate",
    "vehicle_certificate",
)
SECOND_SOURCE = "second_repayment_source"
STUDENT_FLAG = "STUDENT_SECOND_REPAYMENT_SOURCE"
DOCUMENTS_DEADLINE = timedelta(days=7)  # [Sim] 补件 deadline (§J2 step 10)
# The card centre is told when a supplementary card was asked for and not accepted (its holder's ID, checks
# or watch-list): an applicant bringing a listed person is a signal its fraud rules weigh. The code stays
# neutral, as the holder's list hit is AML's alone (§2.5, no tipping off).
SUPPLEMENTARY_REFUSED_FLAG = "SUPPLEMENTARY_CARD_REFUSED"

_REFERRED_PREFIXES = ("81", "82", "83")  # HK / Macau / Taiwan residence permits: branch only (§13.2 941)


# ------------------------------------------------------------------ eligibility (service: asks the centre)


def eligibility(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """Main-card pre-check (§J2 step 1, §7.3): age from the ID, and what the card centre says this ID
    number holds or has applied for. A declaration can add to the centre's holdings, never take away: a
    customer who forgot a card (or an application made minutes ago) is still found. The service area
    waits for the application (`service_area`): only there are the residence and the employer known.

    Students stay eligible with a flag: §7.3 asks for a second repayment source, not a refusal."""
    id_number: str = p["id_number"]
    product = p.get("product_code")
    max_age = _max_age(p.get("max_age"))
    student = p.get("full_time_student") is True or p.get("employment_type") == "STUDENT"
    known = _card_centre(ctx).holdings(id_number, ctx.request_id)
    held = {*known.held_products, *(p.get("held_card_products") or ())}
    in_progress = product in known.in_progress_products
    flags = []
    if student:
        flags.append(STUDENT_FLAG)
    if held:
        flags.append("EXISTING_CARDHOLDER")
    birth = id_birth_date(id_number) if resident_id_problem(id_number) is None else None
    age = age_on(birth, ctx.now().astimezone(SHANGHAI).date()) if birth else None
    reason, outcome = _ineligible(id_number, age, max_age, product in held, in_progress)
    return {
        "result": "INELIGIBLE" if reason else "ELIGIBLE",
        "reason": reason,
        "outcome": outcome,
        "age": age,
        "max_age": max_age,
        "student": student,
        "flags": flags,
        "documents_required": [SECOND_SOURCE] if student else [],
        "held_products": sorted(held),
        "in_progress_products": list(known.in_progress_products),
    }


def _max_age(value: Any) -> int:
    if value is None:
        return DEFAULT_MAX_AGE
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or not MIN_AGE_MAIN_CARD <= value <= MAX_AGE_CEILING:
        # a diagram's misconfiguration, not the customer's problem: fail loudly
        raise ValueError(f"max_age must be whole years from 18 to {MAX_AGE_CEILING}, not {value!r}")
    return value


def _ineligible(
    id_number: str, age: int | None, max_age: int, product_held: bool, in_progress: bool
) -> tuple[str | None, str | None]:
    if id_number[:2] in _REFERRED_PREFIXES or id_number[:1] == "9":
        return "DOCUMENT_TYPE_NOT_SUPPORTED", "REFERRED_TO_BRANCH"
    if age is None:
        return "ID_NUMBER_INVALID", "REFUSED"
    if age < MIN_AGE_MAIN_CARD:
        return "UNDER_AGE", "REFUSED"
    if age > max_age:
        return "OVER_AGE", "REFUSED"
    if product_held:
        # [Sim] one main card per product and person; the centre's de-duplication is the binding check
        return "PRODUCT_ALREADY_HELD", "REFUSED"
    if in_progress:  # the same application twice would be approved twice if the centre did not refuse it
        return "APPLICATION_IN_PROGRESS", "REFUSED"
    return None, None


# ------------------------------------------------------------------ the supplementary holder (inline)


def assess_supplementary_id(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """The supplementary holder's ID card (§2.3, §7.3): the field rules the applicant's card meets, with
    the supplementary card's own age floor (16 [Practice]; no upper bound, the main cardholder answers for
    the card). A decision other than `OK` drops the supplementary card only: the diagram goes on with the
    applicant's own application, which the holder's card does not affect."""
    id_number = str(p.get("supp_id_number") or "")
    today = ctx.now().astimezone(SHANGHAI).date()
    if id_number[:2] in _REFERRED_PREFIXES or id_number[:1] == "9":
        return _supp_decision("REFER", "REFERRED_TO_BRANCH", "DOCUMENT_TYPE_NOT_SUPPORTED")
    if resident_id_problem(id_number) is not None:
        return _supp_decision("REFUSE", "REFUSED", "ID_NUMBER_INVALID")
    if id_number == p.get("applicant_id_number"):
        # the applicant's own card is a main card: a supplementary card is for someone else
        return _supp_decision("REFUSE", "REFUSED", "SUPPLEMENTARY_IS_APPLICANT")
    valid_to = p.get("supp_id_valid_to")
    if valid_to and valid_to != "长期" and date.fromisoformat(str(valid_to)) < today:
        return _supp_decision("REFUSE", "REFUSED", "ID_CARD_EXPIRED")
    birth = id_birth_date(id_number)
    age = age_on(birth, today) if birth else 0
    if age < MIN_AGE_SUPPLEMENTARY:
        return _supp_decision("REFUSE", "REFUSED", "SUPPLEMENTARY_UNDER_AGE")
    return {"decision": "OK", "outcome": None, "reason": None, "age": age}


def _supp_decision(decision: str, outcome: str, reason: str) -> dict[str, Any]:
    return {"decision": decision, "outcome": outcome, "reason": reason, "age": None}


def supplementary_holder(p: dict[str, Any]) -> SupplementaryHolder | None:
    """The holder the diagram accepted (`supplementary_holder`, set once their checks passed), with
    their own signature. An accepted holder who did not sign cannot be submitted (§7.2: "someone else
    signed", "the materials are unsigned"); the diagram never gets here without one."""
    holder = p.get("supplementary_holder")
    if not isinstance(holder, dict):
        return None
    signature = p.get("supp_signature")
    if not isinstance(signature, str) or not signature:
        raise ValueError("a supplementary holder is submitted only with their own signature")
    return SupplementaryHolder(
        id_number=str(holder["id_number"]),
        name=str(holder["name"]),
        relation=str(holder["relation"]),
        identity_result=str(holder["identity_result"]),
        watchlist_result=str(holder["watchlist_result"]),
        signature_ref=signature,
    )


# ------------------------------------------------------------------ service area (inline)


def service_area(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """[Sim] The applicant lives or works in the bank's province (§J2 step 1: a rural bank issues to its
    own region): the residential or the employer's address, from the application. Where the ID was
    first registered does not count, so a non-local ID holder living or working here may apply."""
    addresses = (p.get("residential_address"), p.get("employer_address"))
    provinces = {str(a.get("province_code") or "")[:2] for a in addresses if isinstance(a, dict)}
    if BANK_PROVINCE in provinces:
        return {"result": "IN_AREA", "reason": None}
    return {"result": "OUTSIDE", "reason": "OUTSIDE_SERVICE_AREA"}


# ------------------------------------------------------------------ the authorization (inline)


def record_authorization(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """Stamps the credit-report authorization on the engine's clock right after its hand-over task: the
    card centre may query the bureau only after `signed_at` (征信业管理条例 Art. 18, §13.6)."""
    purpose, signature = p.get("credit_report_purpose"), p.get("credit_auth_signature")
    signed = purpose == CREDIT_REPORT_PURPOSE and isinstance(signature, str) and bool(signature)
    return {
        "result": "SIGNED" if signed else "NOT_SIGNED",
        "signed_at": ctx.now().astimezone(SHANGHAI).isoformat() if signed else None,
        "purpose_code": purpose,
        "text_version": CREDIT_AUTH_TEXT_VERSION,
        "signature": signature if signed else None,
    }


# ------------------------------------------------------------------ submissions (service)


def submit(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """The application to the card centre (§J2 step 8); idempotent on the request id. A `REVIEW` check
    outcome travels as a flag: the centre decides, the officer cannot override."""
    eligible = p.get("eligibility") or {}
    if eligible.get("result") == "INELIGIBLE":
        raise BusinessRejection("CC_NOT_ELIGIBLE", {"code": eligible.get("reason"), "reason": "NOT_ELIGIBLE"})
    seen = ticked(p, "doc")
    if (
        eligible.get("student") or STUDENT_FLAG in (eligible.get("flags") or ())
    ) and SECOND_SOURCE not in seen:
        problem = _document_problem("doc", SECOND_SOURCE, "在校学生须核对第二还款来源书面同意及证明的原件")
        raise BusinessRejection(
            "CC_APPLICATION_INCOMPLETE",
            {"code": "SECOND_REPAYMENT_SOURCE_MISSING", "reason": "DOCUMENTS_MISSING", "problems": [problem]},
        )
    signed_at = _aware(p.get("credit_auth_signed_at"))
    if signed_at is None:
        raise BusinessRejection(
            "CC_AUTH_MISSING", {"code": "AUTH_MISSING", "reason": "CREDIT_AUTH_NOT_SIGNED"}
        )
    application = CardApplication(
        request_id=ctx.request_id,
        id_number=p["id_number"],
        name=p["name"],
        product_code=p["product_code"],
        annual_income=int(Decimal(str(p["annual_income"]))),
        income_proofs=tuple(c for c in INCOME_PROOF_DOCUMENTS if c in seen),
        credit_auth_signed_at=signed_at,
        flags=tuple(check_flags(p)),
        delivery=_delivery(p.get("delivery_address_choice")),
        supplementary_holder=supplementary_holder(p),
    )
    received = _card_centre(ctx).submit(application)
    return {
        **result_record(received),
        "result": received.status,
        "flags": list(application.flags),
        "income_proofs": list(application.income_proofs),
        "supplementary_holder": result_record(application.supplementary_holder)
        if application.supplementary_holder
        else None,
    }


def notify_submitted(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """SMS to the reserved mobile with the application number (§J2 step 8). Keyed by instance and
    number, so a retried call sends nothing twice and the sandbox inbox knows whose journey it is."""
    number = str(p["application_no"])
    text = SUBMITTED_SMS.format(application_no=number)
    ctx.adapters.sms.send(str(p["mobile"]), text, f"notice:{ctx.instance_id}:{number}")
    return {"sent": True}


def documents_request(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """What the officer's 补件 task shows (§J2 step 10): the documents the centre asked for, by name, and
    the deadline in Beijing time. `deadline` is the instant the diagram's timer and `submit_documents`
    use, so what the officer reads is what is enforced."""
    due = [str(d) for d in p.get("documents_due") or ()]
    deadline = (ctx.now() + DOCUMENTS_DEADLINE).astimezone(SHANGHAI)
    return {
        "documents_due": due,
        "documents": "、".join(DOCUMENT_NAMES.get(d, d) for d in due),
        "deadline": deadline.isoformat(),
        "deadline_shown": f"{deadline:%Y-%m-%d %H:%M}（北京时间）",
    }


def submit_documents(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """补件 (§J2 step 10): every document the centre asked for, photographed and ticked, before the
    deadline (7 days [Sim], the diagram's timer; checked here too so a late retry cannot slip through)."""
    deadline = _aware(p.get("deadline"))
    if deadline is not None and ctx.now() > deadline:
        raise BusinessRejection(
            "CC_DOCUMENTS_LATE", {"code": "DEADLINE_PASSED", "deadline": deadline.isoformat()}
        )
    supplied = ticked(p, "supplement")
    due = [str(d) for d in p.get("documents_due") or ()]
    missing = [d for d in due if d not in supplied]
    if missing or not supplied:
        problems = [_document_problem("supplement", d, "信用卡中心要求补充此项资料") for d in missing]
        raise BusinessRejection(
            "CC_DOCUMENTS_INCOMPLETE",
            {"code": "DOCUMENTS_MISSING", "missing": missing or due, "problems": problems},
        )
    received = _card_centre(ctx).submit_documents(str(p["application_no"]), tuple(supplied), ctx.request_id)
    return {**result_record(received), "result": received.status, "documents": supplied}


def ticked(p: dict[str, Any], prefix: str) -> list[str]:
    """Document codes whose `<prefix>_<code>_seen` parameter is true, in catalogue order."""
    return [code for code in DOCUMENT_NAMES if p.get(f"{prefix}_{code}_seen") is True]


def check_flags(p: dict[str, Any]) -> list[str]:
    """What the card centre must weigh from the shared checks and the eligibility rule, each once."""
    watchlist, mobile = p.get("watchlist") or {}, p.get("mobile") or {}
    found = [
        *(code for code in (watchlist.get("result"), mobile.get("screen_result")) if _is_review(code)),
        *(mobile.get("flags") or ()),
        *(["FACE_GRAY"] if (p.get("face") or {}).get("result") == "GRAY" else []),
        *(["IDENTITY_NO_PHOTO"] if (p.get("identity") or {}).get("result") == "MATCH_NO_PHOTO" else []),
        *((p.get("eligibility") or {}).get("flags") or ()),
        *([SUPPLEMENTARY_REFUSED_FLAG] if p.get("supplementary_refusal") else []),
    ]
    return list(dict.fromkeys(str(f) for f in found))


def _is_review(code: Any) -> bool:
    return isinstance(code, str) and code.startswith("REVIEW")


def _document_problem(prefix: str, code: str, why: str) -> dict[str, str]:
    name = DOCUMENT_NAMES.get(code)
    if name is None:  # a document the form has no field for: shown above the form
        return {"field": "", "code": "required", "message": f"{why}：{code}"}
    return {
        "field": f"{prefix}_{code}_seen",
        "code": "required",
        "message": f"{why}：“{name}”，请拍摄原件并勾选“原件已核”",
    }


def _delivery(choice: Any) -> CardDelivery:
    """The form's choice (§7.4: a declared address or branch pickup); the residential address when the
    diagram does not pass one."""
    return choice if choice in ("RESIDENTIAL", "WORK", "BRANCH") else "RESIDENTIAL"


def _aware(value: Any) -> datetime | None:
    """An ISO 8601 time; one without an offset is Asia/Shanghai (domain §0)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _card_centre(ctx: OperationContext) -> CardCentre:
    centre = ctx.adapters.card_centre
    if centre is None:
        raise ExternalServiceError(
            "credit_card_sys: no card-centre adapter is configured",
            system=SYSTEM,
            reason="NOT_CONFIGURED",
        )
    return centre


OPERATIONS: tuple[Operation, ...] = (
    # not inline: it asks the card centre what the person holds (I/O stays out of the request)
    Operation("credit_card.eligibility", eligibility, system=SYSTEM),
    Operation("credit_card.assess_supplementary_id", assess_supplementary_id, system="rules", inline=True),
    Operation("credit_card.service_area", service_area, system="rules", inline=True),
    Operation(
        "credit_card.record_authorization",
        record_authorization,
        system="rules",
        inline=True,
    ),
    Operation("credit_card.documents_request", documents_request, system="rules", inline=True),
    Operation("credit_card.submit", submit, system=SYSTEM),
    Operation("credit_card.notify_submitted", notify_submitted, system="sms"),
    Operation("credit_card.submit_documents", submit_documents, system=SYSTEM),
)
