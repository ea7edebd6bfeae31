"""What an approver sees beside an approval task: the shared identification's facts behind the trigger,
personal data masked (§2.9: "the authorizer sees masked data"; §8.3 staff-screen masks), and what the
journey's declaration adds (`approval_facts`: its own masked facts, reasons and score)."""

from __future__ import annotations

from typing import Any

from crypto import mask_id_number, mask_mobile, mask_name
from engine.journeys.registry import JourneyRegistry

EVIDENCE_IMAGE_FIELDS = ("chip_photo", "id_front_image", "id_back_image", "live_face_image")


def approval_context(journeys: JourneyRegistry, process_id: str, data: dict[str, Any]) -> dict[str, Any]:
    def result(key: str) -> Any:
        value = data.get(key)
        return value.get("result") if isinstance(value, dict) else None

    face, mobile = (_dict(data, k) for k in ("face_result", "mobile_result"))
    return {
        "customer": {
            "name": mask_name(data.get("customer_name")),
            "id_number": mask_id_number(data.get("id_number")),
            "reserved_mobile": mask_mobile(data.get("reserved_mobile")),
        },
        "checks": {
            "identity": result("identity_result"),
            "watchlist": result("watchlist_result"),
            "face": face.get("result"),
            "face_score": face.get("score"),
            "mobile": mobile.get("result"),
            "mobile_flags": mobile.get("flags") or [],
        },
        "facts": {},
        "authorization_reasons": [],
        "risk_score": None,
        "risk_signals": [],
        "evidence_attachment_ids": [data[k] for k in EVIDENCE_IMAGE_FIELDS if data.get(k)],
        # by field, so the page can label each image and put the chip photo beside the live one
        "evidence_images": {k: data[k] for k in EVIDENCE_IMAGE_FIELDS if data.get(k)},
        **journeys.approval_facts(process_id, data),
    }


def _dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}
