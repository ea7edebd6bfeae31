"""The device tables behind narrow calls, so `devices/` never touches SQLAlchemy or a record.

A lifecycle command reads the device under a row lock and writes the device and its change rows in
one `DeviceTransaction`, which the use case commits. A duplicate asset number or serial, a second
pending change or a device another writer changed first becomes a `Conflict` at that commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict
from engine.persistence.cache import BRANCH_PATHS
from engine.persistence.database import SessionFactory
from engine.persistence.device_commands import DeviceCommandStore
from engine.persistence.records import (
    AttachmentRecord,
    BranchRecord,
    DeviceChangeRecord,
    DeviceRecord,
    StaffRecord,
)


@dataclass(frozen=True)
class DeviceRow:
    device_id: str
    asset_no: str
    model: str
    serial: str
    imei: str | None
    meid: str | None
    wifi_mac: str
    os_version: str
    secure_element_serial: str | None
    purchase_date: date
    peripherals: dict[str, Any]
    state: str
    custody: str | None
    branch_code: str
    holder_id: str | None
    backup_holder_id: str | None
    transfer_to: dict[str, Any] | None
    last_contact_at: datetime | None
    risk_level: str | None
    risk_score: int | None
    risk_reasons: list[Any] | None
    registered_by: str
    registered_at: datetime
    updated_at: datetime
    epoch: int
    command_seq: int
    applied_state: str | None
    pending_action: str | None
    pending_since: datetime | None
    last_check_in_at: datetime | None
    last_check_in_ts: datetime | None
    step_up_since: datetime | None
    version: int


@dataclass(frozen=True)
class DeviceChangeRow:
    change_id: int
    device_id: str
    transition: str
    from_state: str | None
    payload: dict[str, Any]
    status: str
    checker_role: str | None
    checker_branch: str | None
    maker_id: str
    requested_at: datetime
    request_reason: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    to_state: str | None
    """The state the device entered; None while pending, when rejected or superseded."""


@dataclass(frozen=True)
class DeviceBinding:
    """What the device gate reads on every call of a field officer: state and holders, nothing else."""

    state: str
    custody: str | None
    holder_id: str | None
    backup_holder_id: str | None
    step_up_since: datetime | None = None


@dataclass(frozen=True)
class StaffFacts:
    """What binding a holder or scoping a checker needs to know of a member of staff (no name)."""

    staff_id: str
    branch_code: str
    roles: frozenset[str]
    active: bool


@dataclass(frozen=True)
class UploadFacts:
    """What a handover record checks of an uploaded signature: who uploaded it and what it is."""

    uploaded_by: str
    image: bool
    """A JPEG or PNG; False for a 双录 recording (an MP4, which has a length)."""
    uploaded_at: datetime


BINDING_COLUMNS = (
    DeviceRecord.state,
    DeviceRecord.custody,
    DeviceRecord.holder_id,
    DeviceRecord.backup_holder_id,
    DeviceRecord.step_up_since,
)
"""What the device gate reads, in `DeviceBinding`'s order."""
ASSET_NO_TAKEN = "that asset number is taken (asset numbers are never reused, not even after voiding)"
# the columns behind each row's fields, after its id
_DEVICE_FIELDS = [f.name for f in fields(DeviceRow)][1:]
_CHANGE_FIELDS = [f.name for f in fields(DeviceChangeRow)][1:]


class DeviceRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @contextmanager
    def transaction(self) -> Iterator[DeviceTransaction]:
        with self._sessions() as session:
            yield DeviceTransaction(session)

    def devices(self, branch_path: str, branch_code: str | None = None) -> list[DeviceRow]:
        """Devices of the branches under `branch_path` (of one branch, when named), by asset number."""
        with self._sessions() as session:
            query = (
                select(DeviceRecord)
                .join(BranchRecord, BranchRecord.code == DeviceRecord.branch_code)
                .where(BranchRecord.path.startswith(branch_path, autoescape=True))
                .order_by(DeviceRecord.asset_no)
            )
            if branch_code is not None:
                query = query.where(DeviceRecord.branch_code == branch_code)
            return [_device(r) for r in session.scalars(query)]

    def device(self, device_id: str) -> DeviceRow | None:
        """A read for pages and lists (no lock)."""
        with self._sessions() as session:
            record = session.get(DeviceRecord, device_id)
            return _device(record) if record is not None else None

    def binding(self, device_id: str) -> DeviceBinding | None:
        """The gate's read at sign-in (later calls get it with the token, engine/persistence/people.py):
        five columns by primary key, one round trip."""
        with self._sessions() as session:
            row = session.execute(select(*BINDING_COLUMNS).where(DeviceRecord.id == device_id)).first()
            return DeviceBinding(*row) if row is not None else None

    def held_by(self, staff_id: str) -> list[str]:
        """Ids of the ACTIVE devices whose holder (first) or backup holder is `staff_id`."""
        with self._sessions() as session:
            rows = session.execute(
                select(DeviceRecord.id, DeviceRecord.holder_id)
                .where(DeviceRecord.state == "ACTIVE")
                .where((DeviceRecord.holder_id == staff_id) | (DeviceRecord.backup_holder_id == staff_id))
                .order_by(DeviceRecord.id)
            )
            ordered = sorted(rows, key=lambda r: (r.holder_id != staff_id, r.id))
            return [r.id for r in ordered]

    def history(self, device_id: str) -> list[DeviceChangeRow]:
        with self._sessions() as session:
            query = select(DeviceChangeRecord).where(DeviceChangeRecord.device_id == device_id)
            return [_change(r) for r in session.scalars(query.order_by(DeviceChangeRecord.id))]

    def pending(self) -> list[tuple[DeviceChangeRow, DeviceRow]]:
        """Every pending change with its device, oldest first (callers keep those they may see)."""
        with self._sessions() as session:
            rows = session.execute(
                select(DeviceChangeRecord, DeviceRecord)
                .join(DeviceRecord, DeviceRecord.id == DeviceChangeRecord.device_id)
                .where(DeviceChangeRecord.status == "PENDING")
                .order_by(DeviceChangeRecord.id)
            )
            return [(_change(c), _device(d)) for c, d in rows]

    def branch_path(self, code: str) -> str | None:
        with self._sessions() as session:
            return BRANCH_PATHS.path(session, code)

    def names(self, staff_ids: set[str]) -> dict[str, str]:
        """Holder names by id, for lists that show them masked."""
        if not staff_ids:
            return {}
        with self._sessions() as session:
            rows = session.execute(
                select(StaffRecord.id, StaffRecord.name).where(StaffRecord.id.in_(staff_ids))
            )
            return {staff_id: name for staff_id, name in rows}


class DeviceTransaction:
    """The repository's calls inside one command's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def session(self) -> Session:
        """For what joins the step's transaction (the journeys a device leaving service holds)."""
        return self._session

    def commit(self) -> None:
        try:
            self._session.commit()
        except IntegrityError as exc:
            self._session.rollback()
            raise Conflict(_integrity_reason(exc)) from exc
        except StaleDataError as exc:
            self._session.rollback()
            raise Conflict("the device changed meanwhile; reload and decide again") from exc

    @property
    def commands(self) -> DeviceCommandStore:
        """The command queue in this same transaction: a lifecycle step queues its commands with it."""
        return DeviceCommandStore(self._session)

    def device(self, device_id: str) -> DeviceRow | None:
        """Under a row lock (PostgreSQL), so two decisions on one device take turns."""
        record = self._session.get(DeviceRecord, device_id, with_for_update=True)
        return _device(record) if record is not None else None

    def taken(self, *, device_id: str, asset_no: str, serial: str) -> str | None:
        """Which identifier an existing device (voided ones too) already has, if any."""
        if self._session.get(DeviceRecord, device_id) is not None:
            return "device_id"
        for name, column, value in (
            ("asset_no", DeviceRecord.asset_no, asset_no),
            ("serial", DeviceRecord.serial, serial),
        ):
            if self._session.scalar(select(DeviceRecord.id).where(column == value)) is not None:
                return name
        return None

    def branch_path(self, code: str) -> str | None:
        return BRANCH_PATHS.path(self._session, code)

    def staff(self, staff_id: str) -> StaffFacts | None:
        record = self._session.get(StaffRecord, staff_id)
        if record is None:
            return None
        return StaffFacts(record.id, record.branch_code, frozenset(record.roles), record.status == "active")

    def upload(self, attachment_id: str) -> UploadFacts | None:
        """None for an unknown attachment."""
        record = self._session.get(AttachmentRecord, attachment_id)
        if record is None:
            return None
        image = record.media_type.startswith("image/") and record.duration_ms is None
        return UploadFacts(record.uploaded_by, image, record.created_at)

    def add_device(self, device_id: str, values: dict[str, Any]) -> None:
        self._session.add(DeviceRecord(id=device_id, **values))
        self._session.flush()  # its change rows refer to it

    def update_device(self, device_id: str, values: dict[str, Any]) -> None:
        record = self._session.get(DeviceRecord, device_id)
        assert record is not None
        for name, value in values.items():
            setattr(record, name, value)

    def add_change(self, values: dict[str, Any]) -> DeviceChangeRow:
        record = DeviceChangeRecord(**values)
        self._session.add(record)
        self._session.flush()
        return _change(record)

    def change(self, change_id: int) -> DeviceChangeRow | None:
        """Under a row lock (PostgreSQL): of two people deciding one change, the second finds it decided."""
        record = self._session.get(DeviceChangeRecord, change_id, with_for_update=True)
        return _change(record) if record is not None else None

    def pending_change_of(self, device_id: str) -> DeviceChangeRow | None:
        record = self._session.scalar(
            select(DeviceChangeRecord).where(
                DeviceChangeRecord.device_id == device_id, DeviceChangeRecord.status == "PENDING"
            )
        )
        return _change(record) if record is not None else None

    def close_change(
        self, change_id: int, status: str, by: str, at: datetime, reason: str, to_state: str | None = None
    ) -> DeviceChangeRow:
        record = self._session.get(DeviceChangeRecord, change_id)
        assert record is not None
        record.status, record.decided_by, record.decided_at, record.decision_reason = status, by, at, reason
        record.to_state = to_state
        self._session.flush()
        return _change(record)


def _integrity_reason(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "asset_no" in text:
        return ASSET_NO_TAKEN
    if "serial" in text:
        return "a device with that serial is registered"
    if "pending" in text or "device_changes" in text:
        return "the device has a pending change already"
    return "the device's identifiers or pending change clash with another one"


def _device(r: DeviceRecord) -> DeviceRow:
    return DeviceRow(r.id, *(getattr(r, name) for name in _DEVICE_FIELDS))


def _change(r: DeviceChangeRecord) -> DeviceChangeRow:
    return DeviceChangeRow(r.id, *(getattr(r, name) for name in _CHANGE_FIELDS))
