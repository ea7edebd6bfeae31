"""J3 wealth risk assessment and product signing over HTTP, on PostgreSQL and SQLite.

The sandbox core holds no account for a clean customer, and J3 needs a Class I or II one: the test opens
it through the sandbox core's own API first, as a J1 would have (the fixtures stay as they are). Each
finished J3's package is machine-reviewed by J3's own rules (documents/journeys/wealth/rules.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import sandbox_card
from engine.adapters.ports import OpenAccountRequest
from engine.persistence.records import InstanceEventRecord
from tests.integration.test_credit_card_evidence import reviewed_package
from tests.integration.test_web_pages import sign_in
from tests.integration.wealth_driver import PROCESS, Investor, WealthDriver

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


def machine_rules(client: TestClient, driver: WealthDriver, instance_id: str) -> dict[str, dict[str, Any]]:
    """Each machine rule's entry in the review history of the journey's package."""
    detail = reviewed_package(client, driver, instance_id)
    return {h["code"]: h for h in detail["history"] if h["kind"] == "machine_rule"}


def open_account(services: Services, investor: Investor) -> str:
    assert services.sandbox is not None
    result = services.sandbox.core.open_account(
        OpenAccountRequest(
            channel_serial_no=f"j1-before-j3-{investor.id_number}",
            id_number=investor.id_number,
            name=investor.name,
            mobile=investor.mobile,
            account_class="I",
            product_code="DC_STANDARD",
            card_no=sandbox_card(investor.card_sequence),
            branch_code="WH0101",
            operator_id="fo001",
        )
    )
    assert result.result == "OK" and result.account_no, result
    return result.account_no


def test_a_clean_assessment_ends_with_the_product_agreement_signed(
    client: TestClient, services: Services
) -> None:
    investor = Investor()
    investor.payment_account_no = open_account(services, investor)
    done = WealthDriver(client).run(investor)
    instance = done.instance
    assert (instance["status"], instance["outcome"]) == ("completed", "AGREEMENT_SIGNED"), instance
    assert done.steps == [
        "id_card",
        "customer_consents",
        "face_check",
        "circumstances",
        "questionnaire",
        "confirmation",
        "product_selection",
        "product_signing",
    ]
    with services.deps.sessions() as session:
        trail = list(
            session.query(InstanceEventRecord).filter_by(instance_id=instance["instance_id"]).order_by("id")
        )
    by_customer = {e.task_spec for e in trail if e.kind == "task_completed" and e.detail.get("by_customer")}
    assert {"questionnaire", "confirmation", "product_signing"} <= by_customer
    assert services.sandbox is not None
    current = services.sandbox.wm_sales.current_assessment(investor.id_number, "check").assessment
    assert current is not None and current.questionnaire_version == "WRQ-2025-1"

    rules = machine_rules(client, WealthDriver(client), instance["instance_id"])
    assert set(rules) >= J3_RULES
    flagged = {code: rules[code]["detail"] for code in J3_RULES if rules[code]["passed"] is not True}
    assert flagged == {}
    results = {code: rules[code]["detail"]["result"] for code in J3_RULES}
    assert results["DUAL_RECORDING_PRESENT"] == "PASS"  # the sealed MP4's own length: 185 s
    assert rules["DUAL_RECORDING_PRESENT"]["detail"]["reason"] == "185 s (segments for the reviewer)"
    assert results["ELDERLY_APPROVED"] == "NOT_APPLICABLE"  # 王芳 is under 65
    assert results["COOLING_OFF_RESPECTED"] == "NOT_APPLICABLE"  # signed, nothing ordered
    assert {code for code, result in results.items() if result == "PASS"} == J3_RULES - {
        "ELDERLY_APPROVED",
        "COOLING_OFF_RESPECTED",
    }


def test_a_customer_of_66_signs_after_the_authorizer_approves_on_the_phone(
    client: TestClient, services: Services
) -> None:
    investor = Investor(name="刘志强", id_number="420102195901010070", product_code="WM-R1-001")
    investor.payment_account_no = open_account(services, investor)
    driver = WealthDriver(client)
    before = driver.run(investor, stop_before="remote_authorization")
    r = client.get("/api/v1/tasks", headers=driver.headers("au001"))
    [task] = [t for t in r.json() if t["instance_id"] == before.instance["instance_id"]]
    detail = client.get(f"/api/v1/tasks/{task['task_id']}", headers=driver.headers("au001")).json()
    assert "65周岁及以上客户" in str(detail) or "ELDERLY_INVESTOR" in str(detail), detail
    approved = driver.run_from(before.instance, investor, skip=before.steps, stop_before="product_signing")
    [signing] = approved.instance["tasks"]
    url = f"/api/v1/tasks/{signing['task_id']}/complete"
    data = driver.form_data("product_signing", investor, "fo001", approved.steps)
    unread = {k: v for k, v in data.items() if k not in ("disclosure_read_aloud", "family_member_present")}
    r = client.post(url, headers=driver.headers("fo001"), json={"data": unread})
    assert r.status_code == 422, r.text  # §5.3: large print read aloud, family asked about
    assert {d["field"] for d in r.json()["details"]} == {"disclosure_read_aloud", "family_member_present"}
    r = client.post(url, headers=driver.headers("fo001"), json={"data": {**data, "elderly_customer": False}})
    assert r.status_code == 422, r.text  # the age the journey derived cannot be posted away
    done = driver.run_from(approved.instance, investor, skip=approved.steps)
    assert (done.instance["status"], done.instance["outcome"]) == ("completed", "AGREEMENT_SIGNED"), (
        done.steps,
        done.instance,
    )
    assert done.steps[-2:] == ["remote_authorization", "product_signing"]
    rules = machine_rules(client, driver, done.instance["instance_id"])
    elderly = rules["ELDERLY_APPROVED"]["detail"]
    assert elderly["result"] == "PASS", elderly
    assert elderly["reason"].endswith(": approved by an authorizer, read aloud, family present"), elderly
    assert not {code for code in J3_RULES if rules[code]["passed"] is not True}


def test_journeys_on_one_device_are_counted_within_the_hour(client: TestClient, services: Services) -> None:
    """The store's count behind ASSESSMENTS_ON_DEVICE: J3s started on the same tablet, up to this one."""
    started = []
    primary, backup = "web-0000000000000001", "web-0000000000000002"  # fo001's two tablets
    for device in (primary, primary, backup, primary):
        r = client.post(
            "/api/v1/auth/token",
            json={"username": "fo001", "password": "fieldbank-demo", "device_id": device},
        )
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = client.post(f"/api/v1/processes/{PROCESS}/instances", headers=headers, json={"data": {}})
        assert r.status_code == 201, r.text
        started.append(r.json()["instance_id"])
    store = services.evidence.store
    assert [store.journeys_on_device(i, timedelta(hours=1)) for i in started] == [1, 2, 1, 3]
    assert store.journeys_on_device(started[-1], timedelta(0)) == 0


BUY_ON_THE_TABLET = {"wealth_purchase_on_tablet": True}
WANG_FANG_BALANCE = Decimal("8000000.00")  # what her account holds in the sandbox core (§13.5)


def available(services: Services, investor: Investor) -> Decimal:
    """What the sandbox core says is left on the account she pays from (wm_sales freezes there)."""
    assert services.sandbox is not None
    return Decimal(services.sandbox.core.balances.available(investor.payment_account_no))


def test_the_purchase_stays_off_by_default_whatever_the_start_data_says(
    client: TestClient, services: Services
) -> None:
    investor = Investor()
    investor.payment_account_no = open_account(services, investor)
    driver = WealthDriver(client)
    driver.start_data = {"purchase_on_tablet": True}  # the setting decides, never the caller
    done = driver.run(investor)
    assert done.instance["outcome"] == "AGREEMENT_SIGNED", done.instance
    assert available(services, investor) == WANG_FANG_BALANCE  # nothing ordered, nothing frozen


@pytest.mark.parametrize("settings_overrides", [BUY_ON_THE_TABLET])
def test_with_the_purchase_on_the_tablet_the_order_is_placed_and_the_funds_frozen(
    client: TestClient, services: Services
) -> None:
    investor = Investor()
    investor.payment_account_no = open_account(services, investor)
    driver = WealthDriver(client)
    done = driver.run(investor)
    assert (done.instance["status"], done.instance["outcome"]) == ("completed", "ORDER_PLACED"), done.instance
    assert available(services, investor) == WANG_FANG_BALANCE - Decimal("50000.00")
    cooling_off = machine_rules(client, driver, done.instance["instance_id"])["COOLING_OFF_RESPECTED"]
    assert cooling_off["detail"] == {"result": "NOT_APPLICABLE", "reason": "public product: no cooling-off"}

    # the outcome screen tells the customer the order: number, amount, the account frozen (masked)
    page = sign_in(client, "fo001").get(f"/tablet/journeys/{done.instance['instance_id']}").text
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd[^>]*data-fact>([^<]+)</dd>", page))
    assert re.fullmatch(r"WO\d{18}", facts["认购订单号"]), facts
    assert facts["认购金额"] == "50,000.00 元"
    assert facts["资金冻结账户"] == f"尾号{investor.payment_account_no[-4:]}"
    assert "冷静期截止" not in facts and "全额退回" not in facts  # a public product has no cooling-off
    assert investor.payment_account_no not in page
    assert "认购已受理，认购资金已冻结" in page


@pytest.mark.parametrize("settings_overrides", [BUY_ON_THE_TABLET])
def test_wm_sales_down_at_the_order_leaves_the_journey_waiting_never_an_offline_order(
    client: TestClient, services: Services
) -> None:
    investor = Investor()
    investor.payment_account_no = open_account(services, investor)
    driver = WealthDriver(client, wait_seconds=5)
    before = driver.run(investor, stop_before="product_signing")
    assert services.sandbox is not None
    services.sandbox.wm_sales.unavailable = True
    stuck = driver.run_from(before.instance, investor, skip=before.steps).instance
    assert (stuck["status"], stuck["outcome"]) == ("incident", None), stuck
    [incident] = stuck["incidents"]
    assert (incident["operation"], incident["error_code"]) == ("wealth.place_order", "UNAVAILABLE")
    assert available(services, investor) == WANG_FANG_BALANCE  # no order was taken "offline"
    services.sandbox.wm_sales.unavailable = False
    r = client.post(
        f"/api/v1/instances/{stuck['instance_id']}/incidents/{incident['incident_id']}/retry",
        headers=driver.headers("fo001"),
    )
    assert r.status_code == 200, r.text
    done = driver.run_from(r.json(), investor)
    assert done.instance["outcome"] == "ORDER_PLACED", done.instance
    assert available(services, investor) == WANG_FANG_BALANCE - Decimal("50000.00")  # ordered once
