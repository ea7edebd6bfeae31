"""The sandbox device agent: plays a tablet's side over HTTP — risk snapshots (domain §13.9) and the
device channel (§9.4): enrolment of its identity key, its own signed check-in, and obeying remote
commands with signed receipts (the tablet's rules are in devices/sandbox_tablet.py).

Given an httpx client (a `TestClient` in tests, a real client against a running server), a staff
token signed in on the device and the device's identity, it sends sign-in, journey-start and heartbeat
snapshots, clean or for one of the fixture profiles (devices/risk_profiles.py). Commands that come
back with a sign-in or heartbeat, or from a check-in, are obeyed and answered at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from crypto import SM2PublicKey
from devices.risk_profiles import PROFILES, DeviceIdentity, clean_snapshot
from devices.sandbox_tablet import SandboxTablet
from devices.snapshots import Snapshot, SnapshotKind

API = "/api/v1"


@dataclass(frozen=True)
class Answer:
    kind: str
    status: int
    body: dict[str, Any]

    @property
    def action(self) -> str | None:
        return self.body.get("action") if self.status == 201 else None


def sign_in_on_device(client: httpx.Client, username: str, password: str, device_id: str | None) -> str:
    r = client.post(
        f"{API}/auth/token", json={"username": username, "password": password, "device_id": device_id}
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


def platform_key(client: httpx.Client) -> SM2PublicKey:
    """The platform's command key, as a tablet pins it at provisioning."""
    r = client.get(f"{API}/device-channel/command-key")
    r.raise_for_status()
    return SM2PublicKey.from_bytes(bytes.fromhex(r.json()["public_key"]))


class DeviceAgent:
    def __init__(
        self,
        client: httpx.Client,
        token: str | None,
        device_id: str,
        identity: DeviceIdentity,
        tablet: SandboxTablet | None = None,
    ) -> None:
        self.client = client
        self.device_id = device_id
        self.identity = identity
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.tablet = tablet or SandboxTablet(device_id, platform_key(client))
        self.receipt_answers: list[Answer] = []
        """Every receipt sent and the server's answer, in order."""

    def send(self, kind: SnapshotKind, snapshot: Snapshot) -> Answer:
        body = {"kind": kind.value, **snapshot.model_dump(mode="json")}
        r = self.client.post(f"{API}/devices/{self.device_id}/snapshots", json=body, headers=self._headers)
        answer = Answer(kind.value, r.status_code, r.json())
        if answer.status == 201 and self.tablet.key is not None:
            self.obey(answer.body.get("commands", []))
        return answer

    def enrol(self, admin_token: str, at: datetime | None = None) -> Answer:
        """Provisioning at the branch: a new identity key, enrolled through the device admin's session."""
        signed = self.tablet.enrolment(self.identity.fingerprint_hash, "fieldbank-tablet 1.0", _now(at))
        r = self.client.post(
            f"{API}/devices/{self.device_id}/enrolment",
            json=signed,
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        if r.status_code == 201:
            self.tablet.enrolled(int(r.json()["epoch"]))
        return Answer("enrolment", r.status_code, r.json())

    def check_in(self, at: datetime | None = None) -> Answer:
        """The tablet's own signed pull (no staff session): commands obeyed and answered."""
        r = self.client.post(f"{API}/devices/{self.device_id}/check-in", json=self.tablet.check_in(_now(at)))
        answer = Answer("check_in", r.status_code, r.json())
        if r.status_code == 200:
            self.obey(answer.body["commands"], at)
        return answer

    def obey(self, delivered: list[dict[str, Any]], at: datetime | None = None) -> list[Answer]:
        answers = []
        for receipt in self.tablet.obey(delivered, _now(at)):
            r = self.client.post(f"{API}/devices/{self.device_id}/command-receipts", json=receipt)
            answers.append(Answer("receipt", r.status_code, r.json()))
        self.receipt_answers.extend(answers)
        return answers

    def heartbeat(self, at: datetime | None = None) -> Answer:
        """A clean heartbeat from where the demo tablets work."""
        return self.send(SnapshotKind.HEARTBEAT, clean_snapshot(self.identity, at or datetime.now(UTC)))

    def run_profile(self, name: str, start: datetime | None = None) -> list[Answer]:
        """Sends the profile's snapshots in order; the last answer carries the action to compare."""
        if name not in PROFILES:
            raise KeyError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}")
        steps = PROFILES[name].build(self.identity, start or datetime.now(UTC))
        return [self.send(step.kind, step.snapshot) for step in steps]


def _now(at: datetime | None) -> datetime:
    return at or datetime.now(UTC)
