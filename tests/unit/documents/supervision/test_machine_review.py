"""The rules every package gets: checks for this customer (and the people the journey declares), one
velocity factory, and a rule that fails flags instead of raising."""

from __future__ import annotations

from typing import Any

from documents.supervision.review import (
    FLAG,
    PASS,
    ReviewInput,
    RuleResult,
    checks_match_customer,
    machine_review,
    velocity_rule,
)


def check(subject: str, operation: str = "identity.verify") -> dict[str, Any]:
    return {
        "kind": "service_result",
        "at": "2025-06-01T01:00:00+00:00",
        "detail": {"operation": operation, "subject": subject},
    }


def review(trail: list[dict[str, Any]], parties: frozenset[str] = frozenset(), **extra: Any) -> ReviewInput:
    return ReviewInput({}, trail, {}, [], "customer", extra=extra, party_indices=parties)


def test_checks_for_the_customer_pass_and_for_anyone_else_flag() -> None:
    assert (
        checks_match_customer(
            review([check("customer"), check("customer", "watchlist.screen_person")])
        ).result
        == PASS
    )
    assert checks_match_customer(review([check("customer"), check("stranger")])).result == FLAG
    assert checks_match_customer(review([])).result == FLAG


def test_checks_for_a_declared_party_pass_but_never_instead_of_the_customer() -> None:
    holder = frozenset({"holder"})
    assert checks_match_customer(review([check("customer"), check("holder")], holder)).result == PASS
    assert checks_match_customer(review([check("holder")], holder)).result == FLAG


def test_face_results_count_as_checks_for_the_customer_or_a_declared_party() -> None:
    holder = frozenset({"holder"})
    faces = [check("customer"), check("customer", "face.compare"), check("holder", "face.compare")]
    assert checks_match_customer(review(faces, holder)).result == PASS
    stranger = [check("customer"), check("stranger", "face.compare")]
    assert checks_match_customer(review(stranger, holder)).result == FLAG


def test_the_velocity_factory_flags_above_its_limit() -> None:
    rule = velocity_rule("count", 2, "openings", "an hour")
    assert rule(review([], count=2)).result == PASS
    assert rule(review([], count=3)) == RuleResult("VELOCITY", FLAG, "3 openings by this officer in an hour")


def test_a_journey_rule_that_raises_flags_for_a_human() -> None:
    def broken(_r: ReviewInput) -> RuleResult:
        raise KeyError("x")

    results = machine_review(review([check("customer")]), (broken,))
    assert results[-1] == RuleResult("BROKEN", FLAG, "rule failed: KeyError")
