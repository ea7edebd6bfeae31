"""J3's machine rules, each both ways, on the signed sample as its package holds it (data.json,
trail.json, the manifest's file list)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from documents.evidence.manifest import canonical_json
from documents.evidence.package import package_files
from documents.journeys.wealth import EVIDENCE, rules
from documents.journeys.wealth.samples import signed_facts
from documents.supervision.recording_facts import recording_lengths
from documents.supervision.review import FLAG, NOT_APPLICABLE, PASS, ReviewInput, machine_review
from engine.journeys.wealth import JOURNEY

J3_RULES = {
    "ASSESSMENT_BEFORE_SIGNING",
    "LEVEL_COVERS_PRODUCT",
    "ANSWERED_BY_CUSTOMER",
    "RECORDED_FLAGS",
    "LEVEL_JUMP",
    "ASSESSMENTS_ON_DEVICE",
    "HAND_COPY_PRESENT",
    "WEALTH_OFFICER_QUALIFIED",
    "ELDERLY_APPROVED",
    "DUAL_RECORDING_PRESENT",
    "SAME_ANSWER_PATTERN",
    "COOLING_OFF_RESPECTED",
}
ELDERLY_ID = "420102195901010070"  # §13.2 刘志强, 66


def review_input(**extra: Any) -> ReviewInput:
    """What MachineReviewer hands the rules: the package's JSON as read back, and its manifest."""
    facts = signed_facts()
    files = package_files(facts, {f"{name}.pdf": b"%PDF-" for name in EVIDENCE.documents(facts)})
    return ReviewInput(
        data=json.loads(canonical_json(facts.data)),
        trail=json.loads(canonical_json(facts.trail)),
        manifest={
            "outcome": facts.outcome,
            "staff_id": facts.staff_id,
            "completed_at": facts.completed_at.isoformat(),
            "files": [{"name": name} for name in sorted(files)],
        },
        package_problems=[],
        subject_index=None,
        extra={"journeys_on_device_last_hour": 1, "answer_pattern_others": 0, **extra},
        recordings=recording_lengths({name: content for name, (_type, content) in files.items()}),
    )


def event(r: ReviewInput, task_spec: str) -> dict[str, Any]:
    return next(e for e in r.trail if e.get("task_spec") == task_spec)


def at(value: str, delta: timedelta) -> str:
    return (datetime.fromisoformat(value) + delta).isoformat()


def test_the_signed_sample_passes_every_j3_rule() -> None:
    results = {r.code: r for r in machine_review(review_input(), EVIDENCE.rules)}
    assert set(results) >= J3_RULES
    flagged = {code: r.reason for code, r in results.items() if r.result == FLAG and code in J3_RULES}
    assert flagged == {}
    assert results["DUAL_RECORDING_PRESENT"].result == PASS
    assert results["ELDERLY_APPROVED"].result == NOT_APPLICABLE  # 张伟 is 35
    assert results["COOLING_OFF_RESPECTED"].result == NOT_APPLICABLE  # signed, nothing ordered


def test_each_j3_rule_answers_under_its_own_code_with_a_chinese_label() -> None:
    codes = [rule(review_input()).code for rule in EVIDENCE.rules]
    assert sorted(codes) == sorted(J3_RULES)
    assert {code: JOURNEY.labels.get(code) for code in codes if not JOURNEY.labels.get(code)} == {}


# ------------------------------------------------------------------ assessment before the signing


def test_an_assessment_recorded_before_the_signing_passes() -> None:
    assert rules.assessment_before_signing(review_input()).result == PASS


def test_an_assessment_recorded_after_the_signing_is_flagged() -> None:
    r = review_input()
    signed = event(r, "product_signing")["at"]
    r.data["current_assessment"]["assessed_at"] = at(signed, timedelta(seconds=1))
    result = rules.assessment_before_signing(r)
    assert (result.result, result.reason) == (FLAG, "assessed after the signing or the order")


def test_an_order_placed_before_the_assessment_is_flagged() -> None:
    r = review_input()
    assessed = r.data["current_assessment"]["assessed_at"]
    r.trail.append(
        {
            "kind": "service_result",
            "at": at(assessed, -timedelta(minutes=1)),
            "detail": {"operation": "wealth.place_order"},
        }
    )
    assert rules.assessment_before_signing(r).result == FLAG


def test_a_signing_without_an_assessment_time_is_flagged_and_no_signing_is_not_applicable() -> None:
    r = review_input()
    del r.data["current_assessment"]["assessed_at"]
    assert rules.assessment_before_signing(r).result == FLAG
    r.trail = [e for e in r.trail if e.get("task_spec") != "product_signing"]
    assert rules.assessment_before_signing(r).result == NOT_APPLICABLE


# ------------------------------------------------------------------ R ≤ C


def test_a_product_at_or_below_the_level_passes_and_above_it_is_flagged() -> None:
    r = review_input()
    assert rules.level_covers_product(r) == rules.RuleResult("LEVEL_COVERS_PRODUCT", PASS, "R3 ≤ C3")
    r.data["chosen_product"]["risk_level"] = "R4"
    assert rules.level_covers_product(r) == rules.RuleResult("LEVEL_COVERS_PRODUCT", FLAG, "R4 above C3")
    r.data["chosen_product"]["risk_level"] = "high"
    assert rules.level_covers_product(r).result == FLAG
    del r.data["chosen_product"]
    assert rules.level_covers_product(r).result == NOT_APPLICABLE


# ------------------------------------------------------------------ the customer answered


def test_a_questionnaire_answered_by_the_customer_in_over_a_minute_passes() -> None:
    result = rules.answered_by_customer(review_input())
    assert (result.result, result.reason) == (PASS, "answered in 126 s in total")  # 9 x 14 s


def test_a_questionnaire_answered_in_under_sixty_seconds_is_flagged() -> None:
    r = review_input()
    r.data["assessment"]["total_answer_ms"] = 59_999
    result = rules.answered_by_customer(r)
    assert (result.result, result.reason) == (FLAG, "answered in 60 s in total")
    r.data["assessment"]["total_answer_ms"] = 60_000
    assert rules.answered_by_customer(r).result == PASS


def test_a_questionnaire_not_on_the_customers_screen_is_flagged() -> None:
    r = review_input()
    del event(r, "questionnaire")["detail"]["by_customer"]
    assert rules.answered_by_customer(r).result == FLAG


def test_no_questionnaire_taken_is_not_applicable() -> None:
    r = review_input()
    del r.data["assessment"]
    assert rules.answered_by_customer(r).result == NOT_APPLICABLE
    assert rules.level_jump(r).result == NOT_APPLICABLE


# ------------------------------------------------------------------ the journey's own flags


def test_flags_the_journey_recorded_are_surfaced() -> None:
    assert rules.recorded_flags(review_input()).result == PASS
    r = review_input()
    r.data["assessment"]["flags"] = ["ANSWERED_TOO_FAST"]
    r.data["retake_check"] = {"flags": ["LEVEL_ROSE_TODAY"]}
    r.data["wealth_rejection"] = {"flags": ["LEVEL_ROSE_TODAY", "RETAKE_LIMIT_REACHED"]}
    result = rules.recorded_flags(r)
    assert (result.result, result.reason) == (
        FLAG,
        "the journey flagged ANSWERED_TOO_FAST, LEVEL_ROSE_TODAY, RETAKE_LIMIT_REACHED",
    )


# ------------------------------------------------------------------ level jump


def test_a_jump_of_two_levels_within_thirty_days_is_flagged() -> None:
    r = review_input()
    assessed = r.data["assessment"]["assessed_at"]
    r.data["assessment_check"]["current"] = {"level": "C1", "assessed_at": at(assessed, -timedelta(days=30))}
    result = rules.level_jump(r)
    assert (result.result, result.reason) == (FLAG, "C1 → C3 in 30 days")


def test_a_jump_of_one_level_or_after_thirty_days_passes() -> None:
    r = review_input()
    assessed = r.data["assessment"]["assessed_at"]
    r.data["assessment_check"]["current"] = {"level": "C2", "assessed_at": at(assessed, -timedelta(days=2))}
    assert rules.level_jump(r).result == PASS
    r.data["assessment_check"]["current"] = {"level": "C1", "assessed_at": at(assessed, -timedelta(days=31))}
    assert rules.level_jump(r).result == PASS


def test_no_previous_assessment_passes_and_an_unreadable_one_is_flagged() -> None:
    r = review_input()
    r.data["assessment_check"]["current"] = None
    assert rules.level_jump(r) == rules.RuleResult("LEVEL_JUMP", PASS, "no previous assessment")
    r.data["assessment_check"]["current"] = {"level": "C1", "assessed_at": "yesterday"}
    assert rules.level_jump(r).result == FLAG


# ------------------------------------------------------------------ one device, many assessments


def test_four_journeys_on_a_device_in_an_hour_pass_and_five_are_flagged() -> None:
    assert rules.assessments_on_device(review_input(journeys_on_device_last_hour=4)).result == PASS
    result = rules.assessments_on_device(review_input(journeys_on_device_last_hour=5))
    assert (result.result, result.reason) == (FLAG, "5 on this device in an hour")
    assert rules.assessments_on_device(review_input(journeys_on_device_last_hour=None)).result == FLAG


def test_review_facts_ask_for_the_device_in_an_hour_and_the_officers_answer_patterns() -> None:
    asked: list[tuple[str, timedelta]] = []
    compared: list[tuple[str, str, timedelta]] = []

    class Lookups:
        core: Any = None

        def journeys_by_officer(self, instance_id: str, window: timedelta, outcomes: Any) -> int:
            raise AssertionError("J3 does not ask for the officer's volume")

        def shared_links(self, instance_id: str, window: timedelta) -> dict[str, int]:
            raise AssertionError("J3 declares no linking fields")

        def journeys_on_device(self, instance_id: str, window: timedelta) -> int:
            asked.append((instance_id, window))
            return 3

        def shared_fingerprint(self, instance_id: str, name: str, window: timedelta) -> int | None:
            compared.append((instance_id, name, window))
            return 2

    facts = EVIDENCE.review_facts("i-1", {}, Lookups())
    assert facts == {"journeys_on_device_last_hour": 3, "answer_pattern_others": 2}
    assert asked == [("i-1", timedelta(hours=1))]
    assert compared == [("i-1", "answer_pattern", timedelta(days=30))]


# ------------------------------------------------------------------ hand-copied sentence


def test_the_hand_copied_sentence_must_be_in_the_data_and_the_package() -> None:
    assert rules.hand_copy_present(review_input()).result == PASS
    r = review_input()
    r.manifest["files"] = [f for f in r.manifest["files"] if not f["name"].startswith("images/hand_copy.")]
    assert rules.hand_copy_present(r).result == FLAG
    r = review_input()
    del r.data["risk_hand_copy_image"]
    assert rules.hand_copy_present(r).result == FLAG


# ------------------------------------------------------------------ the officer's qualification


def test_the_officer_checked_at_start_for_wealth_sales_passes() -> None:
    result = rules.wealth_officer_qualified(review_input())
    assert (result.result, result.reason) == (PASS, "fo001 holds wealth_sales (checked at start)")


def test_a_start_without_the_qualification_or_of_another_officer_is_flagged() -> None:
    r = review_input()
    del r.trail[0]["detail"]["qualification"]
    assert rules.wealth_officer_qualified(r).result == FLAG
    r = review_input()
    r.manifest["staff_id"] = "fo002"
    assert rules.wealth_officer_qualified(r).result == FLAG


def test_a_field_officer_step_by_another_officer_is_flagged() -> None:
    r = review_input()
    event(r, "product_selection")["actor_id"] = "fo002"
    result = rules.wealth_officer_qualified(r)
    assert (result.result, result.reason) == (FLAG, "done by another officer: product_selection")


# ------------------------------------------------------------------ 65+


def elderly(r: ReviewInput, *, decision: str = "APPROVE", actor: str = "au001") -> ReviewInput:
    r.data.update(
        id_number=ELDERLY_ID, elderly_customer=True, disclosure_read_aloud=True, family_member_present=False
    )
    signed = event(r, "product_signing")
    approval = {
        "kind": "task_completed",
        "at": at(signed["at"], -timedelta(minutes=1)),
        "actor_id": actor,
        "task_spec": "remote_authorization",
        "detail": {"role": "authorizer", "decision": decision},
    }
    r.trail.insert(r.trail.index(signed), approval)
    return r


def test_a_customer_of_66_approved_by_an_authorizer_before_signing_passes() -> None:
    result = rules.elderly_approved(elderly(review_input()))
    assert (result.result, result.reason) == (
        PASS,
        "age 66: approved by an authorizer, read aloud, no family present",
    )


def test_a_customer_of_66_without_the_disclosure_read_aloud_or_the_family_answer_is_flagged() -> None:
    unread = elderly(review_input())
    unread.data.pop("disclosure_read_aloud")
    assert rules.elderly_approved(unread).reason == "age 66: disclosure not recorded as read aloud"
    unasked = elderly(review_input())
    unasked.data.pop("family_member_present")
    assert rules.elderly_approved(unasked).reason == "age 66: family presence not recorded"


def test_a_customer_of_66_without_an_approval_before_signing_is_flagged() -> None:
    r = review_input()
    r.data["id_number"] = ELDERLY_ID
    assert rules.elderly_approved(r).result == FLAG
    assert rules.elderly_approved(elderly(review_input(), decision="REJECT")).result == FLAG
    assert rules.elderly_approved(elderly(review_input(), actor="fo001")).result == FLAG
    late = elderly(review_input())
    approval = event(late, "remote_authorization")
    approval["at"] = at(event(late, "product_signing")["at"], timedelta(minutes=1))
    assert rules.elderly_approved(late).result == FLAG


# ------------------------------------------------------------------ 双录


def test_dual_recording_passes_a_sealed_recording_of_plausible_length() -> None:
    result = rules.dual_recording(review_input())
    assert (result.result, result.reason) == (PASS, "185 s (segments for the reviewer)")


def test_dual_recording_flags_a_missing_unreadable_or_implausible_recording() -> None:
    missing = review_input()
    missing.data.pop("dual_recording")
    assert rules.dual_recording(missing).result == FLAG
    unreadable = review_input()
    unreadable.recordings = {}  # the file did not parse: absent
    assert rules.dual_recording(unreadable).reason == "no readable 双录 in the package"
    short = review_input()
    short.recordings = {"recordings/dual_recording.mp4": 59_000}
    assert (rules.dual_recording(short).result, rules.dual_recording(short).reason) == (
        FLAG,
        "59 s: too short for the disclosure",
    )
    endless = review_input()
    endless.recordings = {"recordings/dual_recording.mp4": rules.MAX_RECORDING_MS + 1}
    assert rules.dual_recording(endless).result == FLAG
    other_role = review_input()
    other_role.recordings = {"recordings/other.mp4": 185_000}
    assert rules.dual_recording(other_role).result == FLAG


def test_dual_recording_does_not_apply_before_the_agreement_is_signed() -> None:
    r = review_input()
    r.trail = [e for e in r.trail if e.get("task_spec") != "product_signing"]
    assert rules.dual_recording(r).result == NOT_APPLICABLE
