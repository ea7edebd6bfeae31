"""J3's machine rules (domain J3 "Post-supervision checks", §5, §2.11): the assessment before the
signing, level ≥ product risk, the questionnaire answered by the customer, the flags the journey recorded,
a level jump within 30 days, many assessments on one device, the hand-copied sentence, the officer's
wealth-sales qualification, the authorizer's approval for 65+, and the 双录's presence and length.

Each reads the verified package (data.json, trail.json, the manifest's file list). Times are compared as
moments: the trail holds UTC, the assessment record Asia/Shanghai.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from documents.journeys.wealth import cooling_off_rules, pattern_rules
from documents.supervision.review import (
    FLAG,
    NOT_APPLICABLE,
    PASS,
    ReviewInput,
    ReviewLookups,
    Rule,
    RuleResult,
    moment,
)
from engine.journeys.wealth import QUALIFICATION
from engine.journeys.wealth.projection import PROCESS_ID
from engine.journeys.wealth.rules import ELDERLY_AGE, MIN_TOTAL_ANSWER_MS, level_digit
from forms.formats import age_on, id_birth_date

SIGNING = "product_signing"
PLACE_ORDER = "wealth.place_order"
QUESTIONNAIRE = "questionnaire"
AUTHORIZATION = "remote_authorization"
LEVEL_JUMP = 2  # C2 → C4 (domain J3 post-supervision) [Practice flag]
LEVEL_JUMP_WINDOW = timedelta(days=30)
DEVICE_WINDOW = timedelta(hours=1)
# [Sim] a J3 takes 10–20 min at the customer's side (domain timings): more than four on one tablet in an
# hour is more than one officer can have sat through
DEVICE_LIMIT_PER_HOUR = 4
# where the journey records its own flags (engine/journeys/wealth/operations.py): the scored attempt,
# the retake check, and the retake limit's rejection
FLAG_SOURCES = ("assessment", "retake_check", "wealth_rejection")
RECORDING_ROLE = "dual_recording"
# [Sim] reading the risk disclosure's key points aloud and the customer's spoken confirmation take at
# least a minute; a shorter recording cannot hold both
MIN_RECORDING_MS = 60_000
MAX_RECORDING_MS = 2 * 3600 * 1000  # [Sim] a J3 takes 10-20 min at the customer's side


def review_facts(instance_id: str, data: dict[str, Any], lookups: ReviewLookups) -> dict[str, Any]:
    """The J3s started on this journey's device in the hour up to its start; the officer's other
    customers who left the same answer pattern."""
    return {
        "journeys_on_device_last_hour": lookups.journeys_on_device(instance_id, DEVICE_WINDOW),
        **pattern_rules.review_facts(instance_id, lookups),
    }


def _record(r: ReviewInput, field: str) -> dict[str, Any]:
    value = r.data.get(field)
    return value if isinstance(value, dict) else {}


def _level(value: Any) -> int | None:
    try:
        return level_digit(str(value))
    except ValueError:
        return None


def _started(r: ReviewInput) -> dict[str, Any] | None:
    return next((e for e in r.trail if e.get("kind") == "instance_started"), None)


def assessment_before_signing(r: ReviewInput) -> RuleResult:
    """§2.11 "risk assessment before purchase": the assessment the journey went on with was recorded
    before the customer signed the product agreement and before any order reached `wm_sales`."""
    acts = [moment(e.get("at")) for e in (*r.completed(SIGNING), *r.results_of(PLACE_ORDER))]
    if not acts:
        return RuleResult("ASSESSMENT_BEFORE_SIGNING", NOT_APPLICABLE, "no agreement signed, no order")
    assessed_at = moment(_record(r, "current_assessment").get("assessed_at"))
    if assessed_at is None:
        return RuleResult("ASSESSMENT_BEFORE_SIGNING", FLAG, "signed without a time-stamped assessment")
    if any(a is None for a in acts):
        return RuleResult("ASSESSMENT_BEFORE_SIGNING", FLAG, "signing or order time unreadable")
    if assessed_at >= min(a for a in acts if a is not None):
        return RuleResult("ASSESSMENT_BEFORE_SIGNING", FLAG, "assessed after the signing or the order")
    return RuleResult("ASSESSMENT_BEFORE_SIGNING", PASS)


def level_covers_product(r: ReviewInput) -> RuleResult:
    """R ≤ C (§5.3, no overrides): the chosen product's risk level at most the customer's level."""
    product = _record(r, "chosen_product")
    if not product:
        return RuleResult("LEVEL_COVERS_PRODUCT", NOT_APPLICABLE, "no product chosen")
    level = _record(r, "current_assessment").get("level")
    customer, risk = _level(level), _level(product.get("risk_level"))
    if customer is None or risk is None:
        return RuleResult("LEVEL_COVERS_PRODUCT", FLAG, "level or product risk missing")
    if risk > customer:
        return RuleResult("LEVEL_COVERS_PRODUCT", FLAG, f"{product.get('risk_level')} above {level}")
    return RuleResult("LEVEL_COVERS_PRODUCT", PASS, f"{product.get('risk_level')} ≤ {level}")


def answered_by_customer(r: ReviewInput) -> RuleResult:
    """J3 step 3 (不得代为操作): the questionnaire on the customer's hand-over screen, and not faster in
    total than 60 s [Sim], which no one reading the questions answers in."""
    assessment = _record(r, "assessment")
    if not assessment:
        return RuleResult("ANSWERED_BY_CUSTOMER", NOT_APPLICABLE, "no questionnaire taken (valid one used)")
    answered = r.completed(QUESTIONNAIRE)
    if not answered or not all((e.get("detail") or {}).get("by_customer") is True for e in answered):
        return RuleResult("ANSWERED_BY_CUSTOMER", FLAG, "the questionnaire was not on the customer's screen")
    total = assessment.get("total_answer_ms")
    if not isinstance(total, int):
        return RuleResult("ANSWERED_BY_CUSTOMER", FLAG, "no answer times recorded")
    if total < MIN_TOTAL_ANSWER_MS:
        return RuleResult("ANSWERED_BY_CUSTOMER", FLAG, f"answered in {total / 1000:.0f} s in total")
    return RuleResult("ANSWERED_BY_CUSTOMER", PASS, f"answered in {total / 1000:.0f} s in total")


def recorded_flags(r: ReviewInput) -> RuleResult:
    """What the journey itself flagged while it ran (ANSWERED_TOO_FAST, LEVEL_ROSE_TODAY,
    RETAKE_LIMIT_REACHED): each goes to a human."""
    flags = sorted(
        {
            str(flag)
            for source in FLAG_SOURCES
            for flag in _record(r, source).get("flags") or ()
            if isinstance(flag, str)
        }
    )
    if flags:
        return RuleResult("RECORDED_FLAGS", FLAG, "the journey flagged " + ", ".join(flags))
    return RuleResult("RECORDED_FLAGS", PASS)


def level_jump(r: ReviewInput) -> RuleResult:
    """A level two or more above the previous assessment (from `wm_sales` at the journey's start) taken
    within 30 days of it [Practice flag]: a customer coached to a riskier shelf looks like this."""
    new = _record(r, "assessment")
    if not new:
        return RuleResult("LEVEL_JUMP", NOT_APPLICABLE, "no questionnaire taken")
    previous = _record(r, "assessment_check").get("current")
    if not isinstance(previous, dict):
        return RuleResult("LEVEL_JUMP", PASS, "no previous assessment")
    before, after = _level(previous.get("level")), _level(new.get("level"))
    then, now = moment(previous.get("assessed_at")), moment(new.get("assessed_at"))
    if before is None or after is None or then is None or now is None:
        return RuleResult("LEVEL_JUMP", FLAG, "a level or assessment time unreadable")
    if after - before >= LEVEL_JUMP and now - then <= LEVEL_JUMP_WINDOW:
        days = (now - then).days
        return RuleResult("LEVEL_JUMP", FLAG, f"{previous.get('level')} → {new.get('level')} in {days} days")
    return RuleResult("LEVEL_JUMP", PASS, f"{previous.get('level')} → {new.get('level')}")


def assessments_on_device(r: ReviewInput) -> RuleResult:
    """Many J3s on one tablet in an hour (domain J3 post-supervision): one device answering for many
    customers, counted by `review_facts`."""
    count = r.extra.get("journeys_on_device_last_hour")
    if not isinstance(count, int):
        return RuleResult("ASSESSMENTS_ON_DEVICE", FLAG, "the device's journeys could not be counted")
    if count > DEVICE_LIMIT_PER_HOUR:
        return RuleResult("ASSESSMENTS_ON_DEVICE", FLAG, f"{count} on this device in an hour")
    return RuleResult("ASSESSMENTS_ON_DEVICE", PASS, f"{count} on this device in an hour")


def _packaged(r: ReviewInput, role: str) -> bool:
    """The package holds the capture in `role` (`images/<role>.<ext>`)."""
    names = [str(f.get("name", "")) for f in r.manifest.get("files") or () if isinstance(f, dict)]
    return any(name.startswith(f"images/{role}.") for name in names)


def hand_copy_present(r: ReviewInput) -> RuleResult:
    """§5.4: the customer hand-copied the risk sentence when signing. Only its presence is checked: no
    OCR compares the wording yet, so a human reads it."""
    if not r.completed(SIGNING):
        return RuleResult("HAND_COPY_PRESENT", NOT_APPLICABLE, "no agreement signed")
    value = r.data.get("risk_hand_copy_image")
    if not isinstance(value, str) or not value or not _packaged(r, "hand_copy"):
        return RuleResult("HAND_COPY_PRESENT", FLAG, "no hand-copied sentence in the package")
    return RuleResult("HAND_COPY_PRESENT", PASS, "present (wording not machine-read)")


def wealth_officer_qualified(r: ReviewInput) -> RuleResult:
    """The officer held 理财销售资格: the engine refuses to start J3 without it and records the one it
    checked on the start event; every field-officer step must be that officer's."""
    start = _started(r)
    if start is None:
        return RuleResult("WEALTH_OFFICER_QUALIFIED", FLAG, "no start event in the trail")
    starter = start.get("actor_id")
    detail = start.get("detail") or {}
    if detail.get("process_id") != PROCESS_ID or starter != r.manifest.get("staff_id"):
        return RuleResult("WEALTH_OFFICER_QUALIFIED", FLAG, "the journey's start does not match the package")
    if detail.get("qualification") != QUALIFICATION:
        return RuleResult("WEALTH_OFFICER_QUALIFIED", FLAG, f"the start records no check of {QUALIFICATION}")
    others = sorted(
        {
            str(e.get("task_spec"))
            for e in r.trail
            if e.get("kind") == "task_completed"
            and (e.get("detail") or {}).get("role", "field_officer") == "field_officer"
            and e.get("actor_id") != starter
        }
    )
    if others:
        return RuleResult("WEALTH_OFFICER_QUALIFIED", FLAG, f"done by another officer: {', '.join(others)}")
    return RuleResult("WEALTH_OFFICER_QUALIFIED", PASS, f"{starter} holds {QUALIFICATION} (checked at start)")


def _age(r: ReviewInput) -> int | None:
    birth = id_birth_date(str(r.data.get("id_number", "")))
    completed = str(r.manifest.get("completed_at", ""))[:10]
    if birth is None or not completed:
        return None
    return age_on(birth, date.fromisoformat(completed))


def elderly_approved(r: ReviewInput) -> RuleResult:
    """§5.3: a customer of 65 or more signs only after an authorizer (not the officer) approved on the
    phone, with the large-print disclosure read aloud and whether family came recorded (the 双录 is
    DUAL_RECORDING_PRESENT's). The age is the ID number's on the day, not what the journey thought."""
    signed = [moment(e.get("at")) for e in r.completed(SIGNING)]
    if not signed:
        return RuleResult("ELDERLY_APPROVED", NOT_APPLICABLE, "no agreement signed")
    age = _age(r)
    if age is None:
        return RuleResult("ELDERLY_APPROVED", FLAG, "no age from the ID number")
    if age < ELDERLY_AGE:
        return RuleResult("ELDERLY_APPROVED", NOT_APPLICABLE, f"age {age}")
    start = _started(r) or {}
    approvals = [
        moment(e.get("at"))
        for e in r.completed(AUTHORIZATION)
        if (e.get("detail") or {}).get("decision") == "APPROVE"
        and (e.get("detail") or {}).get("role") == "authorizer"
        and e.get("actor_id") != start.get("actor_id")
    ]
    first_signed = min((s for s in signed if s is not None), default=None)
    if first_signed is None or not any(a is not None and a < first_signed for a in approvals):
        return RuleResult("ELDERLY_APPROVED", FLAG, f"age {age}: no authorizer approval before signing")
    if r.data.get("disclosure_read_aloud") is not True:
        return RuleResult("ELDERLY_APPROVED", FLAG, f"age {age}: disclosure not recorded as read aloud")
    if not isinstance(r.data.get("family_member_present"), bool):
        return RuleResult("ELDERLY_APPROVED", FLAG, f"age {age}: family presence not recorded")
    family = "family present" if r.data["family_member_present"] else "no family present"
    return RuleResult("ELDERLY_APPROVED", PASS, f"age {age}: approved by an authorizer, read aloud, {family}")


def dual_recording(r: ReviewInput) -> RuleResult:
    """双录 present with a plausible length (§J3): the recording sealed in the package, its length read
    from the file, long enough to hold the disclosure read aloud and the customer's confirmation and
    shorter than any sitting at a customer's side. Whether the picture shows those two segments is for
    the reviewer who plays it."""
    signed = [moment(e.get("at")) for e in r.completed(SIGNING)]
    if not signed:
        return RuleResult("DUAL_RECORDING_PRESENT", NOT_APPLICABLE, "no agreement signed")
    lengths = [ms for name, ms in r.recordings.items() if name.startswith(f"recordings/{RECORDING_ROLE}.")]
    if not r.data.get("dual_recording") or not lengths:
        return RuleResult("DUAL_RECORDING_PRESENT", FLAG, "no readable 双录 in the package")
    length_ms = max(lengths)
    seconds = f"{length_ms / 1000:.0f} s"
    if length_ms < MIN_RECORDING_MS:
        return RuleResult("DUAL_RECORDING_PRESENT", FLAG, f"{seconds}: too short for the disclosure")
    if length_ms > MAX_RECORDING_MS:
        return RuleResult("DUAL_RECORDING_PRESENT", FLAG, f"{seconds}: longer than a sitting")
    return RuleResult("DUAL_RECORDING_PRESENT", PASS, f"{seconds} (segments for the reviewer)")


RULES: tuple[Rule, ...] = (
    assessment_before_signing,
    level_covers_product,
    answered_by_customer,
    recorded_flags,
    level_jump,
    assessments_on_device,
    hand_copy_present,
    wealth_officer_qualified,
    elderly_approved,
    dual_recording,
    pattern_rules.same_answer_pattern,
    cooling_off_rules.cooling_off_respected,
)
