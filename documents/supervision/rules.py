"""Machine review (机审) rules of domain §2.11 and J1, over what the package itself holds.

Each rule sees the verified package's data.json and trail.json plus a few facts only the bank's systems
know (the core's record of the opening, the staff member's recent openings), and answers PASS, FLAG or
NOT_APPLICABLE with a short reason. Rules never raise: a rule that cannot decide flags for a human.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from forms.formats import age_on, id_birth_date

PASS, FLAG, NOT_APPLICABLE = "PASS", "FLAG", "NOT_APPLICABLE"
PRECHECKS = ("identity.verify", "watchlist.screen_person", "core.lookup_customer")
VELOCITY_LIMIT_PER_HOUR = 20  # [Sim] domain J1 post-supervision


@dataclass(frozen=True)
class RuleResult:
    code: str
    result: str
    reason: str = ""


@dataclass
class ReviewInput:
    data: dict[str, Any]
    trail: list[dict[str, Any]]
    manifest: dict[str, Any]
    package_problems: list[str]
    subject_index: str | None
    """Blind index of the journey customer's ID number, to compare with each check's subject."""
    core_record: dict[str, Any] | None
    """The core's answer to a status query by channel serial (None if the journey opened nothing)."""
    openings_by_staff_last_hour: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def opened(self) -> bool:
        return self.manifest.get("outcome") == "OPENED"

    def results_of(self, operation: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.trail
            if e.get("kind") == "service_result" and e["detail"].get("operation") == operation
        ]


Rule = Callable[[ReviewInput], RuleResult]


def package_integrity(r: ReviewInput) -> RuleResult:
    if r.package_problems:
        return RuleResult("PACKAGE_INTEGRITY", FLAG, "; ".join(r.package_problems)[:300])
    return RuleResult("PACKAGE_INTEGRITY", PASS, "digests and signature verified")


def checks_before_action(r: ReviewInput) -> RuleResult:
    opens = r.results_of("core.open_account")
    if not opens:
        return RuleResult("CHECKS_BEFORE_ACTION", NOT_APPLICABLE, "no core opening")
    opened_at = min(e["at"] for e in opens)
    for operation in PRECHECKS:
        done = r.results_of(operation)
        if not done or min(e["at"] for e in done) > opened_at:
            return RuleResult("CHECKS_BEFORE_ACTION", FLAG, f"{operation} missing or after the opening")
    return RuleResult("CHECKS_BEFORE_ACTION", PASS)


def checks_match_customer(r: ReviewInput) -> RuleResult:
    subjects = {e["detail"].get("subject") for op in PRECHECKS for e in r.results_of(op)}
    if not subjects:
        return RuleResult("CHECKS_MATCH_CUSTOMER", FLAG, "no check results in the trail")
    if subjects != {r.subject_index}:
        return RuleResult("CHECKS_MATCH_CUSTOMER", FLAG, "a check ran for another ID number")
    return RuleResult("CHECKS_MATCH_CUSTOMER", PASS)


def voucher_matches_core(r: ReviewInput) -> RuleResult:
    if not r.opened:
        return RuleResult("VOUCHER_MATCHES_CORE", NOT_APPLICABLE, "nothing opened")
    ours, core = r.data.get("core_result") or {}, r.core_record or {}
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
    if not r.opened:
        return RuleResult("CARD_FROM_STOCK", NOT_APPLICABLE, "nothing opened")
    card = r.data.get("card_no")
    bound = (r.data.get("core_result") or {}).get("card_no")
    checked = [e for e in r.results_of("core.check_card") if e["detail"].get("result") == "OK"]
    if card != bound:
        return RuleResult("CARD_FROM_STOCK", FLAG, "the bound card is not the scanned card")
    if not checked:
        return RuleResult("CARD_FROM_STOCK", FLAG, "no stock check of the card before binding")
    return RuleResult("CARD_FROM_STOCK", PASS)


def maker_is_not_checker(r: ReviewInput) -> RuleResult:
    makers = {
        e.get("actor_id")
        for e in r.trail
        if e.get("kind") in ("instance_started", "task_completed")
        and e["detail"].get("role", "field_officer") == "field_officer"
    }
    checkers = {
        e.get("actor_id")
        for e in r.trail
        if e.get("kind") == "task_completed" and e["detail"].get("role") in ("authorizer", "aml_officer")
    }
    if makers & checkers:
        return RuleResult("MAKER_NOT_CHECKER", FLAG, "the same person made and checked")
    return RuleResult("MAKER_NOT_CHECKER", PASS)


def device_active(r: ReviewInput) -> RuleResult:
    # the device registry (devices/) does not exist yet: say so instead of pretending to check
    return RuleResult("DEVICE_ACTIVE", NOT_APPLICABLE, "device registry not available")


def id_valid_on_date(r: ReviewInput) -> RuleResult:
    valid_to = r.data.get("id_valid_to")
    completed = str(r.manifest.get("completed_at", ""))[:10]
    if not valid_to or not completed:
        return RuleResult("ID_VALID", FLAG, "validity or date missing")
    if valid_to != "长期" and valid_to < completed:
        return RuleResult("ID_VALID", FLAG, "the ID card had expired")
    return RuleResult("ID_VALID", PASS)


def declarations_signed(r: ReviewInput) -> RuleResult:
    if not r.opened:
        return RuleResult("DECLARATIONS_SIGNED", NOT_APPLICABLE, "nothing opened")
    keys = ("risk_notice_read", "declaration_own_use", "declaration_no_rent_lend_sell")
    if not all(r.data.get(k) is True for k in keys) or not r.data.get("customer_signature"):
        return RuleResult("DECLARATIONS_SIGNED", FLAG, "risk notice, declaration or signature missing")
    if not r.data.get("tax_residency") or not r.data.get("account_purpose"):
        return RuleResult("DECLARATIONS_SIGNED", FLAG, "tax residency or purpose missing")
    return RuleResult("DECLARATIONS_SIGNED", PASS)


def reserved_mobile_verified(r: ReviewInput) -> RuleResult:
    if not r.opened:
        return RuleResult("MOBILE_VERIFIED", NOT_APPLICABLE, "nothing opened")
    mobile = r.data.get("mobile_result") or {}
    if mobile.get("result") != "MATCH" or (r.data.get("otp_result") or {}).get("result") != "VERIFIED":
        return RuleResult("MOBILE_VERIFIED", FLAG, "telco match or OTP missing")
    if mobile.get("flags"):
        return RuleResult("MOBILE_VERIFIED", FLAG, "risk flags: " + ", ".join(mobile["flags"]))
    return RuleResult("MOBILE_VERIFIED", PASS)


def velocity(r: ReviewInput) -> RuleResult:
    if r.openings_by_staff_last_hour > VELOCITY_LIMIT_PER_HOUR:
        return RuleResult(
            "VELOCITY", FLAG, f"{r.openings_by_staff_last_hour} openings by this officer in an hour"
        )
    return RuleResult("VELOCITY", PASS)


def aml_sampling_band(r: ReviewInput) -> RuleResult:
    birth = id_birth_date(str(r.data.get("id_number", "")))
    completed = str(r.manifest.get("completed_at", ""))[:10]
    if birth is None or not completed:
        return RuleResult("AGE_BAND", NOT_APPLICABLE)
    age = age_on(birth, date.fromisoformat(completed))
    if 16 <= age <= 25 or age >= 60:
        return RuleResult("AGE_BAND", FLAG, f"age {age}: AML sampling band")
    return RuleResult("AGE_BAND", PASS)


RULES: tuple[Rule, ...] = (
    package_integrity,
    checks_before_action,
    checks_match_customer,
    voucher_matches_core,
    card_bound_from_stock,
    maker_is_not_checker,
    device_active,
    id_valid_on_date,
    declarations_signed,
    reserved_mobile_verified,
    velocity,
    aml_sampling_band,
)


def machine_review(r: ReviewInput) -> list[RuleResult]:
    results = []
    for rule in RULES:
        try:
            results.append(rule(r))
        except Exception as exc:
            results.append(RuleResult(rule.__name__.upper(), FLAG, f"rule failed: {type(exc).__name__}"))
    return results


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)
