"""The e-voucher's fields (domain §2.10), masked for display (§8.3): post-supervision compares them
field by field with the core log, so every field is present and prints "—" when the journey lacks it."""

from __future__ import annotations

from typing import Any

from crypto import mask_account_number, mask_card_number, mask_id_number, mask_mobile, mask_name
from documents.evidence.facts import EvidenceFacts
from documents.formatting import (
    DASH,
    cn_date,
    cn_datetime,
    event_detail,
    get,
    last_event,
    money,
    show,
    text,
)
from documents.journeys.debit_card.labels import ACCOUNT_CLASSES
from documents.vocabulary import label

TXN_CODE, TXN_NAME = "KH01", "个人开户"

IMAGE_ROLES = {
    "id_front": "身份证人像面",
    "id_back": "身份证国徽面",
    "chip_photo": "芯片照片",
    "live_face": "现场人脸照片",
    "signature": "客户手写签名",
}

# (label, data key of the result record, BPMN task whose trail event holds the call when the record is
# missing because the check rejected the customer)
_CHECKS = (
    ("联网核查", "identity_result", "identity_check"),
    ("人脸比对", "face_result", "face_compare"),
    ("黑名单筛查", "watchlist_result", "watchlist_screen"),
    ("手机号实名核验", "mobile_result", "mobile_check"),
    ("卡片库存校验", "card_check", "check_card"),
)


def package_refs(package_id: str) -> dict[str, str]:
    """Where the package keeps the customer's signature, the bank e-seal and the timestamp token."""
    return {
        "signature_ref": f"{package_id}/SIG-customer",
        "eseal_ref": f"{package_id}/ESEAL-bank",
        "tsa_token_ref": f"{package_id}/TSA-token",
    }


def voucher_context(facts: EvidenceFacts) -> dict[str, Any]:
    data = facts.data
    core = data.get("core_result")
    signed = last_event(facts, "task_completed", "signing")
    business_date = get(core, "business_date")
    account_no, card_no = get(core, "account_no"), get(core, "card_no") or data.get("card_no")
    return {
        "voucher_no": voucher_number(facts),
        "txn_code": TXN_CODE,
        "txn_name": TXN_NAME,
        "business_date": cn_date(business_date),
        "txn_time": cn_datetime(event_detail(signed, "at") or facts.completed_at),
        "outreach_activity_id": show(data.get("outreach_activity_id")),
        "operator_id": f"{facts.staff_id}（{facts.staff_name}）"
        if facts.staff_name
        else show(facts.staff_id),
        "reviewer_id": show(facts.reviewer_id),
        "authorizer_id": show(authorizer_id(facts)),
        "device_id": show(facts.device_id),
        "core_serial_no": show(get(core, "core_serial_no")),
        "channel_serial_no": show(get(core, "request_id")),
        "customer_name": show(mask_name(text(data.get("customer_name")))),
        "id_type": "居民身份证",
        "id_number": show(mask_id_number(text(data.get("id_number")))),
        "cif_no": show(get(core, "cif_no")),
        "account_no": mask_account_number(text(account_no)) if account_no else DASH,
        "card_no": mask_card_number(text(card_no)) if card_no else DASH,
        "account_class": show(label(ACCOUNT_CLASSES, get(data, "account_decision", "account_class"))),
        "product_code": show(data.get("product_code")),
        "currency": "CNY",
        "amount": money(0),
        "reserved_mobile": show(mask_mobile(text(data.get("reserved_mobile")))),
        "checks": check_rows(facts),
        **package_refs(facts.package_id),
        "gps": gps_text(data.get("gps")),
        "digests": [
            {"role": IMAGE_ROLES.get(image.role, image.role), "sm3": image.sm3} for image in facts.images
        ],
        "outcome": show(facts.outcome),
    }


def authorizer_id(facts: EvidenceFacts) -> str | None:
    """The remote authorizer (§2.9), if the journey needed one: from the facts, else from the trail."""
    event = last_event(facts, "task_completed", "remote_authorization")
    return facts.authorizer_id or text(event_detail(event, "actor_id"))


def voucher_number(facts: EvidenceFacts) -> str:
    """Branch + business date + the package id: unique and stable across re-renders. A recorded
    `voucher_no` (a bank sequence, once one exists) wins."""
    recorded = facts.data.get("voucher_no")
    if recorded:
        return str(recorded)
    day = get(facts.data, "core_result", "business_date") or facts.completed_at.date().isoformat()
    return f"{facts.branch_code}-{str(day).replace('-', '')}-{facts.package_id}"


def check_rows(facts: EvidenceFacts) -> list[dict[str, str]]:
    """Result code and request id of each external check, from its record or else from the trail.

    The codes are the ones the instance recorded: a sanctions refusal is already `WATCHLIST_BLOCK` there
    (no tipping off, domain §2.5); anything naming sanctions is still neutralised in case a future adapter
    leaks it."""
    rows = []
    for title, key, task_spec in _CHECKS:
        record = facts.data.get(key)
        event = last_event(facts, "service_result", task_spec)
        result = get(record, "result") or event_detail(event, "result")
        request_id = get(record, "request_id") or event_detail(event, "request_id")
        if result and "SANCTION" in str(result).upper():
            result = "WATCHLIST_BLOCK"
        rows.append(
            {
                "name": title,
                "result": show(result),
                "request_id": show(request_id),
                "at": cn_datetime(get(record, "responded_at") or event_detail(event, "at")),
                "note": _check_note(key, record),
            }
        )
    otp = get(facts.data, "otp_result", "result")
    rows.append({"name": "短信验证码", "result": show(otp), "request_id": DASH, "at": DASH, "note": ""})
    return rows


def _check_note(key: str, record: Any) -> str:
    """Score, operator or list version where the record has one; empty otherwise."""
    if key == "face_result" and get(record, "score") is not None:
        score, threshold = get(record, "score"), get(record, "threshold_pass")
        return f"分值 {score} / 阈值 {threshold} · {get(record, 'engine_version')}"
    if key == "mobile_result" and get(record, "operator"):
        return f"运营商 {get(record, 'operator')}"
    if key == "watchlist_result" and get(record, "list_version"):
        return f"名单版本 {get(record, 'list_version')}"
    return ""


def gps_text(gps: Any) -> str:
    lat, lon = get(gps, "lat"), get(gps, "lon")
    if lat is None or lon is None:
        return DASH
    accuracy = get(gps, "accuracy")
    parts = [f"{lat}, {lon}"]
    if accuracy is not None:
        parts.append(f"±{accuracy} m")
    if get(gps, "time"):
        parts.append(cn_datetime(get(gps, "time")))
    return " · ".join(parts)
