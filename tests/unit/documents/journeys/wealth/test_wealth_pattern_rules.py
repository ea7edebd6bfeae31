"""SAME_ANSWER_PATTERN: the questionnaire's answer pattern, a fingerprint kept only as a blind index, and
the rule over how many other customers of the officer left the same one."""

from __future__ import annotations

from pathlib import Path

from crypto import FieldCipher, init_key_store
from documents.evidence.linking import fingerprint_indexes
from documents.journeys.wealth import EVIDENCE, pattern_rules
from documents.journeys.wealth.samples import ANSWERS, signed_facts
from documents.supervision.review import FLAG, NOT_APPLICABLE, PASS, RuleResult
from tests.unit.documents.journeys.wealth.test_wealth_supervision_rules import review_input

PATTERN = (
    "WRQ-2025-1|income_band=200k_500k|invest_share=50_70|experience_type=bonds_bond_funds"
    "|experience_years=1_3|knowledge=basic|objective=balanced|horizon=6_12m|max_loss=5_10|loss_reaction=hold"
)


def test_the_pattern_is_the_version_and_the_picked_options_in_question_order_without_the_age_band() -> None:
    data = signed_facts().data
    assert data["assessment"]["questions"][0]["id"] == "age_band"
    assert pattern_rules.answer_pattern(data) == PATTERN


def test_the_age_band_and_the_order_of_the_stored_rows_do_not_change_the_pattern() -> None:
    data = signed_facts().data
    questions = data["assessment"]["questions"]
    questions[0]["selected"] = "gt65"  # Q1 comes from the ID card, not from the customer
    questions.reverse()
    assert pattern_rules.answer_pattern(data) == PATTERN


def test_one_other_option_gives_another_pattern() -> None:
    data = signed_facts().data
    next(q for q in data["assessment"]["questions"] if q["id"] == "horizon")["selected"] = "1_3y"
    assert pattern_rules.answer_pattern(data) not in (None, PATTERN)


def test_no_questionnaire_or_an_unreadable_one_gives_no_pattern() -> None:
    data = signed_facts().data
    assert pattern_rules.answer_pattern({k: v for k, v in data.items() if k != "assessment"}) is None
    data["assessment"]["questions"][3]["selected"] = None
    assert pattern_rules.answer_pattern(data) is None


def test_the_journey_declares_the_pattern_and_only_its_blind_index_is_kept(tmp_path: Path) -> None:
    cipher = FieldCipher(init_key_store(tmp_path / "keys"))
    data = signed_facts().data
    [(name, index)] = fingerprint_indexes(data, EVIDENCE.fingerprints, cipher)
    assert name == "answer_pattern"
    assert index == cipher.blind_index("answer_pattern|" + PATTERN, kind="fingerprint")
    assert not any(answer in index for answer in ANSWERS.values())
    assert fingerprint_indexes({}, EVIDENCE.fingerprints, cipher) == []
    other = FieldCipher(init_key_store(tmp_path / "other"))
    assert fingerprint_indexes(data, EVIDENCE.fingerprints, other) != [(name, index)]


def test_two_other_customers_with_the_same_answers_pass() -> None:
    assert pattern_rules.same_answer_pattern(review_input(answer_pattern_others=2)) == RuleResult(
        "SAME_ANSWER_PATTERN", PASS, "same answers as 2 other customer(s) of this officer within 30 days"
    )


def test_three_other_customers_of_the_officer_with_the_same_answers_are_flagged_by_count_only() -> None:
    result = pattern_rules.same_answer_pattern(review_input(answer_pattern_others=3))
    assert result == RuleResult(
        "SAME_ANSWER_PATTERN", FLAG, "same answers as 3 other customer(s) of this officer within 30 days"
    )
    assert pattern_rules.same_answer_pattern(review_input(answer_pattern_others=7)).result == FLAG


def test_a_pattern_that_could_not_be_compared_is_flagged() -> None:
    for missing in (None, True, "3"):
        assert pattern_rules.same_answer_pattern(review_input(answer_pattern_others=missing)).result == FLAG


def test_a_reused_assessment_has_no_pattern_to_compare() -> None:
    r = review_input(answer_pattern_others=None)
    del r.data["assessment"]
    result = pattern_rules.same_answer_pattern(r)
    assert (result.result, result.reason) == (NOT_APPLICABLE, "no questionnaire taken")
