"""J2 credit-card face signing over HTTP, each outcome with its §13 fixture, on PostgreSQL and SQLite.

The card centre is the sandbox's: it numbers the application at once and decides through its callback
(a `card_decision` message, delay 0 in tests), which the in-process worker delivers from its sweep.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build_services
from api.journey_driver import JourneyResult
from devices.demo import seed_demo_devices
from engine.adapters.ports import SHANGHAI
from engine.people.demo import seed_demo
from engine.persistence.records import InstanceEventRecord, MessageSubscriptionRecord
from engine.timers import fire_due_timers
from forms.formats import id_check_char
from tests.integration.conftest import make_settings
from tests.integration.credit_card_driver import PROCESS, Applicant, CreditCardDriver, SupplementaryHolder


def finish(driver: CreditCardDriver, applicant: Applicant, **kw: Any) -> dict[str, Any]:
    """Run the journey to its end, waiting out the card centre's asynchronous answer."""
    return finish_from(driver, driver.run(applicant, **kw), applicant)


def finish_from(driver: CreditCardDriver, result: JourneyResult, applicant: Applicant) -> dict[str, Any]:
    result = driver.run_from(result.instance, applicant, skip=result.steps)
    instance = result.instance
    deadline = time.monotonic() + 20
    while instance["status"] == "waiting_external" and time.monotonic() < deadline:
        instance = driver.next_state("fo001", instance)
        if instance["tasks"]:
            instance = driver.run_from(instance, applicant, skip=result.steps).instance
    return instance


def events(services: Services, instance_id: str) -> list[InstanceEventRecord]:
    with services.deps.sessions() as session:
        return list(session.query(InstanceEventRecord).filter_by(instance_id=instance_id).order_by("id"))


def test_a_clean_applicant_is_approved_with_a_limit(client: TestClient, services: Services) -> None:
    driver = CreditCardDriver(client)
    done = finish(driver, Applicant())
    assert (done["status"], done["outcome"]) == ("completed", "APPROVED")
    trail = events(services, done["instance_id"])
    kinds = [(e.kind, e.task_spec) for e in trail]
    authorized = next(i for i, k in enumerate(kinds) if k == ("task_completed", "credit_authorization"))
    submitted = next(i for i, e in enumerate(trail) if e.detail.get("operation") == "credit_card.submit")
    assert authorized < submitted  # the authorization is signed before anything reaches the bureau
    received = [e for e in trail if e.kind == "message_received"]
    assert [(e.actor_id, e.detail["message"]) for e in received] == [
        ("client:sandbox_card_centre", "card_decision")
    ]
    completed = next(e for e in trail if e.kind == "instance_completed")
    assert completed.detail["decision"] == "APPROVED" and completed.detail["credit_limit"] == 36_000
    assert completed.detail["application_no"].startswith("CC")
    customer_acts = {e.task_spec for e in trail if e.kind == "task_completed" and e.detail.get("by_customer")}
    assert {"credit_authorization", "signing"} <= customer_acts
    witness = next(e for e in trail if e.kind == "task_completed" and e.task_spec == "witness")
    assert not witness.detail.get("by_customer")  # the officer's declaration is the officer's act


@pytest.mark.parametrize(
    ("id_number", "name", "outcome", "reason"),
    [
        ("420116198404049312", "余勇", "DECLINED", "BUREAU_DELINQUENT"),  # 931 连三累六
        ("420117198303039322", "潘颖", "REFERRED", "THIN_FILE"),  # 932 白户
        ("420102198802029335", "杜伟", "REFERRED", "MANY_INQUIRIES"),  # 933 9 hard inquiries in 6 months
    ],
)
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_card_centre_declines_or_refers_by_the_bureau_fixtures(
    client: TestClient, id_number: str, name: str, outcome: str, reason: str
) -> None:
    done = finish(CreditCardDriver(client), Applicant(name=name, id_number=id_number))
    assert (done["outcome"], done["outcome_reason"]) == (outcome, reason)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_same_person_applying_twice_for_the_same_product_is_not_approved_twice(
    client: TestClient, services: Services
) -> None:
    driver = CreditCardDriver(client)
    first = finish(driver, Applicant())
    assert first["outcome"] == "APPROVED"
    second = finish(driver, Applicant())  # minutes later, nothing declared: the card centre knows
    assert (second["outcome"], second["outcome_reason"]) == ("REFUSED", "PRODUCT_ALREADY_HELD")
    trail = events(services, second["instance_id"])
    assert not any(e.task_spec == "credit_authorization" for e in trail)  # refused before any bureau step
    assert not any(e.detail.get("operation") == "credit_card.submit" for e in trail)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_application_still_in_review_refuses_a_second_one(client: TestClient) -> None:
    referred = Applicant(name="潘颖", id_number="420117198303039322")  # 932: REFERRED, a reviewer decides
    driver = CreditCardDriver(client)
    assert finish(driver, referred)["outcome"] == "REFERRED"
    again = finish(driver, referred)
    assert (again["outcome"], again["outcome_reason"]) == ("REFUSED", "APPLICATION_IN_PROGRESS")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_applications_past_the_pre_check_together_are_not_both_approved(client: TestClient) -> None:
    driver, applicant = CreditCardDriver(client), Applicant()
    first = driver.run(applicant, stop_before="witness")
    second = driver.run(applicant, stop_before="witness")  # both pass eligibility: nothing submitted yet
    outcomes = [finish_from(driver, journey, applicant) for journey in (first, second)]
    assert [(o["outcome"], o["outcome_reason"]) for o in outcomes] == [
        ("APPROVED", None),
        ("DECLINED", "PRODUCT_HELD"),  # the card centre's own de-duplication
    ]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_applicant_who_withdraws_before_signing_ends_abandoned_and_nothing_is_submitted(
    client: TestClient, services: Services
) -> None:
    driver = CreditCardDriver(client)
    at_signing = driver.run(Applicant(), stop_before="signing")
    instance_id = at_signing.instance["instance_id"]
    r = client.post(
        f"/api/v1/instances/{instance_id}/abandon",
        headers=driver.headers("fo001"),
        json={"reason": "CUSTOMER_DECLINED"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["outcome"]) == ("completed", "ABANDONED")
    trail = events(services, instance_id)
    assert not any(e.detail.get("operation") == "credit_card.submit" for e in trail)
    assert [e.kind for e in trail][-1] in ("instance_abandoned", "instance_completed")
    again = client.post(
        f"/api/v1/instances/{instance_id}/abandon",
        headers=driver.headers("fo001"),
        json={"reason": "CUSTOMER_DECLINED"},
    )
    assert again.status_code == 409  # the journey has already ended


def test_pending_documents_go_back_to_the_officer_and_are_decided_again(
    client: TestClient, services: Services
) -> None:
    applicant = Applicant(annual_income=400_000, originals=("income_proof",), supplements=("bank_statement",))
    done = finish(CreditCardDriver(client), applicant)
    assert (done["outcome"], done["status"]) == ("APPROVED", "completed")
    trail = events(services, done["instance_id"])
    assert [e.task_spec for e in trail if e.kind == "task_completed"].count("supplement") == 1
    assert len([e for e in trail if e.kind == "message_received"]) == 2  # PENDING_DOCS, then APPROVED


@pytest.mark.parametrize(
    ("family_mobile", "other_mobile", "field", "code"),
    [
        ("13900001234", "13900003456", "family_contact.mobile", "same_as_applicant"),  # the applicant's own
        ("13900002345", "13900009009", "other_contact.mobile", "staff_number"),  # §13.3 staff phone
        ("13900002345", "13900002345", "other_contact.mobile", "same_as_other_contact"),
    ],
)
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_contact_mobile_the_rule_forbids_is_a_field_error_on_that_contact(
    client: TestClient, family_mobile: str, other_mobile: str, field: str, code: str
) -> None:
    driver = CreditCardDriver(client)
    applicant = Applicant(family_mobile=family_mobile, other_mobile=other_mobile)
    at_form = driver.run(applicant, stop_before="application")
    [task] = at_form.instance["tasks"]
    data = driver.form_data("application", applicant, "fo001", at_form.steps)
    r = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "validation_failed" and body["message"]
    assert [(e["field"], e["code"]) for e in body["details"]] == [(field, code)]
    assert all(e["message"] for e in body["details"])
    again = client.get(f"/api/v1/tasks/{task['task_id']}", headers=driver.headers("fo001"))
    assert again.status_code == 200  # nothing moved: the same task is still open for the corrected form


def test_the_chip_data_on_the_application_cannot_be_changed_by_a_client(client: TestClient) -> None:
    driver = CreditCardDriver(client)
    applicant = Applicant()
    at_form = driver.run(applicant, stop_before="application")
    [task] = at_form.instance["tasks"]
    data = driver.form_data("application", applicant, "fo001", at_form.steps)
    complete = f"/api/v1/tasks/{task['task_id']}/complete"
    changed = client.post(
        complete, headers=driver.headers("fo001"), json={"data": {**data, "customer_name": "李四"}}
    )
    assert changed.status_code == 422
    assert [(e["field"], e["code"]) for e in changed.json()["details"]] == [("customer_name", "read_only")]
    left_out = {k: v for k, v in data.items() if k not in ("customer_name", "id_number", "reserved_mobile")}
    r = client.post(complete, headers=driver.headers("fo001"), json={"data": left_out})
    assert r.status_code == 200, r.text
    assert [t["name"] for t in r.json()["tasks"]] == ["signing"]  # the journey kept the chip's values


def test_the_application_opens_with_what_the_journey_already_knows(client: TestClient) -> None:
    """Issue 28 item 9: the chip's address, the verified mobile and the originals seen are not asked
    again; the employer's county and what only the applicant can say are."""
    driver = CreditCardDriver(client)
    applicant = Applicant(originals=("income_proof", "bank_statement"))
    at_form = driver.run(applicant, stop_before="application")
    [task] = at_form.instance["tasks"]
    r = client.get(f"/api/v1/tasks/{task['task_id']}", headers=driver.headers("fo001"))
    assert r.status_code == 200, r.text
    shown = r.json()["data"]
    assert shown["reserved_mobile"] == applicant.mobile  # the number the OTP went to
    assert shown["residential_address"] == {  # the sandbox chip: 湖北省武汉市武昌区中南路99号
        "province_code": "420000",
        "city_code": "420100",
        "district_code": "420106",
        "detail": "中南路99号",
    }
    assert shown["employer_address"] == {"province_code": "420000", "city_code": "420100"}
    assert shown["income_proof_types"] == ["income_proof", "bank_statement"]  # the originals ticked
    assert "family_contact" not in shown and "annual_income" not in shown
    # what was shown can be sent back as it is, with the applicant's own answers added
    data = driver.form_data("application", applicant, "fo001", at_form.steps)
    data = {**data, "residential_address": shown["residential_address"]}
    done = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
    )
    assert done.status_code == 200, done.text
    assert [t["name"] for t in done.json()["tasks"]] == ["signing"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_applicant_over_60_is_refused_before_any_authorization(
    client: TestClient, services: Services
) -> None:
    done = finish(CreditCardDriver(client), Applicant(name="李建国", id_number="420111195501010035"))
    assert (done["outcome"], done["outcome_reason"]) == ("REFUSED", "OVER_AGE")
    assert not any(e.task_spec == "credit_authorization" for e in events(services, done["instance_id"]))


def test_only_a_qualified_officer_starts_the_journey_and_sees_it_offered(client: TestClient) -> None:
    driver = CreditCardDriver(client)
    refused = client.post(f"/api/v1/processes/{PROCESS}/instances", headers=driver.headers("fo002"), json={})
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    listed = {
        p["process_id"]: p for p in client.get("/api/v1/processes", headers=driver.headers("fo002")).json()
    }
    assert listed[PROCESS]["start_qualification"] == "credit_card_face_sign"
    assert (
        client.post(
            f"/api/v1/processes/{PROCESS}/instances", headers=driver.headers("fo001"), json={}
        ).status_code
        == 201
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_instance_waiting_for_its_decision_is_subscribed_by_application_number(
    client: TestClient, services: Services
) -> None:
    assert services.worker is not None
    services.worker.periodic = ()  # the card centre does not call back in this test
    driver, applicant = CreditCardDriver(client), Applicant()
    at_witness = driver.run(applicant, stop_before="witness")
    [task] = at_witness.instance["tasks"]
    data = driver.form_data("witness", applicant, "fo001", at_witness.steps)
    r = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
    )

    def subscriptions() -> list[MessageSubscriptionRecord]:
        with services.deps.sessions() as session:
            return list(session.query(MessageSubscriptionRecord).all())

    waiting, deadline = r.json(), time.monotonic() + 20
    while not subscriptions() and time.monotonic() < deadline:  # the worker submits, then texts
        waiting = client.get(
            f"/api/v1/instances/{waiting['instance_id']}",
            headers=driver.headers("fo001"),
            params={"wait": 2, "version": waiting["version"]},
        ).json()
    assert waiting["status"] == "waiting_external"  # now for the decision
    [subscription] = subscriptions()
    assert subscription.message_name == "card_decision" and subscription.instance_id == waiting["instance_id"]
    assert subscription.correlation_key.startswith("CC")


class Clock:
    """The wall clock plus an offset the test moves (the sandbox card centre keeps the wall clock)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_documents_not_supplied_within_7_days_decline_the_application(
    database_url: str, key_dir: Path, tmp_path: Path
) -> None:
    clock = Clock()
    built = build_services(make_settings(database_url, key_dir, tmp_path), now=clock)
    seed_demo(built.deps.sessions, built.deps.now)
    seed_demo_devices(built.device_admin)
    built.definitions.deploy_all("test")
    with TestClient(create_app(built.settings, built)) as client:
        driver = CreditCardDriver(client)
        applicant = Applicant(annual_income=400_000, originals=("income_proof",))
        asked = driver.run(applicant, stop_before="supplement").instance
        assert [t["name"] for t in asked["tasks"]] == ["supplement"]  # 补件 is back on the officer's tablet
        clock.offset = timedelta(days=7, seconds=1)
        fire_due_timers(built.deps)
        driver._tokens.clear()  # a week later the morning's token has expired: sign in again
        done = client.get(f"/api/v1/instances/{asked['instance_id']}", headers=driver.headers("fo001")).json()
    assert (done["status"], done["outcome"], done["outcome_reason"]) == (
        "completed",
        "DECLINED",
        "DOCUMENTS_OVERDUE",
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_applicant_gets_an_sms_with_the_application_number_once_submitted(
    client: TestClient, services: Services
) -> None:
    driver, applicant = CreditCardDriver(client), Applicant()
    done = finish(driver, applicant)
    completed = next(e for e in events(services, done["instance_id"]) if e.kind == "instance_completed")
    number = completed.detail["application_no"]
    r = client.get(f"/api/v1/sandbox/sms/{applicant.mobile}", headers=driver.headers("fo001"))
    assert r.status_code == 200, r.text
    [notice] = [m for m in r.json() if number in m["text"]]
    # the customer learns the number, nothing of the bureau or the decision (§J2 step 8)
    assert not any(word in notice["text"] for word in ("征信", "信用报告", "额度", "拒绝", "核准"))


def resident_id(area: str, born: str = "19900101", sequence: str = "123") -> str:
    first17 = f"{area}{born}{sequence}"
    return first17 + id_check_char(first17)


BEIJING_ID = resident_id("110105")  # a synthetic person registered in Beijing (§13: sequence < 900)
BEIJING = {"province_code": "110000", "city_code": "110100", "district_code": "110105", "detail": "朝阳路1号"}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_non_local_id_holder_who_lives_in_the_service_area_may_apply(client: TestClient) -> None:
    applicant = Applicant(name="赵磊", id_number=BEIJING_ID, extra={"employer_address": BEIJING})
    done = finish(CreditCardDriver(client), applicant)
    assert (done["outcome"], done["outcome_reason"]) == ("APPROVED", None)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_applicant_neither_living_nor_working_in_the_service_area_is_refused_once_both_are_known(
    client: TestClient, services: Services
) -> None:
    applicant = Applicant(
        name="赵磊", id_number=BEIJING_ID, extra={"residential_address": BEIJING, "employer_address": BEIJING}
    )
    done = finish(CreditCardDriver(client), applicant)
    assert (done["outcome"], done["outcome_reason"]) == ("REFUSED", "OUTSIDE_SERVICE_AREA")
    trail = events(services, done["instance_id"])
    completed = [e.task_spec for e in trail if e.kind == "task_completed"]
    assert "application" in completed and "signing" not in completed
    assert not any(e.detail.get("operation") == "credit_card.submit" for e in trail)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_supplement_task_shows_the_documents_asked_for_and_the_deadline_in_beijing_time(
    client: TestClient,
) -> None:
    driver = CreditCardDriver(client)
    asked = driver.run(
        Applicant(annual_income=400_000, originals=("income_proof",)), stop_before="supplement"
    )
    reached = datetime.now(SHANGHAI)
    [task] = asked.instance["tasks"]
    r = client.get(f"/api/v1/tasks/{task['task_id']}", headers=driver.headers("fo001"))
    assert r.status_code == 200, r.text
    detail = r.json()
    assert "银行流水" in detail["data"]["supplement_documents_due"]  # the centre asked for a bank statement
    shown = detail["data"]["supplement_deadline"]
    assert shown.endswith("（北京时间）")
    deadline = datetime.strptime(shown.removesuffix("（北京时间）"), "%Y-%m-%d %H:%M").replace(
        tzinfo=SHANGHAI
    )
    assert abs(deadline - (reached + timedelta(days=7))) < timedelta(minutes=2)
    properties = detail["form"]["schema"]["properties"]
    assert (
        properties["supplement_documents_due"]["readOnly"] and properties["supplement_deadline"]["readOnly"]
    )


# ---------------------------------------------------------------- the supplementary card (§7.2, §7.3)


def completed_detail(services: Services, instance_id: str) -> dict[str, Any]:
    return dict(next(e for e in events(services, instance_id) if e.kind == "instance_completed").detail)


def test_a_present_supplementary_holder_is_identified_screened_signs_and_goes_with_the_application(
    client: TestClient, services: Services
) -> None:
    holder = SupplementaryHolder()  # 赵雨桐, 18, clean (§13.2)
    done = finish(CreditCardDriver(client), Applicant(supplementary=holder))
    assert (done["status"], done["outcome"]) == ("completed", "APPROVED")
    trail = events(services, done["instance_id"])
    completed = [e.task_spec for e in trail if e.kind == "task_completed"]
    assert completed.index("supp_id_card") < completed.index("credit_authorization")
    assert completed.index("signing") < completed.index("supp_signing") < completed.index("witness")
    by_customer = {e.task_spec for e in trail if e.kind == "task_completed" and e.detail.get("by_customer")}
    assert {"supp_consents", "supp_signing"} <= by_customer  # the holder's own acts, on hand-over screens
    checks = {
        (e.task_spec, e.detail["operation"], e.detail["result"])
        for e in trail
        if e.kind == "service_result" and e.task_spec in ("supp_identity_check", "supp_watchlist_screen")
    }
    assert checks == {
        ("supp_identity_check", "identity.verify", "MATCH_WITH_PHOTO"),
        ("supp_watchlist_screen", "watchlist.screen_person", "CLEAR"),
    }
    detail = completed_detail(services, done["instance_id"])
    assert detail["supplementary_card"] == "SUBMITTED_WITH_MAIN"
    received = services.sandbox.card_centre.received(detail["application_no"])
    # the applicant stays the applicant; the holder travels under their own name, with their signature
    assert (received.name, received.id_number) == ("王芳", "420102198506150026")
    supp = received.supplementary_holder
    assert supp is not None
    assert (supp.name, supp.id_number, supp.relation) == (holder.name, holder.id_number, "CHILD")
    assert (supp.identity_result, supp.watchlist_result) == ("MATCH_WITH_PHOTO", "CLEAR")
    assert supp.signature_ref.startswith("att_")  # their own signature, uploaded on their screen
    assert "SUPPLEMENTARY_CARD_REFUSED" not in received.flags


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_supplementary_card_whose_holder_is_not_present_is_a_field_error_on_the_product_form(
    client: TestClient,
) -> None:
    driver = CreditCardDriver(client)
    applicant = Applicant(supplementary=SupplementaryHolder(present=False))
    instance = driver.start("fo001")
    [task] = instance["tasks"]
    assert task["name"] == "product_choice"
    data = driver.form_data("product_choice", applicant, "fo001", [])
    r = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
    )
    assert r.status_code == 422, r.text
    [problem] = r.json()["details"]
    assert problem["field"] == "supplementary_holder_present" and "在场" in problem["message"]
    again = client.get(f"/api/v1/tasks/{task['task_id']}", headers=driver.headers("fo001"))
    assert again.status_code == 200  # nothing moved: the product choice is still open


@pytest.mark.parametrize(
    ("name", "id_number"),
    [
        ("谢鹏", "420103199303039118"),  # 911 BLOCK_DISCIPLINE (断卡 list)
        ("唐敏", "420104197004049129"),  # 912 BLOCK_SANCTIONS: neutral everywhere the customer looks
    ],
)
def test_a_watch_listed_supplementary_holder_drops_the_supplementary_card_and_the_application_goes_on(
    client: TestClient, services: Services, name: str, id_number: str
) -> None:
    """Chosen outcome: the supplementary card is an accessory of the applicant's own application (§7.2
    allows it to be applied for by someone else), so a BLOCK on its holder refuses that card only. The
    holder never signs, nothing of them reaches the card centre but a neutral flag."""
    holder = SupplementaryHolder(name=name, id_number=id_number, relation="SPOUSE")
    done = finish(CreditCardDriver(client), Applicant(supplementary=holder))
    assert (done["outcome"], done["outcome_reason"]) == ("APPROVED", None)
    trail = events(services, done["instance_id"])
    [screen] = [e for e in trail if e.kind == "service_result" and e.task_spec == "supp_watchlist_screen"]
    assert (screen.detail["result"], screen.detail["bpmn_error"]) == ("WATCHLIST_BLOCK", "PRECHECK_REFUSED")
    assert "supp_signing" not in [e.task_spec for e in trail if e.kind == "task_completed"]
    detail = completed_detail(services, done["instance_id"])
    assert detail["supplementary_card"] == "NOT_ACCEPTED"
    received = services.sandbox.card_centre.received(detail["application_no"])
    assert received.supplementary_holder is None and "SUPPLEMENTARY_CARD_REFUSED" in received.flags
    assert (received.name, received.id_number) == ("王芳", "420102198506150026")


def _face_check_screen(driver: CreditCardDriver, paused: JourneyResult) -> dict[str, Any]:
    task = paused.instance["tasks"][0]
    assert task["name"] == "face_check"
    r = driver.client.get(f"/api/v1/tasks/{task['task_id']}", headers=driver.headers("fo001"))
    assert r.status_code == 200
    return dict(r.json())


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_each_face_check_screen_names_whose_face_it_compares_and_shows_their_chip_photo(
    client: TestClient,
) -> None:
    driver = CreditCardDriver(client)
    applicant = Applicant(supplementary=SupplementaryHolder())
    paused = driver.run(applicant, stop_before="face_check")
    own = _face_check_screen(driver, paused)
    assert own["data"]["face_subject_title"] == "客户本人"
    assert own["data"]["face_reference_photo"].startswith("att_")
    # the applicant's check done, on to the holder's: their own title and their own chip photo
    task = paused.instance["tasks"][0]
    steps = [*paused.steps, "face_check"]
    data = driver.form_data("face_check", applicant, "fo001", steps)
    r = client.post(
        f"/api/v1/tasks/{task['task_id']}/complete", headers=driver.headers("fo001"), json={"data": data}
    )
    assert r.status_code == 200, r.text
    holder = driver.run_from(r.json(), applicant, skip=steps, stop_before="face_check")
    theirs = _face_check_screen(driver, holder)
    assert theirs["data"]["face_subject_title"] == "附属卡持卡人"
    assert theirs["data"]["face_reference_photo"].startswith("att_")
    assert theirs["data"]["face_reference_photo"] != own["data"]["face_reference_photo"]
