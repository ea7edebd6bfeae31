"""Device security events behind narrow calls (devices/security_events.py decides)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.errors import Conflict
from engine.persistence.database import SessionFactory
from engine.persistence.device_command_records import DeviceSecurityEventRecord
from engine.persistence.records import BranchRecord, DeviceRecord


@dataclass(frozen=True)
class SecurityEventRow:
    event_id: int
    device_id: str
    branch_code: str
    kind: str
    detail: str
    at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    note: str | None


_FIELDS = [f.name for f in fields(SecurityEventRow)][1:]


class DeviceSecurityEventRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def add(self, device_id: str, kind: str, detail: str, at: datetime) -> SecurityEventRow | None:
        """Raised for the device's own branch; None when the device is unknown."""
        with self._sessions() as session:
            branch = session.scalar(select(DeviceRecord.branch_code).where(DeviceRecord.id == device_id))
            if branch is None:
                return None
            record = DeviceSecurityEventRecord(
                device_id=device_id, branch_code=branch, kind=kind, detail=detail[:500], at=at
            )
            session.add(record)
            session.commit()
            return _row(record)

    def events(self, branch_path: str, *, open_only: bool, limit: int = 200) -> list[SecurityEventRow]:
        """Of the branches under `branch_path`: unacknowledged first, newest first."""
        with self._sessions() as session:
            query: Any = (
                select(DeviceSecurityEventRecord)
                .join(BranchRecord, BranchRecord.code == DeviceSecurityEventRecord.branch_code)
                .where(BranchRecord.path.startswith(branch_path, autoescape=True))
            )
            if open_only:
                query = query.where(DeviceSecurityEventRecord.acknowledged_at.is_(None))
            query = query.order_by(
                DeviceSecurityEventRecord.acknowledged_at.is_not(None), DeviceSecurityEventRecord.id.desc()
            ).limit(limit)
            return [_row(r) for r in session.scalars(query)]

    def get(self, event_id: int) -> SecurityEventRow | None:
        with self._sessions() as session:
            record = session.get(DeviceSecurityEventRecord, event_id)
            return _row(record) if record is not None else None

    def acknowledge(self, event_id: int, by: str, at: datetime, note: str) -> SecurityEventRow:
        with self._sessions() as session:
            record = session.get(DeviceSecurityEventRecord, event_id, with_for_update=True)
            if record is None or record.acknowledged_at is not None:
                raise Conflict("the event was acknowledged already")
            record.acknowledged_by, record.acknowledged_at, record.note = by, at, note[:500]
            session.commit()
            return _row(record)


def _row(r: DeviceSecurityEventRecord) -> SecurityEventRow:
    return SecurityEventRow(r.id, *(getattr(r, name) for name in _FIELDS))
