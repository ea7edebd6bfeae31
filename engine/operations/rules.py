"""Bank rules the shared steps apply: the ID card acceptable in the field (§2.3), the service area."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.operations.registry import OperationContext
from forms.formats import age_on, id_birth_date

BANK_PROVINCE = "42"  # Hubei: the bank's service area (异地开户 signal, §6.3)
MIN_AGE_FIELD = 18  # field v1 opens for adults only (§3.1 rule 7)


def assess_id_card(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """Can this document be handled in the field today? Expired cards, minors and permits cannot."""
    id_number: str = p["id_number"]
    today = ctx.now().date()
    if id_number[:2] in {"81", "82", "83"} or id_number[0] == "9":
        return _id_decision("REFER", "REFERRED_TO_BRANCH", "DOCUMENT_TYPE_NOT_SUPPORTED")
    valid_to = p.get("id_valid_to")
    if valid_to and valid_to != "长期" and date.fromisoformat(valid_to) < today:
        return _id_decision("REFUSE", "REFUSED", "ID_CARD_EXPIRED")
    birth = id_birth_date(id_number)
    age = age_on(birth, today) if birth else 0
    if age < MIN_AGE_FIELD:
        return _id_decision("REFUSE", "REFUSED", "UNDER_AGE")
    warn = bool(valid_to and valid_to != "长期" and (date.fromisoformat(valid_to) - today).days <= 30)
    return {"decision": "OK", "outcome": None, "reason": None, "age": age, "expiry_warning": warn}


def _id_decision(decision: str, outcome: str, reason: str) -> dict[str, Any]:
    return {"decision": decision, "outcome": outcome, "reason": reason, "age": None, "expiry_warning": False}
