"""The restricted-tablet grants of §9.3 behind narrow calls: an officer's request to go on with a
journey from a restricted tablet, and the authorizer's decision on it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.errors import Conflict
from engine.persistence.database import SessionFactory
from engine.persistence.device_command_records import DeviceStepGrantRecord
from engine.persistence.records import BranchRecord


@dataclass(frozen=True)
class GrantRow:
    grant_id: int
    instance_id: str
    device_id: str
    staff_id: str
    branch_code: str
    process_id: str
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    expires_at: datetime | None


_FIELDS = [f.name for f in fields(GrantRow)][1:]


class DeviceStepGrantRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def latest(self, instance_id: str, device_id: str) -> GrantRow | None:
        with self._sessions() as session:
            record = session.scalar(
                select(DeviceStepGrantRecord)
                .where(
                    DeviceStepGrantRecord.instance_id == instance_id,
                    DeviceStepGrantRecord.device_id == device_id,
                )
                .order_by(DeviceStepGrantRecord.id.desc())
                .limit(1)
            )
            return _row(record) if record is not None else None

    def add(self, values: dict[str, Any]) -> GrantRow:
        with self._sessions() as session:
            record = DeviceStepGrantRecord(**values)
            session.add(record)
            session.commit()
            return _row(record)

    def requested(self, branch_path: str) -> list[GrantRow]:
        """Open requests of the branches under `branch_path`, oldest first."""
        with self._sessions() as session:
            query = (
                select(DeviceStepGrantRecord)
                .join(BranchRecord, BranchRecord.code == DeviceStepGrantRecord.branch_code)
                .where(BranchRecord.path.startswith(branch_path, autoescape=True))
                .where(DeviceStepGrantRecord.status == "REQUESTED")
                .order_by(DeviceStepGrantRecord.id)
            )
            return [_row(r) for r in session.scalars(query)]

    def get(self, grant_id: int) -> GrantRow | None:
        with self._sessions() as session:
            record = session.get(DeviceStepGrantRecord, grant_id)
            return _row(record) if record is not None else None

    def decide(
        self, grant_id: int, status: str, by: str, at: datetime, reason: str, expires_at: datetime | None
    ) -> GrantRow:
        """Under a row lock (PostgreSQL): of two authorizers deciding at once, the second finds it decided."""
        with self._sessions() as session:
            record = session.get(DeviceStepGrantRecord, grant_id, with_for_update=True)
            if record is None or record.status != "REQUESTED":
                raise Conflict("the request was decided already")
            record.status, record.decided_by, record.decided_at = status, by, at
            record.decision_reason, record.expires_at = reason[:500], expires_at
            session.commit()
            return _row(record)


def _row(r: DeviceStepGrantRecord) -> GrantRow:
    return GrantRow(r.id, *(getattr(r, name) for name in _FIELDS))
