"""J3 wealth risk assessment and product signing over HTTP, on PostgreSQL and SQLite.

The sandbox core holds no account for a clean customer, and J3 needs a Class I or II one: the test opens
it through the sandbox core's own API first, as a J1 would have (the fixtures stay as they are).
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import sandbox_card
from engine.adapters.ports import OpenAccountRequest
from engine.persistence.records import InstanceEventRecord
from tests.integration.wealth_driver import Investor, WealthDriver


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
    done = driver.run_from(before.instance, investor, skip=before.steps)
    assert (done.instance["status"], done.instance["outcome"]) == ("completed", "AGREEMENT_SIGNED"), (
        done.steps,
        done.instance,
    )
    assert done.steps[-2:] == ["remote_authorization", "product_signing"]
