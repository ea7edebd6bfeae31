"""Faults of the fault-injection run (issue 17), each pinned by a test that failed before its fix."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.bootstrap import Services
from api.journey_driver import Customer, J1Driver
from devices.demo import DEMO_DEVICE_OF
from engine.adapters.ports import OpenAccountRequest
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
    now = services.deps.now()
    with services.deps.sessions() as session:
        row = OutboxRecord(
            instance_id="x",
            kind="start_review",  # of a package that is not there: its handler only marks the row done
            payload={"package_id": "EP-00000000-0000-0000-0000-000000000000"},
            created_at=now,
            available_at=now,
            lease_until=now + timedelta(hours=1),  # the previous run's lease
        )
        session.add(row)
        session.commit()
        outbox_id = row.id

    def ran() -> bool:
        with services.deps.sessions() as session:
            return session.get(OutboxRecord, outbox_id).done_at is not None  # type: ignore[union-attr]

    assert services.worker is not None and services.worker.sole_worker
    services.start_background()
    try:
        deadline = time.monotonic() + 10
        while not ran() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ran(), "the leased row waited for its lease to run out"
    finally:
        services.stop_background()


def test_a_stranger_cannot_lock_a_member_of_staff_out(services: Services) -> None:
    auth = services.auth
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            auth.login("fo001", "wrong", client="203.0.113.9")
    with pytest.raises(Throttled):  # the guessing client is refused, even with the right password
        auth.login("fo001", "fieldbank-demo", DEMO_DEVICE_OF["fo001"], client="203.0.113.9")
    assert (
        auth.login("fo001", "fieldbank-demo", DEMO_DEVICE_OF["fo001"], client="10.1.2.3").actor.staff_id
        == "fo001"
    )


def test_one_wrong_password_for_each_of_many_users_from_one_client_is_throttled(services: Services) -> None:
    auth = services.auth
    for n in range(MAX_CLIENT_FAILURES):
        with pytest.raises(Unauthenticated):
            auth.login(f"user{n}", "guess", client="198.51.100.7")
    with pytest.raises(Throttled):
        auth.login("fo002", "fieldbank-demo", DEMO_DEVICE_OF["fo002"], client="198.51.100.7")
    assert (
        auth.login("fo002", "fieldbank-demo", DEMO_DEVICE_OF["fo002"], client="10.1.2.3").actor.staff_id
        == "fo002"
    )


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


def test_the_sealed_store_commits_a_transaction_whole_or_not_at_all(services: Services) -> None:
    from engine.persistence.kv import SqlKeyValueStore

    store = SqlKeyValueStore(services.deps.sessions, services.cipher, b"k" * 32, prefix="t:")
    store.put("ns", "taken", {"v": 0})
    with pytest.raises(RuntimeError), store.transaction() as tx:
        assert tx.put_if_absent("ns", "claim", {"v": 1})
        raise RuntimeError("crash between claim and result")
    assert store.get("ns", "claim") is None
    with store.transaction() as tx:
        assert not tx.put_if_absent("ns", "taken", {"v": 2})  # a lost insert does not abort the rest
        assert tx.put_if_absent("ns", "claim", {"v": 1})
        tx.put("ns", "taken", {"v": 3})
        assert tx.get("ns", "taken") == {"v": 3}
    assert store.items("ns") == [("claim", {"v": 1}), ("taken", {"v": 3})]


_OPEN_AND_DIE = """
import json, os, signal, sys
from api.bootstrap import build_services
from engine.adapters.ports import OpenAccountRequest
from engine.persistence import kv
from engine.settings import Settings


def dying(put_if_absent):
    def put(self, namespace, key, value):
        if namespace == "core.account":  # booked: serial, CIF, slot, binding; not yet: account, result
            os.kill(os.getpid(), signal.SIGKILL)
        return put_if_absent(self, namespace, key, value)
    return put


for writer in (kv.SqlKeyValueStore, kv.SqlKeyValueView):
    writer.put_if_absent = dying(writer.put_if_absent)
settings, request = json.loads(sys.argv[1])
services = build_services(Settings(**settings), in_process_worker=False)
services.sandbox.core.open_account(OpenAccountRequest(**request))
"""


def test_a_core_killed_mid_opening_leaves_its_serial_free_to_open(services: Services) -> None:
    """kill -9 between the serial claim and the booking: the serial must not stay IN_PROGRESS."""
    settings = services.settings
    request = OpenAccountRequest(
        channel_serial_no="FB20250612-0099",
        id_number=CLEAR_ID,
        name="张伟",
        mobile=CLEAR_MOBILE,
        account_class="I",
        product_code="DEBIT_STD",
        card_no="6219994201000000010",
        branch_code="420101",
        operator_id="fo001",
    )
    child_settings = {
        "environment": "test",
        "database_url": settings.database_url,
        "data_dir": str(settings.data_dir),
        "keys_dir": str(settings.keys_dir),
        "sandbox_latency": "zero",
    }
    argument = json.dumps([child_settings, dataclasses.asdict(request)], ensure_ascii=False)
    child = subprocess.run([sys.executable, "-c", _OPEN_AND_DIE, argument], capture_output=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]

    core = services.sandbox.core
    assert core.query_status(request.channel_serial_no, "status-1").status == "NOT_FOUND"
    opened = core.open_account(request)
    assert opened.result == "OK" and opened.account_no
    assert core.query_status(request.channel_serial_no, "status-2").status == "OPENED"


def test_the_api_answers_as_its_openapi_says(client: TestClient) -> None:
    """The schemathesis findings, pinned: zones on every backend, Allow on 405, field errors only."""
    driver = J1Driver(client)
    instance = driver.start("fo001")
    assert datetime.fromisoformat(instance["created_at"]).utcoffset() == timedelta(0)  # SQLite too
    r = client.options("/api/v1/staff/changes", headers=driver.headers("sec001"))
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    headers = {**driver.headers("fo001"), "content-type": "application/json"}
    r = client.post(
        f"/api/v1/tasks/{instance['tasks'][0]['task_id']}/complete", headers=headers, content=b"\xff\xfe"
    )
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "body"
    r = client.get("/api/v1/evidence", params={"to": "0.5"}, headers=driver.headers("ps001"))
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "to"
    r = client.post(
        "/api/v1/processes/debit_card_opening/instances",
        headers={**driver.headers("fo001"), "Idempotency-Key": "null"},
        json={},
    )
    assert r.status_code == 422  # a header is a string or absent, and "null" is too short to be a key
    r = client.post(
        "/api/v1/staff/changes",
        headers=driver.headers("sec001"),
        json={
            "action": "create",
            "staff_id": "fo900",
            "name": "新员工",
            "branch_code": "ZZ99",
            "roles": ["field_officer"],
            "initial_password": "a-long-initial-pass",
        },
    )
    assert r.status_code == 404, r.text  # a well-formed code of no branch
    r = client.post(
        "/api/v1/staff/changes",
        headers=driver.headers("sec001"),
        json={"action": "grant_role", "staff_id": "fo002", "role": "wizard"},
    )
    assert r.status_code == 422 and r.json()["details"][0]["field"].endswith("role")
