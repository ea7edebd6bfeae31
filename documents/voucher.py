"""The e-voucher (domain §2.10) every core-posting journey leaves: the parts all vouchers share (number,
signature / e-seal / timestamp references, the authorizer, the external checks, the position); each
journey's module fills in its transaction. Masked for display (§8.3): post-supervision compares them
field by field with the core log, so every field is present and prints "—" when the journey lacks it.
The template is `documents/templates/voucher.html.j2` (a field a transaction does not have, e.g. a card
for a subscription, may be left out: it prints "—"); `extra_rows` are a journey's own lines of
transaction detail (label, value)."""

from __future__ import annotations

from typing import Any

from crypto import mask_id_number, mask_name
from documents.evidence.facts import EvidenceFacts
from documents.formatting import DASH, cn_datetime, event_detail, get, last_event, show, text

VOUCHER = "voucher"


def shared_fields(facts: EvidenceFacts) -> dict[str, Any]:
    """The fields every voucher fills the same way: number, people, device, customer (masked),
    currency, references, position and outcome; a journey adds its transaction's."""
    data = facts.data
    operator = f"{facts.staff_id}（{facts.staff_name}）" if facts.staff_name else show(facts.staff_id)
    return {
        "voucher_no": voucher_number(facts),
        "outreach_activity_id": show(data.get("outreach_activity_id")),
        "operator_id": operator,
        "reviewer_id": show(facts.reviewer_id),
        "authorizer_id": show(authorizer_id(facts)),
        "device_id": show(facts.device_id),
        "customer_name": show(mask_name(text(data.get("customer_name")))),
        "id_type": "居民身份证",
        "id_number": show(mask_id_number(text(data.get("id_number")))),
        "currency": "CNY",
        **package_refs(facts.package_id),
        "gps": gps_text(data.get("gps")),
        "outcome": show(facts.outcome),
    }


def package_refs(package_id: str) -> dict[str, str]:
    """Where the package keeps the customer's signature, the bank e-seal and the timestamp token."""
    return {
        "signature_ref": f"{package_id}/SIG-customer",
        "eseal_ref": f"{package_id}/ESEAL-bank",
        "tsa_token_ref": f"{package_id}/TSA-token",
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


def check_rows(facts: EvidenceFacts, checks: tuple[tuple[str, str, str], ...]) -> list[dict[str, str]]:
    """Result code and request id of each external check the journey ran (`checks`: label, data key of
    its result record, BPMN task whose trail event holds the call when the record is missing because
    the check rejected the customer), from its record or else from the trail; then the OTP's result.

    The codes are the ones the instance recorded: a sanctions refusal is already `WATCHLIST_BLOCK` there
    (no tipping off, domain §2.5); anything naming sanctions is still neutralised in case a future adapter
    leaks it."""
    rows = []
    for title, key, task_spec in checks:
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
