"""J3's check outcomes (domain J3 "Check outcomes") over HTTP on PostgreSQL, each with its §13 fixture,
for the ones tests/integration/test_wealth_journey.py does not reach already:

| outcome | where |
| --- | --- |
| product risk > customer level: hard block | here (张伟, C3, asks for an R4) |
| assessment expired: must reassess | test_wealth_journey (王芳's C4 is 400 days old: she answers again) |
| customer 65+: extra steps, authorizer on the phone | test_wealth_journey (刘志强, 66) |
| retakes over the daily limit: blocked and flagged | here (蒋欣, two attempts today) |
| qualified-investor check failed (private): block | here (王芳, one year of investing) |
| `wm_sales` down: the journey waits, no offline order | test_wealth_journey (order); here (first call) |
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from tests.integration.test_wealth_journey import machine_rules, open_account
from tests.integration.wealth_driver import Investor, WealthDriver

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

IDENTIFICATION = ["id_card", "customer_consents", "face_check"]
ZHANG_WEI = {"name": "张伟", "id_number": "420106199003071238"}  # C3 assessed 90 days ago, valid
JIANG_XIN = {"name": "蒋欣", "id_number": "420115198909099220"}  # 922: holds a Class I; 2 attempts today


def test_a_product_above_the_customers_level_is_a_hard_block(client: TestClient, services: Services) -> None:
    investor = Investor(**ZHANG_WEI, product_code="WM-R4-004")
    investor.payment_account_no = open_account(services, investor)
    done = WealthDriver(client).run(investor)
    instance = done.instance
    assert (instance["status"], instance["outcome"], instance["outcome_reason"]) == (
        "completed",
        "REFUSED",
        "PRODUCT_RISK_ABOVE_LEVEL",
    ), instance
    assert instance["customer_message"] == "该产品风险等级高于您的风险承受能力等级，不能购买。"
    # the valid C3 was used as it stands; nothing was signed and nobody was asked to override
    assert done.steps == [*IDENTIFICATION, "circumstances", "product_selection"]


def test_retakes_over_the_daily_limit_are_blocked_and_flagged(client: TestClient, services: Services) -> None:
    investor = Investor(**JIANG_XIN, changed_circumstances=True)  # her C2 is today's, but she must retake
    driver = WealthDriver(client)
    done = driver.run(investor)
    instance = done.instance
    assert (instance["status"], instance["outcome"], instance["outcome_reason"]) == (
        "completed",
        "REFUSED",
        "RETAKE_LIMIT_REACHED",
    ), instance
    assert instance["customer_message"] == "您今日的风险测评次数已达上限，请于下一个工作日再进行评估。"
    assert done.steps == [*IDENTIFICATION, "circumstances"]  # no third questionnaire today
    flagged = machine_rules(client, driver, instance["instance_id"])["RECORDED_FLAGS"]
    flags = flagged["detail"]["reason"].removeprefix("the journey flagged ").split(", ")
    assert flagged["passed"] is not True and set(flags) == {"LEVEL_ROSE_TODAY", "RETAKE_LIMIT_REACHED"}


@pytest.mark.parametrize("settings_overrides", [{"wealth_purchase_on_tablet": True}])
def test_a_failed_qualified_investor_check_blocks_a_private_product(
    client: TestClient, services: Services
) -> None:
    investor = Investor(product_code="PWM-R3-101", amount="300000.00")
    investor.qualified_investor = {**investor.qualified_investor, "investment_years": 1}
    investor.payment_account_no = open_account(services, investor)
    done = WealthDriver(client).run(investor)
    instance = done.instance
    assert (instance["status"], instance["outcome"], instance["outcome_reason"]) == (
        "completed",
        "REFUSED",
        "INVESTMENT_EXPERIENCE_UNDER_2_YEARS",
    ), instance
    assert instance["customer_message"] == "很抱歉，您暂不符合私募产品合格投资者条件。"
    assert done.steps[-2:] == ["product_selection", "qualification"]  # never signed, never ordered
    assert services.sandbox is not None
    left = services.sandbox.core.balances.available(investor.payment_account_no)
    assert left == Decimal("8000000.00")  # nothing frozen


def test_wm_sales_down_at_the_first_call_leaves_the_journey_waiting(
    client: TestClient, services: Services
) -> None:
    investor = Investor(**ZHANG_WEI)
    investor.payment_account_no = open_account(services, investor)
    driver = WealthDriver(client, wait_seconds=5)
    before = driver.run(investor, stop_before="circumstances")
    assert services.sandbox is not None
    services.sandbox.wm_sales.unavailable = True
    stuck = driver.run_from(before.instance, investor, skip=before.steps).instance
    assert (stuck["status"], stuck["outcome"]) == ("incident", None), stuck
    [incident] = stuck["incidents"]
    assert (incident["operation"], incident["error_code"]) == ("wealth.check_assessment", "UNAVAILABLE")
    services.sandbox.wm_sales.unavailable = False
    r = client.post(
        f"/api/v1/instances/{stuck['instance_id']}/incidents/{incident['incident_id']}/retry",
        headers=driver.headers("fo001"),
    )
    assert r.status_code == 200, r.text
    done = driver.run_from(r.json(), investor)
    assert (done.instance["status"], done.instance["outcome"]) == ("completed", "AGREEMENT_SIGNED")
