"""Sample J2 evidence facts shaped like real instance data (sandbox identity 王芳, domain §13.2: clean
pass, approved): the data and trail a J2 run over HTTP leaves (tests/integration/credit_card_driver.py),
with the trail's times as ISO strings in UTC as the evidence worker gathers them.

Used by `DocumentRenderer.warm_up`, the tests and the rules' tests (each test changes what its rule reads).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from crypto import sm3
from documents import sample_images
from documents.evidence.facts import EvidenceFacts, EvidenceImage

APPROVED_INSTANCE = "7c2e9a41-3b6d-4f08-a5e1-9d4b2c8f6e13"
STAFF_ID = "fo001"
DEVICE_ID = "TAB-WH0101-007"
APPLICATION_NO = "CC2025060212345678"
_START = datetime(2025, 6, 2, 14, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
_SUBJECT = "56ce9876a4dc27368d2d5c3ac5875665"  # the customer's blind index, as the worker records it


def stroke_png(seed: int, width: int = 360, height: int = 120) -> bytes:
    """A pen stroke standing in for a tablet capture; `seed` varies it so every capture has its own
    bytes (and SM3)."""
    return sample_images.stroke_png(
        lambda x: 30 * math.sin((x + 7 * seed) / (17 + seed)) * math.cos(x / 83), width, height
    )


def attachment_id(role: str) -> str:
    return "att_" + uuid5(NAMESPACE_URL, APPROVED_INSTANCE + role).hex


def request_id(task: str) -> str:
    """Shaped like the engine's: instance id + SpiffWorkflow task id (both UUIDs)."""
    return f"{APPROVED_INSTANCE}:{uuid5(NAMESPACE_URL, APPROVED_INSTANCE + task)}"


def at(minutes: float) -> datetime:
    return _START + timedelta(minutes=minutes)


def utc_iso(minutes: float) -> str:
    """A trail time as trail.json holds it."""
    return at(minutes).astimezone(UTC).isoformat()


def event(
    minutes: float, kind: str, task_spec: str | None = None, actor: str | None = STAFF_ID, **detail: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "at": utc_iso(minutes),
        "actor_id": actor,
        "device_id": DEVICE_ID if actor == STAFF_ID else None,
        "task_spec": task_spec,
        "detail": detail,
    }


def task(minutes: float, task_spec: str, *, by_customer: bool = False) -> dict[str, Any]:
    done = event(minutes, "task_completed", task_spec, role="field_officer")
    if by_customer:  # a hand-over screen: the customer's act on the officer's tablet
        done["detail"]["by_customer"] = True
    return done


def service(
    minutes: float, task_spec: str, operation: str, system: str, result: str, subject: str | None = _SUBJECT
) -> dict[str, Any]:
    return event(
        minutes,
        "service_result",
        task_spec,
        None,
        operation=operation,
        request_id=request_id(task_spec),
        result=result,
        subject=subject,
        system=system,
    )


def rule(minutes: float, operation: str, result: str) -> dict[str, Any]:
    return event(minutes, "rule_evaluated", None, None, operation=operation, result=result)


def _echo(task_spec: str, minutes: float, **fields: Any) -> dict[str, Any]:
    """A check's result record: the adapter's answer echoing its request id and response time."""
    return {"request_id": request_id(task_spec), "responded_at": at(minutes).isoformat(), **fields}


# data field -> the image's role in the package, in the order the evidence worker gathers them
_IMAGE_FIELDS = {
    "id_front_image": "id_front",
    "id_back_image": "id_back",
    "chip_photo": "chip_photo",
    "live_face_image": "live_face",
    "applicant_photo": "applicant_photo",
    "credit_auth_signature": "credit_auth_signature",
    "hand_copy_image": "hand_copy",
    "customer_signature": "signature",
    "witness_signature": "witness_signature",
    "doc_income_proof_photo": "original_income_proof",
    "doc_bank_statement_photo": "original_bank_statement",
}


def images(data: dict[str, Any]) -> list[EvidenceImage]:
    """The captures the data names, with their real SM3 (a package can be built from them)."""
    found = []
    for seed, (data_field, role) in enumerate(_IMAGE_FIELDS.items()):
        if isinstance(data.get(data_field), str):
            # the originals are photographed pages; the rest stand in as pen strokes
            png = sample_images.document_png(seed) if role.startswith("original_") else stroke_png(seed)
            found.append(EvidenceImage(role, data[data_field], "image/png", png, sm3(png).hex()))
    return found


def approved_data() -> dict[str, Any]:
    address = {
        "province_code": "420000",
        "city_code": "420100",
        "district_code": "420106",
        "detail": "中北路100号3栋",
    }
    submitted = at(9.2).isoformat()
    return {
        "instance_id": APPROVED_INSTANCE, "branch_code": "WH0101", "operator_id": STAFF_ID,
        "device_id": DEVICE_ID,
        # product choice
        "product_code": "CC-STANDARD", "reserved_mobile": "13900001234", "supplementary_card_wanted": False,
        "supplementary_holder_relation": None, "supplementary_holder_present": None,
        "full_time_student": False, "held_card_products": None,
        # the shared identification (ID read, consents, screening, face)
        "customer_name": "王芳", "sex": "2", "ethnicity": "01", "birth_date": "1985-06-15",
        "id_number": "420102198506150026", "registered_address": "湖北省武汉市武昌区中南路99号",
        "issuing_authority": "武汉市公安局武昌分局",
        "id_valid_from": "2020-01-01", "id_valid_to": "2040-01-01",
        "id_front_image": attachment_id("id_front"), "id_back_image": attachment_id("id_back"),
        "chip_photo": attachment_id("chip_photo"), "id_card_accepted": True,
        "id_assessment": {"age": 39, "decision": "OK", "expiry_warning": False, "outcome": None,
                          "reason": None},
        "privacy_notice_ack": True, "biometric_separate": True, "third_party_verification": True,
        "identity_result": _echo("identity_check", 1.1, result="MATCH_WITH_PHOTO", has_registry_photo=True,
                                 registry_photo_ref="sandbox-registry-photo/323eafcf084a8d09fc96"),
        "watchlist_result": _echo("watchlist_screen", 1.1, result="CLEAR", list_version="WL-2025.06-r1"),
        "live_face_image": attachment_id("live_face"), "simulated_camera": "live_ok",
        "face_result": _echo("face_compare", 2.2, result="PASS", score=93.88, attempt=1,
                             engine_version="sandbox-face 3.2.0 [Sim]", reference="registry",
                             threshold_pass=80.0, threshold_gray=65.0),
        "face_failures": 0, "liveness_failures": 0, "face_verified": True, "customer_identified": True,
        "person_matches_id_attested": True,
        "eligibility": {"age": 39, "documents_required": [], "flags": [], "in_service_area": True,
                        "max_age": 60, "outcome": None, "reason": None, "result": "ELIGIBLE",
                        "student": False},
        # the credit-report authorization, stamped by credit_card.record_authorization
        "credit_report_purpose": "CREDIT_CARD_APPROVAL", "credit_auth_read": True,
        "credit_auth_signature": attachment_id("credit_auth_signature"), "credit_auth_strokes": None,
        "credit_auth": {"purpose_code": "CREDIT_CARD_APPROVAL", "result": "SIGNED",
                        "signature": attachment_id("credit_auth_signature"),
                        "signed_at": at(3.0).isoformat(), "text_version": "CRA-2025-01"},
        # telco + OTP
        "mobile_result": _echo("mobile_check", 3.4, result="MATCH", operator="cmcc", status="normal",
                               flags=[], mvno=False, ported=False, screen_result="CLEAR",
                               tenure_bucket="[24,inf)"),
        "mobile_rejections": 0, "otp_result": {"result": "VERIFIED"}, "mobile_verified": True,
        # 三亲见
        "applicant_photo": attachment_id("applicant_photo"),
        "doc_income_proof_seen": True, "doc_income_proof_photo": attachment_id("original_income_proof"),
        "doc_bank_statement_seen": True, "doc_bank_statement_photo": attachment_id("original_bank_statement"),
        **{f"doc_{code}_{kind}": None
           for code in ("work_certificate", "social_insurance_record", "property_certificate",
                        "vehicle_certificate", "second_repayment_source") for kind in ("seen", "photo")},
        # the application
        "nationality": "CHN", "email": None, "residential_address": address, "housing_status": "MORTGAGE",
        "years_at_address": 6, "marital_status": "20", "education": "20", "dependants_count": 1,
        "employment_type": "EMPLOYEE", "employer_name": "武汉某某科技有限公司",
        "employer_uscc": "91350100M000100Y43", "employer_address": address, "employer_phone": "027-87654321",
        "industry_code": "I", "position": "STAFF", "years_employed": 4, "annual_income": 180000,
        "income_proof_types": ["income_proof", "bank_statement"],
        "family_contact": {"name": "王建华", "relation": "PARENT", "mobile": "13900002345"},
        "other_contact": {"name": "李娜", "relation": "FRIEND", "mobile": "13900003456"},
        "statement_channel": "APP", "auto_repay_wanted": False, "auto_repay_account": None,
        "auto_repay_mode": None, "delivery_address_choice": "WORK",
        "contacts_check": {"problems": [], "result": "OK"},
        # key terms, hand copy, signatures; the officer's witness declaration
        **{f"key_term_{term}": True for term in ("interest", "fees", "interest_free_period",
                                                  "minimum_payment", "penalty", "instalment")},
        "agreement_read": True, "hand_copy_image": attachment_id("hand_copy"), "hand_copy_strokes": None,
        "customer_signature": attachment_id("signature"), "signature_strokes": None,
        "witness_person_seen": True, "witness_originals_seen": True, "witness_signature_seen": True,
        "witness_no_relationship": True, "witness_signature": attachment_id("witness_signature"),
        # the card centre
        "cc_submission": {"application_no": APPLICATION_NO, "flags": [],
                          "income_proofs": ["income_proof", "bank_statement"],
                          "request_id": request_id("submit"), "responded_at": submitted,
                          "result": "RECEIVED", "status": "RECEIVED"},
        "application_no": APPLICATION_NO,
        "card_decision": {"application_no": APPLICATION_NO, "bureau_queried_at": at(9.3).isoformat(),
                          "credit_limit": 36000, "decision": "APPROVED", "documents_due": [], "reason": None},
        "credit_limit": 36000, "outcome": "APPROVED", "outcome_reason": None,
    }  # fmt: skip


def approved_trail() -> list[dict[str, Any]]:
    return [
        event(0, "instance_started", None, process_id="credit_card_face_sign",
            definition_version=1,
            qualification="credit_card_face_sign",
        ),
        task(0.5, "product_choice"),
        task(1.0, "id_card"),
        rule(1.0, "rules.assess_id_card", "OK"),
        task(1.05, "customer_consents", by_customer=True),
        service(1.1, "watchlist_screen", "watchlist.screen_person", "watchlist", "CLEAR"),
        service(1.1, "identity_check", "identity.verify", "identity", "MATCH_WITH_PHOTO"),
        task(2.0, "face_check"),
        service(2.2, "face_compare", "face.compare", "face", "PASS"),
        rule(2.3, "credit_card.eligibility", "ELIGIBLE"),
        task(3.0, "credit_authorization", by_customer=True),
        rule(3.0, "credit_card.record_authorization", "SIGNED"),
        service(3.4, "mobile_check", "mobile.verify", "telco", "MATCH"),
        service(3.5, "send_otp", "otp.send", "sms", "OK", subject=None),
        task(4.0, "otp_entry"),
        rule(4.0, "otp.verify", "VERIFIED"),
        task(5.5, "sightings"),
        task(7.0, "application"),
        rule(7.0, "credit_card.check_contacts", "OK"),
        task(8.5, "signing", by_customer=True),
        task(9.0, "witness"),
        service(9.2, "submit", "credit_card.submit", "credit_card_sys", "RECEIVED"),
        event(9.3, "message_received", None, "client:sandbox_card_centre", message="card_decision",
              message_id=f"cc-{APPLICATION_NO}:0"),
        event(9.3, "instance_completed", None, None, application_no=APPLICATION_NO, credit_limit=36000,
              decision="APPROVED", outcome="APPROVED", reason=None),
    ]  # fmt: skip


def approved_facts() -> EvidenceFacts:
    """A clean J2: every check passed, 三亲见 with two originals, signed, witnessed, approved."""
    data, trail = approved_data(), approved_trail()
    return EvidenceFacts(
        package_id="EP-" + APPROVED_INSTANCE,
        process_id="credit_card_face_sign",
        process_name="信用卡面签",
        definition_version=1,
        definition_sha="a869" * 16,
        instance_id=APPROVED_INSTANCE,
        business_key=None,
        branch_code="WH0101",
        branch_name="武昌中南路支行",
        staff_id=STAFF_ID,
        staff_name="李明",
        device_id=DEVICE_ID,
        outcome="APPROVED",
        outcome_reason=None,
        started_at=at(0),
        completed_at=at(9.3),
        data=data,
        trail=trail,
        images=images(data),
    )
