"""J1's own operation: the account class (§6.1), the opening risk score (§6.3) and what needs a remote
authorization (§2.9), decided inline as `rules.decide_account`."""

from __future__ import annotations

from typing import Any

from engine.operations.registry import Operation, OperationContext
from engine.operations.rules import BANK_PROVINCE
from forms.formats import age_on, id_birth_date

CLASS_II_III_LIMIT = 5
RISK_REVIEW, RISK_REFUSE = 40, 70
ELDERLY_AGE = 70
_VULNERABLE_OCCUPATIONS = {"student", "unemployed", "freelance"}
_PENSION_PURPOSES = {"payroll", "social_insurance"}
# Triggers only a senior authorizer (authority level 2+) may approve [Practice; configurable].
SENIOR_REASONS = {"OPENING_RISK_REVIEW", "GREY_LIST"}


def decide_account(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """Account class (§6.1), opening risk score (§6.3) and what needs remote authorization (§2.9)."""
    cif = p.get("cif") or {}
    birth = id_birth_date(p["id_number"])
    age = age_on(birth, ctx.now().date()) if birth else 0
    score, signals = opening_risk_score(p, age)
    reasons = authorization_reasons(p, age)
    base = {"risk_score": score, "risk_signals": signals, "authorization_reasons": reasons, "reason": None}
    if score >= RISK_REFUSE:
        return {**base, "decision": "REFUSE", "account_class": None, "reason": "OPENING_RISK"}
    if score >= RISK_REVIEW:
        reasons.append("OPENING_RISK_REVIEW")
    base["required_authority_level"] = 2 if set(reasons) & SENIOR_REASONS else 1
    if int(cif.get("class_i_count") or 0) >= 1:
        if int(cif.get("class_ii_count") or 0) >= CLASS_II_III_LIMIT:
            return {**base, "decision": "REFUSE", "account_class": None, "reason": "ACCOUNT_LIMIT"}
        return {**base, "decision": "OFFER_CLASS_II", "account_class": "II"}
    return {**base, "decision": "OK", "account_class": "I"}


def opening_risk_score(p: dict[str, Any], age: int) -> tuple[int, list[str]]:
    signals: list[tuple[str, int]] = []
    purpose = p.get("account_purpose")
    occupation = p.get("occupation_code")
    if (16 <= age <= 22 or age >= ELDERLY_AGE) and purpose not in _PENSION_PURPOSES:
        signals.append(("AGE_BAND", 15))
    address = p.get("residential_address") or {}
    if p["id_number"][:2] != BANK_PROVINCE and str(address.get("province_code", ""))[:2] != BANK_PROVINCE:
        signals.append(("NON_LOCAL", 15))
    if purpose == "business" and occupation in {"student", "unemployed"}:
        signals.append(("PURPOSE_INCONSISTENT", 20))
    mobile_flags = set((p.get("mobile") or {}).get("flags") or [])
    if mobile_flags & {"MOBILE_NEW_NUMBER", "MOBILE_MVNO"}:
        signals.append(("MOBILE_RISK", 15))
    if (p.get("watchlist") or {}).get("result") == "REVIEW_ENHANCED":
        signals.append(("GREY_LIST", 25))
    if signals and occupation in _VULNERABLE_OCCUPATIONS:
        signals.append(("VULNERABLE_OCCUPATION", 10))
    return sum(w for _, w in signals), [name for name, _ in signals]


def authorization_reasons(p: dict[str, Any], age: int) -> list[str]:
    reasons = []
    if (p.get("face") or {}).get("result") == "GRAY":
        reasons.append("FACE_GRAY")
    if (p.get("identity") or {}).get("result") == "MATCH_NO_PHOTO":
        reasons.append("IDENTITY_NO_PHOTO")
    if (p.get("watchlist") or {}).get("result") == "REVIEW_ENHANCED":
        reasons.append("GREY_LIST")
    for flag in (p.get("mobile") or {}).get("flags") or []:
        reasons.append(flag)
    if age >= ELDERLY_AGE:
        reasons.append("ELDERLY_CUSTOMER")
    return reasons


OPERATIONS = (Operation("rules.decide_account", decide_account, system="rules", inline=True),)
