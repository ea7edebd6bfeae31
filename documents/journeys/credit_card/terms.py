"""The card agreement's key terms (领用合约主要条款) as the customer saw them on the signing screen.

The figures are the ones `forms/definitions/credit-card-signing-schema.json` shows next to each
"read" tick and the README's J2 section lists; they are repeated here because documents may not read
the forms. Change them together. The instalment cost is printed as an annualised rate, computed here
from the per-period fee (2022 notice: show instalment costs as interest and annualised rate, §7.2).
"""

from __future__ import annotations

from decimal import Decimal

DAILY_INTEREST_RATE = Decimal("0.0005")  # [Sim] 万分之五 per day, compounded monthly
DAYS_PER_YEAR = 365
INTEREST_FREE_DAYS = (20, 50)  # [Sim] shortest / longest interest-free period for purchases
MINIMUM_PAYMENT_SHARE = Decimal("0.10")  # [Sim] of the statement balance
PENALTY_SHARE = Decimal("0.05")  # [Sim] of the unpaid part of the minimum payment
CASH_ADVANCE_FEE_SHARE = Decimal("0.01")  # [Sim] 1 % of the amount withdrawn ...
CASH_ADVANCE_FEE_MINIMUM = 10  # [Sim] ... at least CNY 10
ANNUAL_FEES = {"CC-STANDARD": 0, "CC-RURAL": 0, "CC-GOLD": 300}  # [Sim] CNY a year
ANNUAL_FEE_WAIVER_SWIPES = 12  # [Sim] 当年刷卡满12次免次年年费 (the fee-charging products)
INSTALMENT_PERIODS = 12  # [Sim] the example the key terms quote
INSTALMENT_FEE_PER_PERIOD = Decimal("0.0060")  # [Sim] of the instalment principal, each month


def percent(share: Decimal, places: int = 2) -> str:
    """`0.0005` -> `0.05%`; the places are fixed so the same figure always prints the same."""
    quantum = Decimal(1).scaleb(-places)
    return f"{(share * 100).quantize(quantum)}%"


def instalment_annual_rate(periods: int, fee_per_period: Decimal) -> Decimal:
    """Nominal annual rate (monthly IRR x 12) of borrowing 1 repaid in `periods` equal monthly
    instalments of principal plus a flat fee on the original principal: the rate that discounts the
    payments back to the amount borrowed. A flat fee on the original principal hides the cost: 0.60 % a
    month over 12 instalments is about 13.03 % a year, not 7.2 %."""
    payment = Decimal(1) / periods + fee_per_period
    low, high = Decimal(0), Decimal(1)
    for _ in range(80):  # bisection: the present value falls as the rate rises
        rate = (low + high) / 2
        present = sum(payment / (1 + rate) ** k for k in range(1, periods + 1))
        low, high = (rate, high) if present > 1 else (low, rate)
    return (low + high) / 2 * 12


def key_terms(product_code: str | None) -> list[tuple[str, str]]:
    """(heading, wording) per key term, in the signing screen's order; every figure from above."""
    low, high = INTEREST_FREE_DAYS
    fee = ANNUAL_FEES.get(product_code or "")
    if fee is None:  # a product this list does not know yet: never print a figure we do not have
        annual_fee = "年费以本行公示的产品收费标准为准"
    elif fee == 0:
        annual_fee = "本卡免年费"
    else:
        annual_fee = f"本卡年费{fee}元/年，当年刷卡满{ANNUAL_FEE_WAIVER_SWIPES}次免次年年费"
    daily = DAILY_INTEREST_RATE
    instalment_rate = instalment_annual_rate(INSTALMENT_PERIODS, INSTALMENT_FEE_PER_PERIOD)
    return [
        (
            "透支利息",
            f"透支金额自银行记账日起按日利率{percent(daily)}（万分之五）计收利息，"
            f"折合年化利率{percent(daily * DAYS_PER_YEAR)}，按月计收复利。",
        ),
        (
            "费用",
            f"{annual_fee}；取现手续费为取现金额的{percent(CASH_ADVANCE_FEE_SHARE, 0)}，"
            f"最低{CASH_ADVANCE_FEE_MINIMUM}元。",
        ),
        (
            "免息还款期",
            f"消费交易在到期还款日前全额还款的，享受最短{low}天、最长{high}天的免息还款期；"
            "取现交易不享受免息还款期。",
        ),
        (
            "最低还款额",
            f"为当期应还款额的{percent(MINIMUM_PAYMENT_SHARE, 0)}；仅偿还最低还款额的，"
            "不享受免息还款期待遇，全部透支金额自记账日起计息。",
        ),
        (
            "违约金",
            f"到期还款日未足额偿还最低还款额的，按最低还款额未还部分的{percent(PENALTY_SHARE, 0)}"
            "收取违约金，并可能影响个人信用记录。",
        ),
        (
            "分期费用",
            f"账单分期按期收取手续费，如{INSTALMENT_PERIODS}期每期{percent(INSTALMENT_FEE_PER_PERIOD)}，"
            f"折合年化利率约{percent(instalment_rate)}。",
        ),
    ]
