"""The device channel's tables behind narrow calls: enrolled identity keys per epoch and the command
queue with its receipts. `devices/commands_service.py` holds the rules; this holds the rows.

A `DeviceCommandStore` works inside a caller's session: the lifecycle queues a lock in the same
transaction as the state change (`DeviceTransaction.commands`), and a receipt updates the command
and the device's confirmed state together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.errors import Conflict
from engine.persistence.database import SessionFactory
from engine.persistence.device_command_records import DeviceCommandRecord, DeviceEnrolmentRecord
from engine.persistence.records import DeviceRecord

OPEN_STATUSES = ("QUEUED", "DELIVERED")


@dataclass(frozen=True)
class EnrolmentRow:
    device_id: str
    epoch: int
    public_key: str
    key_id: str
    fingerprint_hash: str
    app_version: str
    enrolled_by: str
    enrolled_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


@dataclass(frozen=True)
class CommandRow:
    command_id: str
    device_id: str
    epoch: int
    seq: int
    kind: str
    body: dict[str, Any]
    reason: str
    issued_by: str
    issued_at: datetime
    not_after: datetime | None
    signature: str
    signing_key_id: str
    status: str
    attempts: int
    last_delivered_at: datetime | None
    deferrals: int
    closed_at: datetime | None
    closed_by: str | None
    outcome_reason: str | None
    receipt: dict[str, Any] | None


_ENROLMENT_FIELDS = [f.name for f in fields(EnrolmentRow)]
_COMMAND_FIELDS = [f.name for f in fields(CommandRow)][1:]


class DeviceCommandStore:
    """The calls of one transaction; the caller commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def commit(self) -> None:
        try:
            self._session.commit()
        except IntegrityError as exc:
            self._session.rollback()
            raise Conflict("the device's key or command clashes with another one; try again") from exc

    def lock_device(self, device_id: str) -> DeviceRecord | None:
        """The device row under a row lock (PostgreSQL): commands of one device take turns."""
        return self._session.get(DeviceRecord, device_id, with_for_update=True)

    def update_device(self, device_id: str, values: dict[str, Any]) -> None:
        self._session.execute(update(DeviceRecord).where(DeviceRecord.id == device_id).values(**values))

    def enrolment(self, device_id: str, epoch: int) -> EnrolmentRow | None:
        record = self._session.scalar(
            select(DeviceEnrolmentRecord).where(
                DeviceEnrolmentRecord.device_id == device_id, DeviceEnrolmentRecord.epoch == epoch
            )
        )
        return _enrolment(record) if record is not None else None

    def key_taken(self, public_key: str) -> bool:
        found = select(DeviceEnrolmentRecord.id).where(DeviceEnrolmentRecord.public_key == public_key)
        return self._session.scalar(found) is not None

    def add_enrolment(self, values: dict[str, Any]) -> EnrolmentRow:
        record = DeviceEnrolmentRecord(**values)
        self._session.add(record)
        self._session.flush()
        return _enrolment(record)

    def revoke_enrolment(self, device_id: str, epoch: int, at: datetime, reason: str) -> None:
        self._session.execute(
            update(DeviceEnrolmentRecord)
            .where(
                DeviceEnrolmentRecord.device_id == device_id,
                DeviceEnrolmentRecord.epoch == epoch,
                DeviceEnrolmentRecord.revoked_at.is_(None),
            )
            .values(revoked_at=at, revoked_reason=reason[:500])
        )

    def add_command(self, command_id: str, values: dict[str, Any]) -> CommandRow:
        record = DeviceCommandRecord(id=command_id, attempts=0, deferrals=0, **values)
        self._session.add(record)
        self._session.flush()
        return _command(record)

    def open_commands(self, device_id: str) -> list[CommandRow]:
        """Every open command of the device, oldest first, under a row lock."""
        query = (
            select(DeviceCommandRecord)
            .where(DeviceCommandRecord.device_id == device_id)
            .where(DeviceCommandRecord.status.in_(OPEN_STATUSES))
            .order_by(DeviceCommandRecord.epoch, DeviceCommandRecord.seq)
            .with_for_update()
        )
        return [_command(r) for r in self._session.scalars(query)]

    def command(self, device_id: str, command_id: str) -> CommandRow | None:
        record = self._session.get(DeviceCommandRecord, command_id, with_for_update=True)
        if record is None or record.device_id != device_id:
            return None
        return _command(record)

    def update_command(self, command_id: str, values: dict[str, Any]) -> CommandRow:
        record = self._session.get(DeviceCommandRecord, command_id)
        assert record is not None
        for name, value in values.items():
            setattr(record, name, value)
        self._session.flush()
        return _command(record)


class DeviceCommandRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @contextmanager
    def transaction(self) -> Iterator[DeviceCommandStore]:
        with self._sessions() as session:
            yield DeviceCommandStore(session)

    def commands(self, device_id: str, limit: int = 50) -> list[CommandRow]:
        """The device's commands, newest first: the device view shows requested against confirmed."""
        with self._sessions() as session:
            query = (
                select(DeviceCommandRecord)
                .where(DeviceCommandRecord.device_id == device_id)
                .order_by(DeviceCommandRecord.issued_at.desc(), DeviceCommandRecord.seq.desc())
                .limit(limit)
            )
            return [_command(r) for r in session.scalars(query)]

    def enrolments(self, device_id: str) -> list[EnrolmentRow]:
        with self._sessions() as session:
            query = (
                select(DeviceEnrolmentRecord)
                .where(DeviceEnrolmentRecord.device_id == device_id)
                .order_by(DeviceEnrolmentRecord.epoch)
            )
            return [_enrolment(r) for r in session.scalars(query)]


def _enrolment(r: DeviceEnrolmentRecord) -> EnrolmentRow:
    return EnrolmentRow(*(getattr(r, name) for name in _ENROLMENT_FIELDS))


def _command(r: DeviceCommandRecord) -> CommandRow:
    return CommandRow(r.id, *(getattr(r, name) for name in _COMMAND_FIELDS))
