"""Remote commands over HTTP on PostgreSQL (§9.4 with §9.7): enrolment of the tablet's identity key,
lock / unlock / lost / repair queueing their commands with the lifecycle step, delivery on the tablet's
own signed check-in and on a staff heartbeat, signed receipts (idempotent), applied state against
wanted state, cancel and expiry, and a new enrolment generation superseding old commands. The sandbox
device agent plays the tablet and verifies each command against the pinned platform key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build_services
from api.device_agent import DeviceAgent, sign_in_on_device
from api.journey_driver import J1Driver
from devices.demo import DEVICES, demo_identity, seed_demo_devices
from devices.sandbox_tablet import SandboxTablet
from engine.people.demo import seed_demo
from tests.integration.conftest import Clock, make_settings

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

DEVICE = DEVICES[0][0]  # ACTIVE, held by fo001 in WH0101
PASSWORD = "fieldbank-demo"


@pytest.fixture
def client(database_url: str, key_dir: Path, tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    settings = make_settings(database_url, key_dir, tmp_path)
    built: Services = build_services(settings, now=clock, in_process_worker=False)
    seed_demo(built.deps.sessions, built.deps.now)
    seed_demo_devices(built.device_admin)
    with TestClient(create_app(built.settings, built)) as test_client:
        yield test_client


def headers(client: TestClient, who: str) -> dict[str, str]:
    return J1Driver(client).headers(who)


def enrolled_agent(client: TestClient, clock: Clock, device_id: str = DEVICE) -> DeviceAgent:
    """The tablet, provisioned at the branch: its identity key enrolled through da001's session."""
    agent = DeviceAgent(client, None, device_id, demo_identity(device_id))
    answer = agent.enrol(token(client, "da001"), clock.now)
    assert answer.status == 201, answer.body
    return agent


def token(client: TestClient, who: str) -> str:
    return headers(client, who)["Authorization"].removeprefix("Bearer ")


def step(client: TestClient, who: str, transition: str, **payload: Any) -> dict[str, Any]:
    body = {"transition": transition, "reason": "测试", **payload}
    r = client.post(f"/api/v1/devices/{DEVICE}/changes", json=body, headers=headers(client, who))
    assert r.status_code == 201, r.text
    return dict(r.json())


def approve(client: TestClient, who: str, change: dict[str, Any]) -> None:
    r = client.post(
        f"/api/v1/device-changes/{change['change_id']}/approve",
        json={"reason": "同意"},
        headers=headers(client, who),
    )
    assert r.status_code == 200, r.text


def commands(client: TestClient, who: str = "sec001") -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/devices/{DEVICE}/commands", headers=headers(client, who))
    assert r.status_code == 200, r.text
    return list(r.json())


def device(client: TestClient) -> dict[str, Any]:
    r = client.get(f"/api/v1/devices/{DEVICE}", headers=headers(client, "sec001"))
    return dict(r.json()["device"])


def test_enrolment_proves_possession_and_opens_one_generation(client: TestClient, clock: Clock) -> None:
    agent = enrolled_agent(client, clock)
    assert agent.tablet.epoch == 1 and device(client)["epoch"] == 1
    # a live key is not replaced by enrolling again: rotation is a key request (issue 31)
    again = agent.enrol(token(client, "da001"), clock.now)
    assert again.status == 409 and "enrolled" in again.body["message"]
    # only a device admin enrols, and a signature by another key proves nothing
    other = SandboxTablet(DEVICES[1][0], agent.tablet.platform_key)
    signed = other.enrolment("a" * 64, "1.0", clock.now)
    url = f"/api/v1/devices/{DEVICES[1][0]}/enrolment"
    assert client.post(url, json=signed, headers=headers(client, "fo002")).status_code == 403
    forged = dict(signed, signature=agent.tablet.enrolment("a" * 64, "1.0", clock.now)["signature"])
    r = client.post(url, json=forged, headers=headers(client, "da001"))
    assert r.status_code == 422 and r.json()["details"][0]["field"] == "signature"
    stale = other.enrolment("a" * 64, "1.0", clock.now - timedelta(minutes=6))
    r = client.post(url, json=stale, headers=headers(client, "da001"))
    assert (r.status_code, r.json()["code"]) == (401, "ts_skew")


def test_a_lock_is_delivered_on_check_in_obeyed_once_and_confirmed(client: TestClient, clock: Clock) -> None:
    agent = enrolled_agent(client, clock)
    step(client, "da001", "lock")
    queued = commands(client)
    assert [(c["kind"], c["status"], c["seq"], c["epoch"]) for c in queued] == [("LOCK", "QUEUED", 1, 1)]
    seen = device(client)
    assert (seen["state"], seen["applied_state"], seen["pending_action"]) == ("LOCKED", None, "lock")
    # nobody is signed in on the locked tablet: it pulls with its own signature
    answer = agent.check_in(clock.now)
    assert answer.status == 200 and answer.body["state"] == "LOCKED"
    assert agent.tablet.screen.locked
    assert [a.status for a in agent.receipt_answers] == [200]
    done = commands(client)[0]
    assert (done["status"], done["attempts"], done["closed_by"]) == ("DONE", 1, DEVICE)
    assert done["receipt"]["body"]["status"] == "DONE"
    seen = device(client)
    assert (seen["applied_state"], seen["pending_action"], seen["pending_since"]) == ("LOCKED", None, None)
    assert seen["last_check_in_at"] is not None
    # the same receipt again: the stored outcome, nothing changes
    r = client.post(
        f"/api/v1/devices/{DEVICE}/command-receipts", json=agent.tablet.receipts[done["command_id"]]
    )
    assert r.status_code == 200 and r.json()["status"] == "DONE"
    assert agent.check_in(clock.now).body["commands"] == []


def test_unlock_under_four_eyes_reaches_the_tablet_and_supersedes_an_undelivered_lock(
    client: TestClient, clock: Clock
) -> None:
    agent = enrolled_agent(client, clock)
    step(client, "da001", "lock")
    approve(client, "sec001", step(client, "da001", "unlock", presented_in_person=True))
    kinds = {c["kind"]: c["status"] for c in commands(client)}
    assert kinds == {"LOCK": "SUPERSEDED", "UNLOCK": "QUEUED"}
    assert device(client)["pending_action"] == "unlock"
    agent.tablet.screen.locked = True  # the tablet had locked itself meanwhile (24 h without contact)
    agent.check_in(clock.now)
    assert not agent.tablet.screen.locked
    assert device(client)["applied_state"] == "ACTIVE"
    assert [c["seq"] for c in commands(client)] == [2, 1]  # newest first; the numbers only rise


def test_a_lost_tablet_pulls_lock_and_wipe_and_confirms_the_wipe_with_its_revoked_key(
    client: TestClient, clock: Clock
) -> None:
    agent = enrolled_agent(client, clock)
    step(client, "fo001", "report_lost")  # the holder reports it; applied at once
    assert sorted(c["kind"] for c in commands(client)) == ["LOCK", "WIPE"]
    answer = agent.check_in(clock.now)
    assert answer.status == 200 and answer.body["state"] == "LOST"
    assert agent.tablet.screen.wiped and agent.tablet.key is None
    assert [a.status for a in agent.receipt_answers] == [200, 200]
    assert {c["kind"]: c["status"] for c in commands(client)} == {"LOCK": "DONE", "WIPE": "DONE"}
    assert device(client)["applied_state"] == "WIPED"


def test_a_staff_heartbeat_carries_the_commands_too(client: TestClient, clock: Clock) -> None:
    agent = enrolled_agent(client, clock)
    heartbeat = DeviceAgent(
        client, sign_in_on_device(client, "fo001", PASSWORD, DEVICE), DEVICE, agent.identity, agent.tablet
    )
    r = client.post(
        f"/api/v1/devices/{DEVICE}/commands",
        json={"kind": "REKEY", "reason": "年度轮换"},
        headers=headers(client, "da001"),
    )
    assert r.status_code == 201 and r.json()["not_after"] is not None
    answer = heartbeat.heartbeat(clock.now)
    assert answer.status == 201 and [c["command"]["kind"] for c in answer.body["commands"]] == ["REKEY"]
    assert agent.tablet.screen.rekey_requested
    assert commands(client)[0]["status"] == "DONE"


def test_commands_are_cancelled_expire_and_are_refused_to_the_wrong_people(
    client: TestClient, clock: Clock
) -> None:
    url = f"/api/v1/devices/{DEVICE}/commands"
    rekey = {"kind": "REKEY", "reason": "轮换"}
    r = client.post(url, json=rekey, headers=headers(client, "da001"))
    assert r.status_code == 409 and "enrolled" in r.json()["message"]  # no identity key yet
    agent = enrolled_agent(client, clock)
    assert client.post(url, json=rekey, headers=headers(client, "sec001")).status_code == 403
    assert (
        client.post(url, json={"kind": "WIPE", "reason": "x"}, headers=headers(client, "da001")).status_code
        == 422
    )
    first = client.post(url, json=rekey, headers=headers(client, "da001")).json()
    cancel = f"{url}/{first['command_id']}/cancel"
    assert client.post(cancel, json={"reason": "误操作"}, headers=headers(client, "fo001")).status_code == 403
    r = client.post(cancel, json={"reason": "误操作"}, headers=headers(client, "sec001"))
    assert r.status_code == 200 and (r.json()["status"], r.json()["closed_by"]) == ("CANCELLED", "sec001")
    assert client.post(cancel, json={"reason": "再次"}, headers=headers(client, "sec001")).status_code == 409
    assert (
        client.post(
            f"{url}/{'0' * 8}-0000-0000-0000-{'0' * 12}/cancel",
            json={"reason": "x"},
            headers=headers(client, "sec001"),
        ).status_code
        == 404
    )
    client.post(url, json=rekey, headers=headers(client, "da001"))
    clock.now += timedelta(hours=24, minutes=1)  # a rekey lives as long as a key approval
    assert agent.check_in(clock.now).body["commands"] == []
    assert [c["status"] for c in commands(client)] == ["EXPIRED", "CANCELLED"]
    assert device(client)["pending_action"] is None


def test_check_in_refuses_a_bad_signature_an_old_clock_and_an_old_generation(
    client: TestClient, clock: Clock
) -> None:
    agent = enrolled_agent(client, clock)
    url = f"/api/v1/devices/{DEVICE}/check-in"
    signed = agent.tablet.check_in(clock.now)
    tampered = {"body": dict(signed["body"], nonce="f" * 32), "signature": signed["signature"]}
    r = client.post(url, json=tampered)
    assert (r.status_code, r.json()["code"]) == (401, "sig_invalid")
    stale = SandboxTablet(DEVICE, agent.tablet.platform_key, key=agent.tablet.key, epoch=1)
    r = client.post(url, json=stale.check_in(clock.now - timedelta(minutes=6)))
    assert (r.status_code, r.json()["code"]) == (401, "ts_skew")
    replayed = agent.tablet.check_in(clock.now)
    assert client.post(url, json=replayed).status_code == 200
    r = client.post(url, json=replayed)  # the same signed check-in again
    assert (r.status_code, r.json()["code"]) == (409, "replay")
    r = client.post(url, json={"body": {"device_id": DEVICE}, "signature": "x"})
    assert r.status_code == 422
    old = SandboxTablet(DEVICE, agent.tablet.platform_key, key=agent.tablet.key, epoch=1)
    # to repair and back: the key is revoked, the tablet enrols again as generation 2
    approve(client, "bm001", step(client, "da001", "send_to_repair"))
    step(client, "da001", "return_from_repair")
    assert [c["kind"] for c in commands(client)] == ["WIPE"]
    assert agent.enrol(token(client, "da001"), clock.now).status == 201
    assert device(client)["epoch"] == 2
    assert commands(client)[0]["status"] == "SUPERSEDED"  # the old generation's wipe never fires now
    r = client.post(url, json=old.check_in(clock.now))
    assert (r.status_code, r.json()["code"]) == (409, "epoch_stale")
    assert agent.check_in(clock.now).status == 200
