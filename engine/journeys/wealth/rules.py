"""J3 bank rules without I/O (domain.md §5): scoring, consistency prompts, renewal, retakes, suitability,
qualified investors. The level thresholds and caps are not here: they are the analysts' DMN table
(`processes/decisions/wealth_risk_level.dmn`), evaluated by `engine.journeys.wealth.operations`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import FieldError, ValidationFailed
from engine.journeys.wealth.questionnaire import DERIVED_QUESTION, KNOCK_OUT, Questionnaire, is_retired

LEVELS = ("C1", "C2", "C3", "C4", "C5")
VALIDITY = timedelta(days=365)  # §5.4: one year from the assessment
ELDERLY_AGE = 65  # the regulatory age mark (§5.3)
ELDERLY_RENEWAL = timedelta(days=183)  # 65+: renew after more than 6 months (config) [Sim]
RETAKES_PER_DAY = (1, 2)  # allowed range of the configurable daily limit [Practice]
MIN_TOTAL_ANSWER_MS = 60_000  # post-supervision flag below this [Sim]
MAX_ANSWER_MS = 3_600_000
# §5.5 qualified investor [Reg, 资管新规]
QI_MIN_YEARS = 2
QI_NET_FINANCIAL_ASSETS = Decimal("3000000")
QI_FINANCIAL_ASSETS = Decimal("5000000")
QI_AVG_INCOME_3Y = Decimal("400000")
QI_MINIMUM_BY_ASSET_CLASS = {
    "cash": Decimal("300000"),
    "fixed_income": Decimal("300000"),
    "mixed": Decimal("400000"),
    "equity": Decimal("1000000"),
    "commodity_derivatives": Decimal("1000000"),
}
MIN_COOLING_OFF_HOURS = 24  # §5.4 [Reg]: private products only
# 65+ extra steps (§5.3) [Practice]: the diagram adds them when `elderly` is true
ELDERLY_STEPS = (
    "DUAL_RECORDING",
    "AUTHORIZER_CONFIRMATION",
    "FAMILY_MEMBER_RECOMMENDED",
    "LARGE_FONT_READ_ALOUD",
)


def level_digit(level: str) -> int:
    """`C3` → 3, `R4` → 4 (§5.2: compare the digits)."""
    if len(level) != 2 or level[0] not in "CR" or level[1] not in "12345":
        raise ValueError(f"not a risk level: {level!r}")
    return int(level[1])


def allowed_product_levels(level: str) -> list[str]:
    return [f"R{n}" for n in range(1, level_digit(level) + 1)]


@dataclass(frozen=True)
class ScoredAnswers:
    questions: list[dict[str, Any]]  # per question: id, text hash, options shown, selection, points, ms
    score: int
    knock_out: bool
    total_answer_ms: int


def score_answers(
    questionnaire: Questionnaire, answers: Mapping[str, Any], answer_ms: Mapping[str, Any], age_band: str
) -> ScoredAnswers:
    """Sum of option points (§5.2). Q1 is the age band derived from the ID, whatever was submitted.

    Raises `ValidationFailed` naming every missing or unknown answer and every missing answer time."""
    chosen = {**answers, DERIVED_QUESTION: age_band}
    errors: list[FieldError] = []
    rows: list[dict[str, Any]] = []
    for question in questionnaire.questions:
        option = question.option(str(chosen.get(question.id)))
        ms = 0 if question.id == DERIVED_QUESTION else answer_ms.get(question.id)
        if option is None:
            errors.append(FieldError(question.id, "invalid_choice", "请选择一个选项"))
        if not isinstance(ms, int) or isinstance(ms, bool) or not 0 <= ms <= MAX_ANSWER_MS:
            errors.append(FieldError(f"answer_ms.{question.id}", "answer_time_missing", "缺少作答用时"))
        if option is not None:
            rows.append(
                {
                    "id": question.id,
                    "number": question.number,
                    "text_hash": question.text_hash,
                    "options_shown": [o.code for o in question.options],
                    "selected": option.code,
                    "selected_text": option.text,
                    "points": option.points,
                    "answer_ms": ms,
                }
            )
    if errors:
        raise ValidationFailed("questionnaire incomplete", errors)
    return ScoredAnswers(
        questions=rows,
        score=sum(r["points"] for r in rows),
        knock_out=chosen.get(KNOCK_OUT[0]) == KNOCK_OUT[1],
        total_answer_ms=sum(r["answer_ms"] for r in rows),
    )


def consistency_prompts(answers: Mapping[str, Any], age: int, level: str) -> list[str]:
    """§5.3 [Practice]: contradictions the customer is asked to review; recorded with the result."""
    prompts = []
    if answers.get("experience_years") == "none" and answers.get("experience_type") == "derivatives_private":
        prompts.append("NO_EXPERIENCE_BUT_DERIVATIVES")
    if age > ELDERLY_AGE and answers.get("horizon") == "gt5y":
        prompts.append("ELDERLY_LONG_HORIZON")
    if answers.get("income_band") == "lt50k" and answers.get("invest_share") == "lt10" and level == "C5":
        prompts.append("LOW_INCOME_AGGRESSIVE")
    return prompts


def reassessment_reasons(
    current: Mapping[str, Any] | None,
    now: datetime,
    age: int,
    *,
    changed_circumstances: bool = False,
    elderly_renewal: bool = True,
) -> list[str]:
    """Why the customer must (re)take the questionnaire before buying (J3 step 2); empty: no need."""
    if current is None:
        return ["NO_ASSESSMENT"]
    reasons = []
    assessed_at = _instant(current["assessed_at"])
    if now >= _instant(current["expires_at"]):
        reasons.append("EXPIRED")
    if changed_circumstances:
        reasons.append("CHANGED_CIRCUMSTANCES")
    if is_retired(current.get("questionnaire_version")):
        reasons.append("QUESTIONNAIRE_RETIRED")
    if elderly_renewal and age >= ELDERLY_AGE and now - assessed_at > ELDERLY_RENEWAL:
        reasons.append("ELDERLY_OLDER_THAN_6_MONTHS")
    return reasons


def retake_limit(value: Any) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not RETAKES_PER_DAY[0] <= value <= RETAKES_PER_DAY[1]
    ):
        raise ValueError(f"retakes_per_day must be {RETAKES_PER_DAY[0]}–{RETAKES_PER_DAY[1]}, got {value!r}")
    return value


def rising_level(levels: list[str] | tuple[str, ...]) -> bool:
    """A higher level than an earlier attempt the same day: a post-supervision flag (§5.4)."""
    digits = [level_digit(v) for v in levels]
    return any(later > earlier for i, earlier in enumerate(digits) for later in digits[i + 1 :])


def suitability_problems(
    assessment: Mapping[str, Any], product: Mapping[str, Any], amount: Decimal, now: datetime
) -> list[str]:
    """Hard blocks, no override (§5.3 [Reg]); the qualified-investor check is separate (private only)."""
    problems = []
    if now >= _instant(assessment["expires_at"]):
        problems.append("ASSESSMENT_EXPIRED")
    if level_digit(product["risk_level"]) > level_digit(assessment["level"]):
        problems.append("PRODUCT_RISK_ABOVE_LEVEL")
    if amount < Decimal(str(product["min_amount"])):
        problems.append("BELOW_PRODUCT_MINIMUM")
    if product["offering"] == "private":
        if int(product["cooling_off_hours"]) < MIN_COOLING_OFF_HOURS:
            problems.append("COOLING_OFF_TOO_SHORT")
        if amount < QI_MINIMUM_BY_ASSET_CLASS[product["asset_class"]]:
            problems.append("BELOW_QUALIFIED_INVESTOR_MINIMUM")
    return problems


def qualified_investor_problems(facts: Mapping[str, Any] | None) -> list[str]:
    """§5.5: ≥ 2 years of investing and one of the asset/income tests, with proof and a declaration."""
    if not facts:
        return ["QUALIFIED_INVESTOR_FACTS_MISSING"]
    problems = []
    if int(facts.get("investment_years") or 0) < QI_MIN_YEARS:
        problems.append("INVESTMENT_EXPERIENCE_UNDER_2_YEARS")
    if not (
        money(facts.get("household_net_financial_assets")) >= QI_NET_FINANCIAL_ASSETS
        or money(facts.get("household_financial_assets")) >= QI_FINANCIAL_ASSETS
        or money(facts.get("avg_annual_income_3y")) >= QI_AVG_INCOME_3Y
    ):
        problems.append("ASSETS_AND_INCOME_BELOW_THRESHOLD")
    if not facts.get("proof_image_1"):
        problems.append("PROOF_MISSING")
    if facts.get("qualified_declaration") is not True or not facts.get("customer_signature"):
        problems.append("DECLARATION_NOT_SIGNED")
    return problems


def money(value: Any) -> Decimal:
    """A CNY amount from form data or a port (str, int, float typed on a tablet); 0 when absent."""
    if value is None or value == "":
        return Decimal(0)
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
