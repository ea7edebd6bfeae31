"""The analysts' risk-level table (processes/decisions/wealth_risk_level.dmn) and the DMN loader/validator."""

from __future__ import annotations

import pytest

from engine.errors import ProcessDefinitionError
from engine.journeys.wealth.operations import DECISION_CONTRACTS, RISK_LEVEL_DECISION
from engine.workflow.decisions import load_decision, load_decision_file, validate_decision

RAW = RISK_LEVEL_DECISION.read_bytes()


def level(score, knock_out=False, age=40, caps=False):
    out = load_decision_file(RISK_LEVEL_DECISION).evaluate(
        {"score": score, "knock_out": knock_out, "age": age, "age_caps_enabled": caps}
    )
    return out["level"], out["caps_applied"]


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (16, "C1"),
        (20, "C1"),
        (21, "C2"),
        (40, "C2"),
        (41, "C3"),
        (60, "C3"),
        (61, "C4"),
        (80, "C4"),
        (81, "C5"),
        (100, "C5"),
    ],
)
def test_every_band_boundary_gives_the_level_of_domain_5_2(score, expected):
    assert level(score) == (expected, [])


@pytest.mark.parametrize("score", [21, 55, 100])
def test_the_knock_out_makes_any_score_c1_and_names_itself(score):
    assert level(score, knock_out=True) == ("C1", ["KNOCK_OUT_NO_PRINCIPAL_LOSS"])


def test_the_knock_out_is_not_listed_when_the_score_was_c1_anyway():
    assert level(18, knock_out=True) == ("C1", [])


def test_age_caps_are_off_by_default():
    assert level(95, age=75) == ("C5", [])
    assert level(95, age=66) == ("C5", [])


@pytest.mark.parametrize(
    ("score", "age", "expected"),
    [
        (95, 70, ("C3", ["AGE_70_PLUS_MAX_C3"])),
        (70, 82, ("C3", ["AGE_70_PLUS_MAX_C3"])),
        (61, 70, ("C3", ["AGE_70_PLUS_MAX_C3"])),
        (60, 75, ("C3", [])),
        (95, 65, ("C4", ["AGE_65_69_MAX_C4"])),
        (81, 69, ("C4", ["AGE_65_69_MAX_C4"])),
        (80, 67, ("C4", [])),
        (95, 64, ("C5", [])),
    ],
)
def test_each_optional_age_cap_lowers_only_levels_above_it(score, age, expected):
    assert level(score, age=age, caps=True) == expected


def test_out_of_range_scores_match_no_row_and_name_the_table():
    with pytest.raises(ProcessDefinitionError) as caught:
        level(101)
    (problem,) = caught.value.problems
    assert (problem.file, problem.element_id) == ("wealth_risk_level.dmn", "wealth_risk_level_table")


def test_the_shipped_table_is_valid_under_its_contract():
    assert validate_decision(RAW, "wealth_risk_level.dmn", DECISION_CONTRACTS) == []
    decision = load_decision(RAW, "wealth_risk_level.dmn")
    assert (decision.decision_id, decision.hit_policy) == ("wealth_risk_level", "FIRST")
    assert decision.output_names == ("level", "caps_applied") and len(decision.content_sm3) == 64


def broken(old: str, new: str) -> bytes:
    assert old.encode() in RAW
    return RAW.replace(old.encode(), new.encode(), 1)


def problems(raw: bytes, contracts=None):
    return [(p.element_id, p.reason) for p in validate_decision(raw, "wealth_risk_level.dmn", contracts)]


def test_validation_names_the_cell_that_is_not_an_expression():
    ((element, reason),) = problems(broken("<text>&gt;= 70</text>", "<text>&gt;= = 70</text>"))
    assert element == "rule_cap_age_70_age" and "'>= = 70'" in reason


def test_validation_names_a_malformed_output_cell():
    ((element, reason),) = problems(broken('<text>"C2"</text>', '<text>"C2</text>'))
    assert element == "rule_band_c2_level" and "Malformed Output" in reason


def test_validation_names_a_rule_with_a_missing_cell():
    ((element, reason),) = problems(
        broken('<inputEntry id="rule_band_c2_caps"><text>-</text></inputEntry>', "")
    )
    assert element == "rule_band_c2" and "3 input" in reason


def test_validation_refuses_hit_policies_the_library_would_treat_as_first():
    ((element, reason),) = problems(broken('hitPolicy="FIRST"', 'hitPolicy="PRIORITY"'))
    assert element == "wealth_risk_level_table" and "PRIORITY" in reason


def test_validation_refuses_unsafe_cells():
    ((element, reason),) = problems(broken("<text>age</text>", "<text>age.__class__</text>"))
    assert element == "input_age" and "not allowed" in reason


def test_validation_reports_what_is_not_dmn_or_not_xml():
    ((element, reason),) = problems(b"<definitions")
    assert element is None and "not well-formed XML" in reason
    assert problems(b"<definitions/>") == [(None, "not a DMN 1.1/1.2/1.3 <definitions> document")]


def test_validation_reports_a_schema_violation_at_its_element():
    ((element, reason),) = problems(broken('<output id="output_level"', '<outputx id="output_level"'))
    assert element == "output_level" and "not expected" in reason and "(line " in reason


def test_the_contract_finds_a_gap_between_bands():
    raw = broken("<text>41 &lt;= ? &lt;= 60</text>", "<text>42 &lt;= ? &lt;= 60</text>")
    assert problems(raw) == []  # structurally fine ...
    ((element, reason),) = problems(raw, DECISION_CONTRACTS)  # ... but score 41 reaches no row
    assert element == "wealth_risk_level_table" and "score=41" in reason


def test_the_contract_refuses_a_level_outside_c1_to_c5_and_unknown_inputs():
    ((_, reason),) = problems(broken('<text>"C5"</text>', '<text>"C6"</text>'), DECISION_CONTRACTS)
    assert "score=81" in reason and "'C6'" in reason
    ((_, reason),) = problems(broken("<text>age</text>", "<text>customer_age</text>"), DECISION_CONTRACTS)
    assert "customer_age" in reason


def test_a_broken_cell_at_evaluation_names_its_rule():
    decision = load_decision(RAW, "wealth_risk_level.dmn")
    with pytest.raises(ProcessDefinitionError) as caught:
        decision.evaluate({"score": "high", "knock_out": False, "age": 40, "age_caps_enabled": False})
    assert caught.value.problems[0].element_id == "rule_band_c1"


def test_loading_a_broken_file_raises_with_every_problem():
    with pytest.raises(ProcessDefinitionError) as caught:
        load_decision(broken('hitPolicy="FIRST"', 'hitPolicy="ANY"'), "x.dmn")
    assert caught.value.problems[0].file == "x.dmn"
