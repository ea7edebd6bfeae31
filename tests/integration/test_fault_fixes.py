"""Faults of the fault-injection run (issue 17), each pinned by a test that failed before its fix."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.bootstrap import Services
from api.journey_driver import Customer, J1Driver
from engine.errors import Throttled, Unauthenticated
from engine.people.auth import MAX_CLIENT_FAILURES
from engine.persistence.records import KeyValueRecord, OutboxRecord, ProcessInstanceRecord
from tests.integration.conftest import clear_personal_data

CLEAR_ID = "420106199003071238"
CLEAR_MOBILE = "13900001234"


def test_an_id_beyond_its_column_is_a_field_error_not_a_500(client: TestClient) -> None:
    driver = J1Driver(client)
    instance = driver.start("fo001")
    huge = "146612173416028183950524416"
    for url in (
        f"/api/v1/instances/{instance['instance_id']}/incidents/{huge}/retry",
        f"/api/v1/instances/{instance['instance_id']}/incidents/2147483648/retry",
    ):
        r = client.post(url, headers=driver.headers("fo001"))
        assert r.status_code == 422, r.text
        assert r.json()["details"][0]["field"] == "incident_id"
    r = client.post(f"/api/v1/staff/changes/{huge}/approve", headers=driver.headers("sec001"), json={})
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "change_id"


def test_an_oversized_body_is_refused_with_413_before_it_is_parsed(client: TestClient) -> None:
    headers = {**J1Driver(client).headers("fo001"), "content-type": "application/json"}
    big = b'{"data": {"x": "' + b"a" * (20 * 1024 * 1024) + b'"}}'
    r = client.post("/api/v1/processes/debit_card_opening/instances", headers=headers, content=big)
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"data": {"x": "'
        for _ in range(40):
            yield b"a" * 65536
        yield b'"}}'

    r = client.post("/api/v1/processes/debit_card_opening/instances", headers=headers, content=chunks())
    assert r.status_code == 413
    # an ordinary start still works, and an upload may be larger than a JSON body
    r = client.post("/api/v1/processes/debit_card_opening/instances", headers=headers, json={})
    assert r.status_code == 201


def test_ten_thousand_unknown_keys_are_refused(client: TestClient) -> None:
    headers = J1Driver(client).headers("fo001")
    data = {f"k{i}": i for i in range(10_000)}
    r = client.post("/api/v1/processes/debit_card_opening/instances", headers=headers, json={"data": data})
    assert r.status_code == 422 and r.json()["details"][0]["field"].startswith("data")


def test_the_sms_inbox_shows_only_codes_of_journeys_the_caller_may_see(client: TestClient) -> None:
    result = J1Driver(client, wait_seconds=5).run(Customer(card_sequence=1201))
    assert result.outcome == "OPENED"
    own = client.get(f"/api/v1/sandbox/sms/{CLEAR_MOBILE}", headers=J1Driver(client).headers("fo001"))
    assert own.status_code == 200 and own.json(), "the officer running the journey reads the code"
    other = client.get(f"/api/v1/sandbox/sms/{CLEAR_MOBILE}", headers=J1Driver(client).headers("fo101"))
    assert other.status_code == 200 and other.json() == []  # 洪山支行 staff see no 武昌 codes


def test_no_table_holds_a_clear_id_or_mobile_after_a_journey(client: TestClient, services: Services) -> None:
    assert services.settings.sandbox_store == "database"  # simulators and OTPs live in kv_entries
    result = J1Driver(client, wait_seconds=5).run(Customer(card_sequence=1202))
    assert result.outcome == "OPENED"
    assert clear_personal_data(services.deps.sessions.kw["bind"]) == []
    with services.deps.sessions() as session:
        rows = session.scalars(select(KeyValueRecord)).all()
        assert rows, "the journey used the sealed store"
        assert all(set(r.value) == {"sealed"} and len(r.key) == 64 for r in rows)


def test_the_sealed_store_reads_back_what_it_wrote(services: Services) -> None:
    from engine.persistence.kv import SqlKeyValueStore

    store = SqlKeyValueStore(services.deps.sessions, services.cipher, b"k" * 32, prefix="t:")
    assert store.put_if_absent("ns", CLEAR_ID, {"mobile": CLEAR_MOBILE})
    assert not store.put_if_absent("ns", CLEAR_ID, {"mobile": "other"})
    store.put("ns", "b", {"n": 2})
    assert store.get("ns", CLEAR_ID) == {"mobile": CLEAR_MOBILE}
    assert store.items("ns") == [(CLEAR_ID, {"mobile": CLEAR_MOBILE}), ("b", {"n": 2})]
    assert store.get("other", CLEAR_ID) is None  # the namespace is part of the row key


def test_analysts_and_security_officers_read_no_customer_journey(client: TestClient) -> None:
    driver = J1Driver(client)
    instance_id = driver.start("fo001")["instance_id"]
    for who in ("an001", "sec001"):  # both sit at HQ, whose subtree is every branch
        headers = driver.headers(who)
        for url in (f"/api/v1/instances/{instance_id}", f"/api/v1/instances/{instance_id}/events"):
            r = client.get(url, headers=headers)
            assert (r.status_code, r.json()["code"]) == (403, "forbidden"), (who, url)
    assert client.get(f"/api/v1/instances/{instance_id}", headers=driver.headers("ps001")).status_code == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_restarted_embedded_server_takes_back_its_own_leases_at_once(services: Services) -> None:
    """A kill -9 leaves rows leased by the dead process; on its SQLite file nobody else can hold them."""
    ran = threading.Event()

    def probe(outbox_id: int) -> None:
        with services.deps.sessions() as session:
            row = session.get(OutboxRecord, outbox_id)
            assert row is not None
            row.done_at = services.deps.now()
            session.commit()
        ran.set()

    services.deps.outbox_handlers["probe"] = probe
    now = services.deps.now()
    with services.deps.sessions() as session:
        session.add(
            OutboxRecord(
                instance_id="x",
                kind="probe",
                payload={},
                created_at=now,
                available_at=now,
                lease_until=now + timedelta(hours=1),  # the previous run's lease
            )
        )
        session.commit()
    assert services.worker is not None and services.worker.sole_worker
    services.start_background()
    try:
        assert ran.wait(10), "the leased row waited for its lease to run out"
    finally:
        services.stop_background()


def test_a_stranger_cannot_lock_a_member_of_staff_out(services: Services) -> None:
    auth = services.auth
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            auth.login("fo001", "wrong", client="203.0.113.9")
    with pytest.raises(Throttled):  # the guessing client is refused, even with the right password
        auth.login("fo001", "fieldbank-demo", client="203.0.113.9")
    assert auth.login("fo001", "fieldbank-demo", client="10.1.2.3").actor.staff_id == "fo001"


def test_one_wrong_password_for_each_of_many_users_from_one_client_is_throttled(services: Services) -> None:
    auth = services.auth
    for n in range(MAX_CLIENT_FAILURES):
        with pytest.raises(Unauthenticated):
            auth.login(f"user{n}", "guess", client="198.51.100.7")
    with pytest.raises(Throttled):
        auth.login("fo002", "fieldbank-demo", client="198.51.100.7")
    assert auth.login("fo002", "fieldbank-demo", client="10.1.2.3").actor.staff_id == "fo002"


def test_a_second_completion_of_a_done_task_is_409_for_its_officer_and_404_for_strangers(
    client: TestClient,
) -> None:
    driver = J1Driver(client, wait_seconds=5)
    customer = Customer(card_sequence=1203)
    result = driver.run(customer, stop_before="risk_notice")
    task_id = result.instance["tasks"][0]["task_id"]
    data = driver.form_data("risk_notice", customer, "fo001", [])
    url = f"/api/v1/tasks/{task_id}/complete"
    assert client.post(url, headers=driver.headers("fo001"), json={"data": data}).status_code == 200
    late = client.post(url, headers=driver.headers("fo001"), json={"data": data})
    assert (late.status_code, late.json()["code"]) == (409, "conflict")
    assert client.post(url, headers=driver.headers("fo101"), json={"data": data}).status_code == 404


def test_a_start_repeated_with_its_idempotency_key_returns_the_same_journey(
    client: TestClient, services: Services
) -> None:
    driver = J1Driver(client)
    url = "/api/v1/processes/debit_card_opening/instances"
    headers = {**driver.headers("fo001"), "Idempotency-Key": "tablet-7:0001"}
    first = client.post(url, headers=headers, json={})
    again = client.post(url, headers=headers, json={})  # the response to the first was lost
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["instance_id"] == first.json()["instance_id"]
    other = client.post(url, headers={**driver.headers("fo002"), "Idempotency-Key": "tablet-7:0001"}, json={})
    assert other.json()["instance_id"] != first.json()["instance_id"]  # keys are per member of staff
    bad = client.post(url, headers={**driver.headers("fo001"), "Idempotency-Key": "x"}, json={})
    assert bad.status_code == 422
    with services.deps.sessions() as session:
        assert len(session.scalars(select(ProcessInstanceRecord)).all()) == 2
