"""Pre-checks of every journey: identity (联网核查), face, watch-list, mobile real-name (domain §2.4-2.6)."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.adapters.ports import result_record
from engine.operations.registry import BusinessRejection, OperationContext
from engine.otp import OtpSendLimitReached

_IDENTITY_REFERRED = {"NAME_MISMATCH": "IDENTITY_NAME_MISMATCH", "NOT_FOUND": "IDENTITY_NOT_FOUND"}
# Sanctions hits must never be named to staff or customer (no tipping off): the reason is neutral.
_WATCHLIST_REFUSED = {
    "BLOCK_SANCTIONS": "GENERAL_POLICY",
    "BLOCK_DISCIPLINE": "DISCIPLINE_LIST",
    "BLOCK_INTERNAL": "INTERNAL_RISK_LIST",
}
_TELCO_REFUSED_STATUS = {
    "suspended": "MOBILE_SUSPENDED",
    "cancelled": "MOBILE_CANCELLED",
    "not_activated": "MOBILE_NOT_ACTIVATED",
}


def verify_identity(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    r = ctx.adapters.identity.verify(p["name"], p["id_number"], ctx.request_id)
    record = result_record(r)
    if r.result in _IDENTITY_REFERRED:
        raise BusinessRejection(
            "PRECHECK_REFERRED", {"code": r.result, "reason": _IDENTITY_REFERRED[r.result]}
        )
    if r.result == "ID_CARD_INVALIDATED":
        raise BusinessRejection("PRECHECK_REFUSED", {"code": r.result, "reason": "ID_CARD_INVALIDATED"})
    record["has_registry_photo"] = r.result == "MATCH_WITH_PHOTO"
    return record


def screen_person(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    born = date.fromisoformat(p["birth_date"]) if p.get("birth_date") else None
    r = ctx.adapters.watchlist.screen_person(p["name"], p["id_number"], born, ctx.request_id)
    if r.result in _WATCHLIST_REFUSED:
        raise BusinessRejection(
            "PRECHECK_REFUSED", {"code": "WATCHLIST_BLOCK", "reason": _WATCHLIST_REFUSED[r.result]}
        )
    if r.result == "REVIEW_AML":
        raise BusinessRejection(
            "PRECHECK_PENDING_REVIEW", {"code": "WATCHLIST_REVIEW", "reason": "PENDING_COMPLIANCE_REVIEW"}
        )
    return {
        "result": r.result,
        "list_version": r.list_version,
        "request_id": r.request_id,
        "responded_at": r.responded_at.isoformat(),
    }


def lookup_customer(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    r = ctx.adapters.core.lookup_customer(p["id_number"], p["name"], ctx.request_id)
    if r.result == "CIF_CONFLICT":
        raise BusinessRejection("PRECHECK_REFERRED", {"code": r.result, "reason": "CIF_CONFLICT"})
    if r.result == "CUSTOMER_RESTRICTED":
        raise BusinessRejection("PRECHECK_REFUSED", {"code": r.result, "reason": "CUSTOMER_RESTRICTED"})
    return result_record(r)


def compare_face(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    r = ctx.adapters.face.compare(
        id_number=p["id_number"],
        live_image_digest=str(p["live_face_image"]),
        has_registry_photo=bool(p["has_registry_photo"]),
        attempt=int(p["attempt"]),
        simulated_camera=p.get("simulated_camera"),
        request_id=ctx.request_id,
    )
    record = result_record(r)
    if r.result in ("FAIL", "LIVENESS_FAIL"):
        raise BusinessRejection("FACE_REJECTED", {"code": r.result, "score": r.score, "attempt": r.attempt})
    return record


def verify_mobile(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """Screen the number against risk lists, then the telco three-element check (§2.5, §2.6)."""
    screen = ctx.adapters.watchlist.screen_mobile(p["mobile"], ctx.request_id + ":screen")
    if screen.result == "BLOCK_MOBILE":
        raise BusinessRejection("MOBILE_REJECTED", {"code": "BLOCK_MOBILE", "reason": "MOBILE_NOT_ACCEPTED"})
    r = ctx.adapters.telco.verify(p["name"], p["id_number"], p["mobile"], ctx.request_id)
    if r.result != "MATCH":
        raise BusinessRejection("MOBILE_REJECTED", {"code": r.result, "reason": f"TELCO_{r.result}"})
    if r.status and r.status != "normal":
        raise BusinessRejection(
            "MOBILE_REJECTED", {"code": r.status.upper(), "reason": _TELCO_REFUSED_STATUS[r.status]}
        )
    flags = []
    if r.tenure_bucket == "[0,3)":
        flags.append("MOBILE_NEW_NUMBER")
    if r.mvno:
        flags.append("MOBILE_MVNO")
    if screen.result == "REVIEW_MOBILE":
        flags.append("MOBILE_SHARED")
    record = result_record(r)
    record["flags"] = flags
    record["screen_result"] = screen.result
    return record


def send_otp(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    try:
        issue = ctx.otp.issue(ctx.instance_id, p["mobile"])
    except OtpSendLimitReached:
        # the number had its hourly share of codes (§2.6): ask the customer for another number
        raise BusinessRejection(
            "MOBILE_REJECTED", {"code": "OTP_SEND_LIMIT", "reason": "OTP_SEND_LIMIT"}
        ) from None
    expires_at = getattr(issue, "expires_at", None)
    return {"sent": True, "expires_at": expires_at.isoformat() if expires_at else None}


def verify_otp(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    # only the verdict enters the instance data; the code itself is never kept (§2.8 "never the code")
    return {"result": ctx.otp.verify(ctx.instance_id, str(p["code"]))}
