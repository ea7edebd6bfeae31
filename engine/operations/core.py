"""Core banking steps: card stock check and the idempotent opening (domain §12.5: status before retry)."""

from __future__ import annotations

from typing import Any

from engine.adapters.ports import OpenAccountRequest, result_record
from engine.errors import ExternalServiceError, ExternalTimeout
from engine.operations.registry import BusinessRejection, OperationContext

_CARD_PROBLEMS = {"CARD_NOT_IN_STOCK", "CARD_ALREADY_BOUND", "CARD_DAMAGED"}
_REFUSED = {
    "CLASS_II_LIMIT": "ACCOUNT_LIMIT",
    "CLASS_III_LIMIT": "ACCOUNT_LIMIT",
    "CUSTOMER_RESTRICTED": "CUSTOMER_RESTRICTED",
}


def check_card(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    r = ctx.adapters.core.check_card(p["card_no"], ctx.operator_id, ctx.request_id)
    if r.result != "OK":
        raise BusinessRejection("CARD_REJECTED", {"code": r.result, "reason": r.result})
    return result_record(r)


def open_account(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """One call creates the CIF, opens, binds and activates; the request id is the channel serial."""
    request = OpenAccountRequest(
        channel_serial_no=ctx.request_id,
        id_number=p["id_number"],
        name=p["name"],
        mobile=p["mobile"],
        account_class=p["account_class"],
        product_code=p["product_code"],
        card_no=p["card_no"],
        branch_code=ctx.branch_code,
        operator_id=ctx.operator_id,
    )
    try:
        result = ctx.adapters.core.open_account(request)
    except ExternalTimeout:
        result = _resolve_unknown_outcome(ctx)
    return _map_open_result(result)


def _resolve_unknown_outcome(ctx: OperationContext) -> Any:
    """After a timeout the account may exist: ask by serial; only NOT_FOUND allows a retry."""
    status = ctx.adapters.core.query_status(ctx.request_id, ctx.request_id + ":status")
    if status.status == "OPENED" and status.result is not None:
        return status.result
    if status.status == "NOT_FOUND":
        raise ExternalServiceError(
            "core timed out before committing; safe to retry", system="core", reason="NOT_COMMITTED"
        )
    raise ExternalServiceError("core outcome still unknown", system="core", reason="OUTCOME_UNKNOWN")


def _map_open_result(result: Any) -> dict[str, Any]:
    code = result.result
    if code == "OK":
        return result_record(result)
    if code == "CLASS_I_EXISTS":
        raise BusinessRejection("CORE_CLASS_I_EXISTS", {"code": code, "reason": code})
    if code in _REFUSED:
        raise BusinessRejection("CORE_REFUSED", {"code": code, "reason": _REFUSED[code]})
    if code == "CIF_CONFLICT":
        raise BusinessRejection("CORE_REFERRED", {"code": code, "reason": "CIF_CONFLICT"})
    if code in _CARD_PROBLEMS:
        raise BusinessRejection("CORE_CARD_REJECTED", {"code": code, "reason": code})
    # DUPLICATE_SERIAL_MISMATCH means our own request changed under one serial: an operator must look
    raise ExternalServiceError(f"core answered {code}", system="core", reason=code)
