"""Context parts every journey's documents share: the page header, the officer, where and when a
signature was given, and the shared identification's consents. A journey's builders add their own."""

from __future__ import annotations

from typing import Any

from documents.evidence.facts import EvidenceFacts
from documents.formatting import cn_datetime, image_data_uri, image_for, iso_seconds, show

Context = dict[str, Any]


def header_context(facts: EvidenceFacts, title: str, text_version: str, incomplete: str | None) -> Context:
    """Header, footer and PDF metadata; the dates come from the facts so a re-render is byte-identical.
    `incomplete` is the banner of a journey that ended before the document took effect."""
    return {
        "title": title,
        "text_version": text_version,
        "meta_created": iso_seconds(facts.completed_at),
        "package_id": facts.package_id,
        "instance_id": facts.instance_id,
        "branch_name": show(facts.branch_name),
        "branch_code": show(facts.branch_code),
        "completed_at": cn_datetime(facts.completed_at),
        "incomplete": None if facts.preview else incomplete,
    }


def staff_context(facts: EvidenceFacts, authorizer: str | None) -> Context:
    return {
        "operator": f"{facts.staff_name}（{facts.staff_id}）" if facts.staff_name else show(facts.staff_id),
        "reviewer": show(facts.reviewer_id),
        "authorizer": show(authorizer),
        "device_id": show(facts.device_id),
    }


def place_text(facts: EvidenceFacts) -> str:
    activity = facts.data.get("outreach_activity_id")
    return f"{facts.branch_name} · 外拓活动 {activity}" if activity else show(facts.branch_name)


def signature_context(facts: EvidenceFacts, role: str, signed_at: Any) -> Context:
    """A handwriting capture as a data: URI (never a path or URL from data) and when it was given."""
    return {
        "image": image_data_uri(image_for(facts, role)),
        "signed_at": cn_datetime(signed_at),
        "place": place_text(facts),
    }


def identification_consents(data: dict[str, Any]) -> list[tuple[str, str]]:
    """What the customer agreed to on the shared consents screen (processes/shared), as they read it."""
    return [
        ("《个人信息保护政策》已阅读并同意", show(data.get("privacy_notice_ack"))),
        ("单独同意采集人脸图像并与身份证照片比对", show(data.get("biometric_separate"))),
        ("知悉信息将提交公安、人民银行及电信运营商核验", show(data.get("third_party_verification"))),
    ]
