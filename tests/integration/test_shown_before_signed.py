"""Shown before signed: every hand-over screen where the customer consents or signs shows the very
documents they act on, filled with their data, and the trail records which ones (id + SM3)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.journey_driver import Customer, J1Driver
from tests.integration.credit_card_driver import Applicant, CreditCardDriver

CUSTOMER = Customer(card_sequence=2201)


def _task(driver: J1Driver, client: TestClient, instance: dict[str, Any]) -> dict[str, Any]:
    instance = driver.next_state("fo001", instance)
    task_id = instance["tasks"][0]["task_id"]
    r = client.get(f"/api/v1/tasks/{task_id}", headers=driver.headers("fo001"))
    assert r.status_code == 200
    return dict(r.json())


def test_the_signing_screen_shows_the_filled_documents_and_the_trail_keeps_their_digests(
    client: TestClient,
) -> None:
    driver = J1Driver(client, wait_seconds=5)
    paused = driver.run(CUSTOMER, stop_before="signing")
    task = _task(driver, client, paused.instance)
    shown = {d["document"]: d for d in task["documents"]}
    assert list(shown) == ["account_application", "debit_card_agreement", "risk_notice"]

    page = client.get(shown["account_application"]["url"], headers=driver.headers("fo001"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    # filled with this customer's data, in full (§10: complete in the file they sign), not marked 未完成
    assert CUSTOMER.name in page.text and CUSTOMER.id_number in page.text and "未完成" not in page.text
    agreement = client.get(shown["debit_card_agreement"]["url"], headers=driver.headers("fo001"))
    assert "<strong>" in agreement.text  # key terms emphasised
    # putting the filled documents on the screen is a recorded view of personal data (§8.5)
    views = client.get("/api/v1/audit/personal-data-views", headers=driver.headers("ps001")).json()
    documents = [
        (v["staff_id"], v["subject"]) for v in views if v["instance_id"] == paused.instance["instance_id"]
    ]
    assert sorted(documents) == [
        ("fo001", "document:account_application"),
        ("fo001", "document:debit_card_agreement"),
    ]
    assert all("id_number" in v["fields"] for v in views)

    done = driver.run_from(paused.instance, CUSTOMER, skip=paused.steps)
    assert done.outcome == "OPENED"
    trail = client.get(
        f"/api/v1/instances/{done.instance['instance_id']}/events", headers=driver.headers("fo001")
    ).json()
    signed = next(e for e in trail if e["kind"] == "task_completed" and e["task_spec"] == "signing")
    assert signed["detail"]["shown_documents"] == [
        {"document": d["document"], "text_version": d["text_version"], "sm3": d["sm3"]}
        for d in task["documents"]
    ]
    # a staff screen shows the customer nothing and records nothing
    witness = next(e for e in trail if e["task_spec"] == "signing_witness")
    assert "shown_documents" not in witness["detail"]


def test_the_consents_screen_shows_the_privacy_policy_and_a_stranger_sees_no_document(
    client: TestClient,
) -> None:
    driver = J1Driver(client, wait_seconds=5)
    paused = driver.run(CUSTOMER, stop_before="customer_consents")
    task = _task(driver, client, paused.instance)
    assert [d["document"] for d in task["documents"]] == ["privacy_policy"]
    policy = task["documents"][0]
    page = client.get(policy["url"], headers=driver.headers("fo001"))
    assert "个人信息保护政策" in page.text and "敏感个人信息" in page.text
    # another branch's officer cannot read it; a name the screen does not show is absent
    assert client.get(policy["url"], headers=driver.headers("fo101")).status_code == 404
    other = policy["url"].rsplit("/", 1)[0] + "/account_application"
    assert client.get(other, headers=driver.headers("fo001")).status_code == 404
    assert client.get(policy["url"] + "x/../", headers=driver.headers("fo001")).status_code in (404, 422)


def test_j2_shows_the_credit_report_authorization_and_then_the_application_and_key_terms(
    client: TestClient,
) -> None:
    driver = CreditCardDriver(client, wait_seconds=5)
    applicant = Applicant()
    paused = driver.run(applicant, stop_before="credit_authorization")
    task = _task(driver, client, paused.instance)
    assert [d["document"] for d in task["documents"]] == ["credit_report_authorization"]
    page = client.get(task["documents"][0]["url"], headers=driver.headers("fo001")).text
    assert "征信" in page and applicant.name in page and applicant.id_number in page

    signing = driver.run_from(paused.instance, applicant, stop_before="signing", skip=paused.steps)
    task = _task(driver, client, signing.instance)
    assert [d["document"] for d in task["documents"]] == ["credit_card_application", "card_agreement"]
    terms = client.get(task["documents"][1]["url"], headers=driver.headers("fo001")).text
    assert "<strong>" in terms and "年化" in terms
