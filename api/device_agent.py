"""The sandbox device agent: plays a tablet's side of risk scoring over HTTP (domain §13.9).

Given an httpx client (a `TestClient` in tests, a real client against a running server), a staff
token signed in on the device and the device's identity, it sends sign-in, journey-start and heartbeat
snapshots, clean or for one of the fixture profiles (devices/risk_profiles.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from devices.risk_profiles import PROFILES, DeviceIdentity, clean_snapshot
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


def sign_in_on_device(client: httpx.Client, username: str, password: str, device_id: str) -> str:
    r = client.post(
        f"{API}/auth/token", json={"username": username, "password": password, "device_id": device_id}
    )
    r.raise_for_status()
    return str(r.json()["access_token"])


class DeviceAgent:
    def __init__(self, client: httpx.Client, token: str, device_id: str, identity: DeviceIdentity) -> None:
        self.client = client
        self.device_id = device_id
        self.identity = identity
        self._headers = {"Authorization": f"Bearer {token}"}

    def send(self, kind: SnapshotKind, snapshot: Snapshot) -> Answer:
        body = {"kind": kind.value, **snapshot.model_dump(mode="json")}
        r = self.client.post(f"{API}/devices/{self.device_id}/snapshots", json=body, headers=self._headers)
        return Answer(kind.value, r.status_code, r.json())

    def heartbeat(self, at: datetime | None = None) -> Answer:
        """A clean heartbeat from where the demo tablets work."""
        return self.send(SnapshotKind.HEARTBEAT, clean_snapshot(self.identity, at or datetime.now(UTC)))

    def run_profile(self, name: str, start: datetime | None = None) -> list[Answer]:
        """Sends the profile's snapshots in order; the last answer carries the action to compare."""
        if name not in PROFILES:
            raise KeyError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}")
        steps = PROFILES[name].build(self.identity, start or datetime.now(UTC))
        return [self.send(step.kind, step.snapshot) for step in steps]
