"""What an approver sees beside an approval task: the facts behind the trigger, personal data masked
(§2.9: "the authorizer sees masked data"; §8.3 staff-screen masks)."""

from __future__ import annotations

from typing import Any

from crypto import mask_card_number, mask_id_number, mask_mobile, mask_name


def approval_context(data: dict[str, Any]) -> dict[str, Any]:
    def result(key: str) -> Any:
        value = data.get(key)
        return value.get("result") if isinstance(value, dict) else None

    decision, face, mobile = (_dict(data, k) for k in ("account_decision", "face_result", "mobile_result"))
    return {
        "customer": {
            "name": mask_name(data.get("customer_name")),
            "id_number": mask_id_number(data.get("id_number")),
            "reserved_mobile": mask_mobile(data.get("reserved_mobile")),
            "card_no": mask_card_number(data.get("card_no")) if data.get("card_no") else None,
            "product_code": data.get("product_code"),
        },
        "checks": {
            "identity": result("identity_result"),
            "watchlist": result("watchlist_result"),
            "face": face.get("result"),
            "face_score": face.get("score"),
            "mobile": mobile.get("result"),
            "mobile_flags": mobile.get("flags") or [],
        },
        "authorization_reasons": decision.get("authorization_reasons") or [],
        "risk_score": decision.get("risk_score"),
        "risk_signals": decision.get("risk_signals") or [],
        "evidence_attachment_ids": [
            data[k]
            for k in ("chip_photo", "id_front_image", "id_back_image", "live_face_image")
            if data.get(k)
        ],
    }


def _dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}
