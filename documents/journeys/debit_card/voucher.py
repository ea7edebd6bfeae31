"""J1's e-voucher (domain §2.10): account opening (KH01) with the card, the account class and the J1
checks; the shared parts are documents/voucher.py."""

from __future__ import annotations

from typing import Any

from crypto import mask_account_number, mask_card_number, mask_mobile
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
from documents.voucher import authorizer_id, check_rows, package_refs, shared_fields

__all__ = ["authorizer_id", "package_refs", "voucher_context"]

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


def voucher_context(facts: EvidenceFacts) -> dict[str, Any]:
    data = facts.data
    core = data.get("core_result")
    signed = last_event(facts, "task_completed", "signing")
    business_date = get(core, "business_date")
    account_no, card_no = get(core, "account_no"), get(core, "card_no") or data.get("card_no")
    return {
        **shared_fields(facts),
        "txn_code": TXN_CODE,
        "txn_name": TXN_NAME,
        "business_date": cn_date(business_date),
        "txn_time": cn_datetime(event_detail(signed, "at") or facts.completed_at),
        "core_serial_no": show(get(core, "core_serial_no")),
        "channel_serial_no": show(get(core, "request_id")),
        "cif_no": show(get(core, "cif_no")),
        "account_no": mask_account_number(text(account_no)) if account_no else DASH,
        "card_no": mask_card_number(text(card_no)) if card_no else DASH,
        "account_class": show(label(ACCOUNT_CLASSES, get(data, "account_decision", "account_class"))),
        "product_code": show(data.get("product_code")),
        "amount": money(0),
        "reserved_mobile": show(mask_mobile(text(data.get("reserved_mobile")))),
        "checks": check_rows(facts, _CHECKS),
        "digests": [
            {"role": IMAGE_ROLES.get(image.role, image.role), "sm3": image.sm3} for image in facts.images
        ],
    }
