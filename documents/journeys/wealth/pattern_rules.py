"""J3's "same answer pattern across many customers of one FO" flag (domain J3 "Post-supervision checks",
§5 不得代为操作): an officer who answers for the customers leaves the same answers behind each time.

The pattern is the questionnaire version and the option picked for each question, Q1 (the age band, read
from the ID card) left out. The journey declares it as a fingerprint: the evidence service keeps only its
blind index with the package, and review time counts how many other customers of the same officer left
the same one, so no answers are ever compared in clear across customers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from documents.supervision.review import FLAG, NOT_APPLICABLE, PASS, ReviewInput, ReviewLookups, RuleResult
from engine.journeys.wealth.questionnaire import DERIVED_QUESTION

ANSWER_PATTERN = "answer_pattern"
PATTERN_WINDOW = timedelta(days=30)  # [Sim]
# [Sim] three other customers of one officer with the very same nine answers in a month is more than
# coincidence among balanced middle-of-the-road customers
PATTERN_LIMIT = 3
FACT = "answer_pattern_others"


def answer_pattern(data: Mapping[str, Any]) -> str | None:
    """The scored questionnaire's version and picked options in question order, without the derived
    age band; None when no questionnaire was taken (a valid assessment was reused) or it is unreadable."""
    assessment = data.get("assessment")
    if not isinstance(assessment, Mapping):
        return None
    version, questions = assessment.get("questionnaire_version"), assessment.get("questions")
    if not isinstance(version, str) or not isinstance(questions, list) or not questions:
        return None
    picked: list[tuple[int, str, str]] = []
    for q in questions:
        if not isinstance(q, Mapping):
            return None
        number, qid, selected = q.get("number"), q.get("id"), q.get("selected")
        if not isinstance(number, int) or not isinstance(qid, str) or not isinstance(selected, str):
            return None
        if qid != DERIVED_QUESTION:
            picked.append((number, qid, selected))
    return version + "|" + "|".join(f"{qid}={selected}" for _, qid, selected in sorted(picked))


def review_facts(instance_id: str, lookups: ReviewLookups) -> dict[str, Any]:
    """How many other customers of the officer left the same answer pattern within 30 days."""
    return {FACT: lookups.shared_fingerprint(instance_id, ANSWER_PATTERN, PATTERN_WINDOW)}


def same_answer_pattern(r: ReviewInput) -> RuleResult:
    """Flag when at least three other customers of the same officer gave the very same answers within
    30 days [Sim]. Says how many, never who."""
    if answer_pattern(r.data) is None:
        return RuleResult("SAME_ANSWER_PATTERN", NOT_APPLICABLE, "no questionnaire taken")
    others = r.extra.get(FACT)
    if not isinstance(others, int) or isinstance(others, bool):
        return RuleResult("SAME_ANSWER_PATTERN", FLAG, "the answer pattern could not be compared")
    said = f"same answers as {others} other customer(s) of this officer within 30 days"
    if others >= PATTERN_LIMIT:
        return RuleResult("SAME_ANSWER_PATTERN", FLAG, said)
    return RuleResult("SAME_ANSWER_PATTERN", PASS, said)
