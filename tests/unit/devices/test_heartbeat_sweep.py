"""The 24 h heartbeat sweep (§9.2): which devices it locks, with what reason, and how often it looks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from devices.heartbeat import HeartbeatSweep
from devices.risk_config import RiskConfig
from engine.errors import Conflict

NOW = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


class FakeRisk:
    def __init__(self, last_contacts: dict[str, datetime]) -> None:
        self.last_contacts = last_contacts
        self.asked: list[datetime] = []

    def silent_since(self, cutoff: datetime, state: str) -> list[tuple[str, datetime]]:
        self.asked.append(cutoff)
        return [(d, at) for d, at in self.last_contacts.items() if at < cutoff]


class FakeAdmin:
    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.locked: dict[str, str] = {}
        self.refuse = refuse

    def lock_automatically(self, device_id: str, reason: str) -> None:
        if device_id in self.refuse:
            raise Conflict("it changed meanwhile")
        self.locked[device_id] = reason


def sweep(risk: FakeRisk, admin: FakeAdmin, clock: list[datetime], **config: Any) -> HeartbeatSweep:
    fake: Any = (risk, admin)
    return HeartbeatSweep(fake[0], fake[1], RiskConfig(**config), lambda: clock[0])


def test_devices_silent_longer_than_the_configured_hours_are_locked_with_the_reason() -> None:
    risk = FakeRisk({"quiet": NOW - timedelta(hours=25), "fresh": NOW - timedelta(hours=23)})
    admin = FakeAdmin()
    assert sweep(risk, admin, [NOW]).run_once() == ["quiet"]
    assert admin.locked["quiet"].startswith("no heartbeat for 24 h (last contact 2026-12-06 11:00")
    assert risk.asked == [NOW - timedelta(hours=24)]
    assert sweep(FakeRisk(risk.last_contacts), FakeAdmin(), [NOW], heartbeat_lock_hours=26).run_once() == []


def test_a_device_that_changed_meanwhile_is_skipped() -> None:
    risk = FakeRisk({"a": NOW - timedelta(days=2), "b": NOW - timedelta(days=2)})
    assert sweep(risk, FakeAdmin(frozenset({"a"})), [NOW]).run_once() == ["b"]


def test_the_sweep_looks_at_most_once_a_minute() -> None:
    risk, clock = FakeRisk({}), [NOW]
    job = sweep(risk, FakeAdmin(), clock)
    job.run_once()
    clock[0] += timedelta(seconds=30)
    job.run_once()
    clock[0] += timedelta(seconds=31)
    job.run_once()
    assert len(risk.asked) == 2
