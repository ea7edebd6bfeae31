"""J3 rules without I/O: renewal reasons, retakes, suitability for every R×C pair, qualified investors."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from engine.adapters.ports import SHANGHAI
from engine.journeys.wealth import rules

NOW = datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI)
LEVELS = ["C1", "C2", "C3", "C4", "C5"]
RISKS = ["R1", "R2", "R3", "R4", "R5"]


def assessment(days_ago=30, version="WRQ-2025-1", level="C3"):
    at = NOW - timedelta(days=days_ago)
    return {
        "level": level,
        "assessed_at": at.isoformat(),
        "expires_at": (at + rules.VALIDITY).isoformat(),
        "questionnaire_version": version,
    }


def product(risk="R3", offering="public", asset="mixed", minimum="10000.00", hours=0):
    return {
        "risk_level": risk,
        "offering": offering,
        "asset_class": asset,
        "min_amount": minimum,
        "cooling_off_hours": hours,
    }


# --- reassessment (J3 step 2) -------------------------------------------------------------------------


def test_no_assessment_needs_one():
    assert rules.reassessment_reasons(None, NOW, 40) == ["NO_ASSESSMENT"]


def test_a_recent_assessment_needs_nothing():
    assert rules.reassessment_reasons(assessment(30), NOW, 40) == []


def test_an_assessment_older_than_a_year_has_expired():
    assert rules.reassessment_reasons(assessment(364), NOW, 40) == []
    assert rules.reassessment_reasons(assessment(365), NOW, 40) == ["EXPIRED"]


def test_declared_changed_circumstances_need_a_new_assessment():
    assert rules.reassessment_reasons(assessment(), NOW, 40, changed_circumstances=True) == [
        "CHANGED_CIRCUMSTANCES"
    ]


@pytest.mark.parametrize("version", ["WRQ-2019-2", "WRQ-1999-9", None])
def test_a_retired_or_unknown_questionnaire_version_needs_a_new_assessment(version):
    assert rules.reassessment_reasons(assessment(version=version), NOW, 40) == ["QUESTIONNAIRE_RETIRED"]


def test_customers_65_plus_renew_after_six_months_unless_configured_off():
    assert rules.reassessment_reasons(assessment(200), NOW, 65) == ["ELDERLY_OLDER_THAN_6_MONTHS"]
    assert rules.reassessment_reasons(assessment(200), NOW, 64) == []
    assert rules.reassessment_reasons(assessment(150), NOW, 70) == []
    assert rules.reassessment_reasons(assessment(200), NOW, 70, elderly_renewal=False) == []


def test_every_applicable_reason_is_reported():
    got = rules.reassessment_reasons(assessment(400, "WRQ-2019-2"), NOW, 70, changed_circumstances=True)
    assert got == ["EXPIRED", "CHANGED_CIRCUMSTANCES", "QUESTIONNAIRE_RETIRED", "ELDERLY_OLDER_THAN_6_MONTHS"]


# --- retakes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 3, "2", True, None])
def test_the_daily_retake_limit_is_one_or_two(bad):
    assert rules.retake_limit(1) == 1 and rules.retake_limit(2) == 2
    with pytest.raises(ValueError):
        rules.retake_limit(bad)


def test_a_rising_level_on_one_day_is_flagged():
    assert rules.rising_level(("C1", "C2"))
    assert not rules.rising_level(("C3", "C2"))
    assert not rules.rising_level(())


# --- suitability: R ≤ C, hard block -------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("risk", RISKS)
def test_a_product_is_allowed_only_when_its_risk_is_at_most_the_level(level, risk):
    got = rules.suitability_problems(assessment(level=level), product(risk), Decimal("50000"), NOW)
    assert got == ([] if int(risk[1]) <= int(level[1]) else ["PRODUCT_RISK_ABOVE_LEVEL"])
    assert rules.allowed_product_levels(level) == RISKS[: int(level[1])]


def test_an_expired_assessment_blocks_buying():
    got = rules.suitability_problems(assessment(400, level="C5"), product("R1"), Decimal("50000"), NOW)
    assert got == ["ASSESSMENT_EXPIRED"]


def test_the_product_minimum_applies():
    assert rules.suitability_problems(assessment(), product(), Decimal("9999.99"), NOW) == [
        "BELOW_PRODUCT_MINIMUM"
    ]


@pytest.mark.parametrize(
    ("asset", "minimum"),
    [
        ("fixed_income", "300000"),
        ("mixed", "400000"),
        ("equity", "1000000"),
        ("commodity_derivatives", "1000000"),
    ],
)
def test_private_products_need_the_qualified_investor_minimum_for_their_asset_class(asset, minimum):
    private = product("R3", "private", asset, "1.00", 24)
    assert rules.suitability_problems(assessment(), private, Decimal(minimum), NOW) == []
    below = Decimal(minimum) - Decimal("0.01")
    assert rules.suitability_problems(assessment(), private, below, NOW) == [
        "BELOW_QUALIFIED_INVESTOR_MINIMUM"
    ]


def test_a_private_product_with_less_than_24_hours_cooling_off_is_refused():
    private = product("R3", "private", "fixed_income", "300000", 12)
    assert rules.suitability_problems(assessment(), private, Decimal("300000"), NOW) == [
        "COOLING_OFF_TOO_SHORT"
    ]


# --- qualified investors (§5.5) -----------------------------------------------------------------------

QUALIFIED = {
    "investment_years": 2,
    "household_net_financial_assets": "0",
    "household_financial_assets": "0",
    "avg_annual_income_3y": "400000.00",
    "proof_image_1": "att_1",
    "qualified_declaration": True,
    "customer_signature": "att_2",
}


@pytest.mark.parametrize(
    "test",
    [
        {"household_net_financial_assets": "3000000"},
        {"household_financial_assets": "5000000"},
        {"avg_annual_income_3y": 400000},
    ],
)
def test_two_years_and_any_one_asset_or_income_test_qualify(test):
    facts = {**QUALIFIED, "avg_annual_income_3y": "0", **test}
    assert rules.qualified_investor_problems(facts) == []


def test_thresholds_just_below_do_not_qualify():
    facts = {
        **QUALIFIED,
        "household_net_financial_assets": "2999999.99",
        "household_financial_assets": "4999999.99",
        "avg_annual_income_3y": "399999.99",
    }
    assert rules.qualified_investor_problems(facts) == ["ASSETS_AND_INCOME_BELOW_THRESHOLD"]


def test_less_than_two_years_of_experience_does_not_qualify_even_when_rich():
    facts = {**QUALIFIED, "investment_years": 1, "household_financial_assets": "90000000"}
    assert rules.qualified_investor_problems(facts) == ["INVESTMENT_EXPERIENCE_UNDER_2_YEARS"]


def test_proof_and_a_signed_declaration_are_required():
    facts = {**QUALIFIED, "proof_image_1": None, "qualified_declaration": False}
    assert rules.qualified_investor_problems(facts) == ["PROOF_MISSING", "DECLARATION_NOT_SIGNED"]
    assert rules.qualified_investor_problems(None) == ["QUALIFIED_INVESTOR_FACTS_MISSING"]


# --- consistency prompts (§5.3) -----------------------------------------------------------------------


def test_each_consistency_check_prompts_a_review():
    no_exp = {"experience_years": "none", "experience_type": "derivatives_private"}
    assert rules.consistency_prompts(no_exp, 40, "C3") == ["NO_EXPERIENCE_BUT_DERIVATIVES"]
    assert rules.consistency_prompts({"horizon": "gt5y"}, 66, "C3") == ["ELDERLY_LONG_HORIZON"]
    assert rules.consistency_prompts({"horizon": "gt5y"}, 65, "C3") == []
    poor = {"income_band": "lt50k", "invest_share": "lt10"}
    assert rules.consistency_prompts(poor, 40, "C5") == ["LOW_INCOME_AGGRESSIVE"]
    assert rules.consistency_prompts(poor, 40, "C4") == []
