"""J3's signed product agreement and, when the tablet took the order, its e-voucher (domain J3 steps 7-10,
§2.10, §5.4): the product with its documents pinned by version hash, the hand-copied sentence, the 双录 by
its SM3 and length, the order, the cooling-off period and any cancellation. Every value is final display
text when it leaves here."""

from __future__ import annotations

from typing import Any

from crypto import mask_account_number
from documents import parts
from documents.evidence.facts import EvidenceFacts
from documents.formatting import (
    DASH,
    cn_date,
    cn_datetime,
    event_detail,
    get,
    image_for,
    last_event,
    money,
    show,
    text,
)
from documents.voucher import authorizer_id, check_rows, shared_fields
from engine.journeys.wealth import PRODUCT_RISK_LEVELS
from engine.recordings import recording_duration_ms

Context = dict[str, Any]

TXN_CODE, TXN_NAME = "LC01", "理财产品认购"
HAND_COPY_SENTENCE = "本人已经阅读风险揭示，愿意承担投资风险"  # §5.4
OFFERINGS = {"public": "公募", "private": "私募"}
ORDER_STATUSES = {"COOLING_OFF": "冷静期中", "ACCEPTED": "已受理", "CANCELLED": "已撤销"}
ISSUERS = {"bank": "本行", "wm_company": "理财公司", "fund_agency": "基金（代销）"}
CHECKS = (  # the shared identification's checks (processes/shared)
    ("联网核查", "identity_result", "identity_check"),
    ("人脸比对", "face_result", "face_compare"),
)
IMAGE_ROLES = {
    "hand_copy": "手写抄录风险语句",
    "agreement_signature": "客户签名",
    "dual_recording": "双录录像",
}


def signed_at(facts: EvidenceFacts) -> Any:
    """When the customer signed: the moment stamped for the order, else when the screen was completed."""
    stamped = get(facts.data, "signing", "signed_at")
    return stamped or event_detail(last_event(facts, "task_completed", "product_signing"), "at")


def product_context(facts: EvidenceFacts) -> Context:
    product = facts.data.get("chosen_product") or {}
    return {
        "code": show(product.get("code")),
        "name": show(product.get("name")),
        "risk_level": show(PRODUCT_RISK_LEVELS.get(str(product.get("risk_level")))),
        "offering": show(OFFERINGS.get(str(product.get("offering")))),
        "issuer": show(ISSUERS.get(str(product.get("issuer")), product.get("issuer"))),
        "min_amount": money(product["min_amount"]) if product.get("min_amount") is not None else DASH,
        "cooling_off_hours": show(product.get("cooling_off_hours")),
        "documents": [
            {
                "title": show(d.get("title")),
                "version": show(d.get("version")),
                "sm3": show(d.get("content_sm3")),
            }
            for d in product.get("documents") or ()
            if isinstance(d, dict)
        ],
    }


def recording_context(facts: EvidenceFacts) -> Context:
    """The 双录 by its SM3, and its length as read from the file itself."""
    recording = image_for(facts, "dual_recording")
    duration_ms = recording_duration_ms(recording.content) if recording else None
    return {
        "sm3": recording.sm3 if recording else DASH,
        "length": f"{duration_ms // 60000} 分 {duration_ms // 1000 % 60} 秒" if duration_ms else DASH,
    }


def order_context(facts: EvidenceFacts) -> Context | None:
    """None when no order was taken on the tablet (purchase off, or the journey ended before it)."""
    order = facts.data.get("order")
    if not isinstance(order, dict):
        return None
    cooling = facts.data.get("cooling_off") if isinstance(facts.data.get("cooling_off"), dict) else {}
    cancellation = facts.data.get("cancellation") if isinstance(facts.data.get("cancellation"), dict) else {}
    assert isinstance(cooling, dict) and isinstance(cancellation, dict)
    return {
        "order_no": show(order.get("order_no")),
        # the order record is the answer at placement; a later cancellation is what stands
        "status": ORDER_STATUSES["CANCELLED"]
        if cancellation.get("result") == "OK"
        else show(ORDER_STATUSES.get(str(order.get("status")), order.get("status"))),
        "amount": money(order["amount"]) if order.get("amount") is not None else DASH,
        "account_no": show(mask_account_number(text(facts.data.get("payment_account_no")))),
        "cooling_off_start": cn_datetime(cooling.get("started_at")) if cooling else DASH,
        "cooling_off_end": cn_datetime(cooling.get("ends_at") or order.get("cooling_off_ends_at"))
        if cooling
        else DASH,
        "cancelled_at": cn_datetime(cancellation.get("responded_at")) if cancellation else DASH,
        "refund": money(cancellation["refund_amount"])
        if cancellation.get("refund_amount") is not None
        else DASH,
    }


def agreement_context(facts: EvidenceFacts, common: Context) -> Context:
    return {
        **common,
        "product": product_context(facts),
        "hand_copy_sentence": HAND_COPY_SENTENCE,
        # §5.3: for a customer of 65 or more the risk disclosure is printed larger (and read aloud)
        "large_print": facts.data.get("elderly_customer") is True,
        "hand_copy": parts.signature_context(facts, "hand_copy", signed_at(facts)),
        "recording": recording_context(facts),
        "order": order_context(facts),
        "staff": parts.staff_context(facts, authorizer_id(facts)),
        "signature": parts.signature_context(facts, "agreement_signature", signed_at(facts)),
    }


def voucher_context(facts: EvidenceFacts) -> Context:
    """The subscription's e-voucher: the sales system's order number is the posting's serial."""
    data = facts.data
    order = data.get("order") or {}
    ordered = order_context(facts) or {}
    extra_rows = [
        ("认购订单号", ordered.get("order_no", DASH)),
        ("订单状态", ordered.get("status", DASH)),
        ("冷静期", f"{ordered.get('cooling_off_start', DASH)} 至 {ordered.get('cooling_off_end', DASH)}"),
        ("撤销退款", f"{ordered.get('cancelled_at', DASH)} · 退款 {ordered.get('refund', DASH)}"),
    ]
    return {
        **shared_fields(facts),
        "txn_code": TXN_CODE,
        "txn_name": TXN_NAME,
        "business_date": cn_date(get(order, "responded_at")),
        "txn_time": cn_datetime(signed_at(facts)),
        "core_serial_no": show(get(order, "order_no")),
        "channel_serial_no": show(get(order, "request_id")),
        "cif_no": show(get(data, "cif_result", "cif_no")),
        "account_no": ordered.get("account_no", DASH),
        "product_code": show(data.get("product_code")),
        "amount": ordered.get("amount", DASH),
        "checks": check_rows(facts, CHECKS),
        "digests": [
            {"role": IMAGE_ROLES.get(image.role, image.role), "sm3": image.sm3}
            for image in facts.images
            if image.role in IMAGE_ROLES
        ],
        "extra_rows": extra_rows,
    }
