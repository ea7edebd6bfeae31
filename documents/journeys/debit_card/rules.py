"""J1's machine rules (domain J1 post-supervision, §2.11): the opening against the core's own log, the
card from stock, the checks before the opening, the declarations, the officer's volume."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from documents.supervision.review import (
    FLAG,
    IDENTIFICATION_CHECKS,
    NOT_APPLICABLE,
    PASS,
    ReviewInput,
    ReviewLookups,
    Rule,
    RuleResult,
    velocity_rule,
)

OPENED = "OPENED"
PRECHECKS = (*IDENTIFICATION_CHECKS, "core.lookup_customer")
VELOCITY_LIMIT_PER_HOUR = 20  # [Sim] domain J1 post-supervision


def review_facts(instance_id: str, data: dict[str, Any], lookups: ReviewLookups) -> dict[str, Any]:
    """The core's record of the opening, by channel serial, and the officer's openings in the hour."""
    return {
        "core_record": _core_record(data, lookups),
        "openings_by_officer_last_hour": lookups.journeys_by_officer(
            instance_id, timedelta(hours=1), (OPENED,)
        ),
    }


def _core_record(data: dict[str, Any], lookups: ReviewLookups) -> dict[str, Any] | None:
    serial = (data.get("core_result") or {}).get("request_id")
    if not serial:
        return None
    status = lookups.core.query_status(serial, serial + ":supervision")
    if status.status != "OPENED" or status.result is None:
        return {}
    r = status.result
    return {
        "cif_no": r.cif_no,
        "account_no": r.account_no,
        "card_no": r.card_no,
        "core_serial_no": r.core_serial_no,
    }


def checks_before_action(r: ReviewInput) -> RuleResult:
    opens = r.results_of("core.open_account")
    if not opens:
        return RuleResult("CHECKS_BEFORE_ACTION", NOT_APPLICABLE, "no core opening")
    opened_at = min(e["at"] for e in opens)
    for operation in PRECHECKS:
        done = r.first_result_at(operation)
        if done is None or done > opened_at:
            return RuleResult("CHECKS_BEFORE_ACTION", FLAG, f"{operation} missing or after the opening")
    return RuleResult("CHECKS_BEFORE_ACTION", PASS)


def voucher_matches_core(r: ReviewInput) -> RuleResult:
    if r.outcome != OPENED:
        return RuleResult("VOUCHER_MATCHES_CORE", NOT_APPLICABLE, "nothing opened")
    ours, core = r.data.get("core_result") or {}, r.extra.get("core_record") or {}
    fields = ("cif_no", "account_no", "card_no", "core_serial_no")
    differing = [f for f in fields if ours.get(f) != core.get(f)]
    if not core or differing:
        return RuleResult(
            "VOUCHER_MATCHES_CORE",
            FLAG,
            f"differs from the core log: {', '.join(differing) or 'no core record'}",
        )
    return RuleResult("VOUCHER_MATCHES_CORE", PASS)


def card_bound_from_stock(r: ReviewInput) -> RuleResult:
    if r.outcome != OPENED:
        return RuleResult("CARD_FROM_STOCK", NOT_APPLICABLE, "nothing opened")
    card = r.data.get("card_no")
    bound = (r.data.get("core_result") or {}).get("card_no")
    checked = [e for e in r.results_of("core.check_card") if e["detail"].get("result") == "OK"]
    if card != bound:
        return RuleResult("CARD_FROM_STOCK", FLAG, "the bound card is not the scanned card")
    if not checked:
        return RuleResult("CARD_FROM_STOCK", FLAG, "no stock check of the card before binding")
    return RuleResult("CARD_FROM_STOCK", PASS)


def declarations_signed(r: ReviewInput) -> RuleResult:
    if r.outcome != OPENED:
        return RuleResult("DECLARATIONS_SIGNED", NOT_APPLICABLE, "nothing opened")
    keys = ("risk_notice_read", "declaration_own_use", "declaration_no_rent_lend_sell")
    if not all(r.data.get(k) is True for k in keys) or not r.data.get("customer_signature"):
        return RuleResult("DECLARATIONS_SIGNED", FLAG, "risk notice, declaration or signature missing")
    if not r.data.get("tax_residency") or not r.data.get("account_purpose"):
        return RuleResult("DECLARATIONS_SIGNED", FLAG, "tax residency or purpose missing")
    return RuleResult("DECLARATIONS_SIGNED", PASS)


def reserved_mobile_verified(r: ReviewInput) -> RuleResult:
    if r.outcome != OPENED:
        return RuleResult("MOBILE_VERIFIED", NOT_APPLICABLE, "nothing opened")
    mobile = r.data.get("mobile_result") or {}
    if mobile.get("result") != "MATCH" or (r.data.get("otp_result") or {}).get("result") != "VERIFIED":
        return RuleResult("MOBILE_VERIFIED", FLAG, "telco match or OTP missing")
    if mobile.get("flags"):
        return RuleResult("MOBILE_VERIFIED", FLAG, "risk flags: " + ", ".join(mobile["flags"]))
    return RuleResult("MOBILE_VERIFIED", PASS)


velocity = velocity_rule("openings_by_officer_last_hour", VELOCITY_LIMIT_PER_HOUR, "openings", "an hour")


RULES: tuple[Rule, ...] = (
    checks_before_action,
    voucher_matches_core,
    card_bound_from_stock,
    declarations_signed,
    reserved_mobile_verified,
    velocity,
)
