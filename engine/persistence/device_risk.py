"""The tables behind device risk scoring (§9.3): stored snapshots, the device's baseline and last fix,
the journeys an officer started lately, and the devices that stopped calling in (§9.2 heartbeat).

One `record` writes the scored snapshot and the device's current risk in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict
from engine.persistence.database import SessionFactory
from engine.persistence.records import DeviceRecord, DeviceRiskSnapshotRecord, ProcessInstanceRecord


@dataclass(frozen=True)
class Baseline:
    """What the device reported first: the hardware hash and SIM registration does not record."""

    fingerprint_hash: str | None
    sim_iccid: str | None


@dataclass(frozen=True)
class ScoredSnapshot:
    device_id: str
    staff_id: str
    kind: str
    received_at: datetime
    score: int
    action: str
    reasons: list[dict[str, Any]]
    snapshot: dict[str, Any]
    fingerprint_hash: str
    sim_iccid: str | None
    last_fix: dict[str, Any] | None
    contact: bool
    """A heartbeat: the device's last contact moves to `received_at`."""


class DeviceRiskRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def baseline(self, device_id: str) -> Baseline:
        with self._sessions() as session:
            first = select(DeviceRiskSnapshotRecord).where(DeviceRiskSnapshotRecord.device_id == device_id)
            hashed = session.scalars(first.order_by(DeviceRiskSnapshotRecord.id).limit(1)).first()
            sim = session.scalar(
                select(DeviceRiskSnapshotRecord.sim_iccid)
                .where(
                    DeviceRiskSnapshotRecord.device_id == device_id,
                    DeviceRiskSnapshotRecord.sim_iccid.is_not(None),
                )
                .order_by(DeviceRiskSnapshotRecord.id)
                .limit(1)
            )
            return Baseline(hashed.fingerprint_hash if hashed else None, sim)

    def last_fix(self, device_id: str) -> dict[str, Any] | None:
        with self._sessions() as session:
            return session.scalar(
                select(DeviceRiskSnapshotRecord.last_fix)
                .where(
                    DeviceRiskSnapshotRecord.device_id == device_id,
                    DeviceRiskSnapshotRecord.last_fix.is_not(None),
                )
                .order_by(DeviceRiskSnapshotRecord.id.desc())
                .limit(1)
            )

    def journeys_started(self, staff_id: str, since: datetime) -> int:
        with self._sessions() as session:
            count = session.scalar(
                select(func.count())
                .select_from(ProcessInstanceRecord)
                .where(
                    ProcessInstanceRecord.started_by == staff_id,
                    ProcessInstanceRecord.created_at >= since,
                )
            )
            return int(count or 0)

    def record(self, scored: ScoredSnapshot) -> int:
        """Stores the snapshot and sets the device's current risk (and last contact for a heartbeat)."""
        values = {k: v for k, v in scored.__dict__.items() if k != "contact"}
        with self._sessions() as session:
            row = DeviceRiskSnapshotRecord(**values)
            session.add(row)
            device = session.get(DeviceRecord, scored.device_id, with_for_update=True)
            assert device is not None
            device.risk_level, device.risk_score = scored.action, scored.score
            device.risk_reasons = scored.reasons
            if scored.action == "allow":
                device.step_up_since = None
            elif scored.action == "step_up" and device.step_up_since is None:
                device.step_up_since = scored.received_at  # the officer proves who they are again
            if scored.contact:
                device.last_contact_at = scored.received_at
            try:
                session.commit()
            except StaleDataError as exc:
                session.rollback()
                raise Conflict("the device changed meanwhile; send the snapshot again") from exc
            return row.id

    def silent_since(self, cutoff: datetime, state: str) -> list[tuple[str, datetime]]:
        """Devices in `state` whose last contact is older than `cutoff` (never-contacted ones are not)."""
        with self._sessions() as session:
            rows = session.execute(
                select(DeviceRecord.id, DeviceRecord.last_contact_at).where(
                    DeviceRecord.state == state,
                    DeviceRecord.last_contact_at.is_not(None),
                    DeviceRecord.last_contact_at < cutoff,
                )
            )
            return [(device_id, at) for device_id, at in rows if at is not None]
