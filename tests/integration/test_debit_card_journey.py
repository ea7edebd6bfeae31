"""J1 over the HTTP API with the §13 sandbox fixtures: every outcome, on PostgreSQL and on SQLite."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.bootstrap import Services
from api.journey_driver import Customer, J1Driver, sandbox_card
from engine.outcomes import NEUTRAL_REFUSAL


def run(client: TestClient, customer: Customer, **kwargs: Any) -> Any:
    return J1Driver(client, wait_seconds=5).run(customer, **kwargs)


def events(client: TestClient, driver_user: str, instance_id: str) -> list[dict[str, Any]]:
    driver = J1Driver(client)
    r = client.get(f"/api/v1/instances/{instance_id}/events", headers=driver.headers(driver_user))
    assert r.status_code == 200
    return list(r.json())


def test_a_clean_customer_gets_an_opened_class_i_card(client: TestClient) -> None:
    result = run(client, Customer(card_sequence=1001))
    assert result.outcome == "OPENED"
    assert result.steps == [
        "id_card",
        "customer_consents",
        "face_check",
        "customer_details",
        "otp_entry",
        "risk_notice",
        "card_scan",
        "signing",
        "signing_witness",
    ]
    trail = events(client, "fo001", result.instance["instance_id"])
    done = next(e for e in trail if e["kind"] == "instance_completed")
    assert done["detail"]["account_class"] == "I"
    assert done["detail"]["card_no_masked"] == "621999*********0010"[:6] + "*" * 9 + sandbox_card(1001)[-4:]
    # the three pre-checks and the core opening are in the trail with their request ids
    systems = {e["detail"].get("operation") for e in trail if e["kind"] == "service_result"}
    assert {
        "identity.verify",
        "watchlist.screen_person",
        "core.lookup_customer",
        "core.open_account",
    } <= systems


def test_a_name_mismatch_is_referred_to_the_branch(client: TestClient) -> None:
    result = run(client, Customer(name="郑强", id_number="420105198808089012"))
    assert (result.outcome, result.instance["outcome_reason"]) == (
        "REFERRED_TO_BRANCH",
        "IDENTITY_NAME_MISMATCH",
    )
    assert result.steps == ["id_card", "customer_consents"]  # 联网核查 runs only after the consents


def test_a_sanctions_hit_is_refused_with_a_neutral_message_only(client: TestClient) -> None:
    result = run(client, Customer(name="唐敏", id_number="420104197004049129"))
    assert result.outcome == "REFUSED"
    assert result.instance["customer_message"] == NEUTRAL_REFUSAL
    staff_view = str(result.instance) + str(events(client, "fo001", result.instance["instance_id"]))
    assert "SANCTION" not in staff_view.upper()
    aml_view = str(events(client, "aml001", result.instance["instance_id"]))
    assert "WATCHLIST_BLOCK" in aml_view


def test_a_discipline_list_hit_is_refused_with_the_appeal_route(client: TestClient) -> None:
    result = run(client, Customer(name="谢鹏", id_number="420103199303039118"))
    assert (result.outcome, result.instance["outcome_reason"]) == ("REFUSED", "DISCIPLINE_LIST")
    assert "申诉" in result.instance["customer_message"]


def test_an_existing_class_i_holder_is_offered_class_ii_and_can_accept(client: TestClient) -> None:
    result = run(client, Customer(name="彭军", id_number="420112198707079214", card_sequence=2001))
    assert result.outcome == "OPENED"
    assert "class_ii_offer" in result.steps
    done = next(
        e
        for e in events(client, "fo001", result.instance["instance_id"])
        if e["kind"] == "instance_completed"
    )
    assert done["detail"]["account_class"] == "II"


def test_declining_the_class_ii_offer_abandons_the_journey(client: TestClient) -> None:
    result = run(client, Customer(name="彭军", id_number="420112198707079214", accept_class_ii=False))
    assert (result.outcome, result.instance["outcome_reason"]) == ("ABANDONED", "CLASS_II_DECLINED")


def test_a_telco_mismatch_asks_for_another_number_and_then_opens(client: TestClient) -> None:
    result = run(client, Customer(mobile="13900009001", replacement_mobile="13900001235", card_sequence=3001))
    assert result.outcome == "OPENED"
    assert result.steps.count("customer_details") == 1 and result.steps.count("telco_retry") == 1
    trail = events(client, "fo001", result.instance["instance_id"])
    assert any(e["detail"].get("bpmn_error") == "MOBILE_REJECTED" for e in trail)


def test_a_fuzzy_aml_hit_ends_pending_review(client: TestClient) -> None:
    result = run(client, Customer(name="韩磊", id_number="420105199606069130"))
    assert (result.outcome, result.instance["outcome_reason"]) == (
        "PENDING_REVIEW",
        "PENDING_COMPLIANCE_REVIEW",
    )


def test_a_gray_face_score_needs_the_authorizer_and_a_rejection_refuses(client: TestClient) -> None:
    result = run(client, Customer(name="宋涛", id_number="420104199202029099", authorizer_decision="REJECT"))
    assert "remote_authorization" in result.steps
    assert (result.outcome, result.instance["outcome_reason"]) == ("REFUSED", "AUTHORIZATION_REJECTED")


def test_an_identity_timeout_is_retried_then_raises_an_incident_an_operator_can_retry(
    client: TestClient,
) -> None:
    driver = J1Driver(client, wait_seconds=5)
    result = driver.run(Customer(name="高峰", id_number="420117198606069051"))
    instance = result.instance
    assert instance["status"] == "incident"
    [incident] = instance["incidents"]
    assert (incident["operation"], incident["error_code"], incident["attempts"]) == (
        "identity.verify",
        "TIMEOUT",
        2,
    )
    failures = [e for e in events(client, "fo001", instance["instance_id"]) if e["kind"] == "service_failed"]
    assert len(failures) == 2
    r = client.post(
        f"/api/v1/instances/{instance['instance_id']}/incidents/{incident['incident_id']}/retry",
        headers=driver.headers("fo001"),
    )
    assert r.status_code == 200
    again = driver.next_state("fo001", r.json())
    for _ in range(10):
        if again["status"] == "incident":
            break
        again = client.get(
            f"/api/v1/instances/{instance['instance_id']}",
            headers=driver.headers("fo001"),
            params={"wait": 2, "version": again["version"]},
        ).json()
    assert again["status"] == "incident"  # the registry still times out: a new incident, nothing skipped


@pytest.mark.parametrize("settings_overrides", [{"sandbox_core_mode": "commit_then_timeout"}])
def test_a_core_timeout_after_commit_opens_exactly_one_account(
    client: TestClient, services: Services
) -> None:
    result = run(client, Customer(card_sequence=4001))
    assert result.outcome == "OPENED"
    lookup = services.deps.adapters.core.lookup_customer("420106199003071238", "张伟", "test:lookup")
    assert lookup.class_i_count == 1


def test_two_concurrent_completions_of_one_task_one_wins_the_other_gets_409(client: TestClient) -> None:
    driver = J1Driver(client, wait_seconds=5)
    customer = Customer(card_sequence=5001)
    result = driver.run(customer, stop_before="risk_notice")
    task = result.instance["tasks"][0]
    data = driver.form_data("risk_notice", customer, "fo001", [])
    statuses: list[int] = []

    def complete() -> None:
        r = client.post(
            f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
        )
        statuses.append(r.status_code)

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]


def test_a_bad_id_number_is_refused_with_a_field_error(client: TestClient) -> None:
    driver = J1Driver(client)
    instance = driver.start("fo001")
    task = instance["tasks"][0]
    data = driver.form_data("id_card", Customer(), "fo001", [])
    data["id_number"] = "420106199003071230"
    r = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_failed"
    assert any(e["field"] == "id_number" and e["code"] == "check_digit" for e in body["details"])


def test_the_otp_code_never_reaches_the_stored_engine_state(client: TestClient, services: Services) -> None:
    result = run(client, Customer(card_sequence=6001))
    assert result.outcome == "OPENED"
    from engine.persistence.records import ProcessInstanceRecord
    from engine.state_seal import open_state

    with services.deps.sessions() as session:
        record = session.get(ProcessInstanceRecord, result.instance["instance_id"])
        assert record is not None
        state = open_state(services.cipher, record.state, context=f"instance:{record.id}".encode())
    assert '"otp_code": "secret:' in state.replace("\\", "")
    [code] = re.findall(r"\d{6}", services.sandbox.sms.inbox("13900001234")[-1].text)
    assert code not in state


def test_the_officer_can_end_a_journey_as_abandoned_at_any_step(client: TestClient) -> None:
    driver = J1Driver(client, wait_seconds=5)
    stopped = driver.run(Customer(card_sequence=6101), stop_before="customer_details")
    iid = stopped.instance["instance_id"]
    other = client.post(
        f"/api/v1/instances/{iid}/abandon", headers=driver.headers("fo002"), json={"reason": "OTHER"}
    )
    assert other.status_code == 404  # only the officer running it
    r = client.post(
        f"/api/v1/instances/{iid}/abandon", headers=driver.headers("fo001"), json={"reason": "CUSTOMER_LEFT"}
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["outcome"], body["outcome_reason"], body["tasks"]) == (
        "completed",
        "ABANDONED",
        "CUSTOMER_LEFT",
        [],
    )
    again = client.post(
        f"/api/v1/instances/{iid}/abandon", headers=driver.headers("fo001"), json={"reason": "OTHER"}
    )
    assert again.status_code == 409
