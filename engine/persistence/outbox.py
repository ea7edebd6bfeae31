"""The outbox table behind the worker and the relay (ARCHITECTURE decision 6).

A lease is taken or given back in one statement, so two workers racing for a row never both run it;
`OutboxStore` calls are each their own short transaction. The functions taking a `Transaction` work
inside the caller's: a service call's result is applied in the transaction that marks its row done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, true, update

from engine.persistence.database import SessionFactory, Transaction
from engine.persistence.records import OutboxRecord, ProcessInstanceRecord

CALL_KINDS = frozenset({"service_calls"})
"""Work a customer is waiting for; everything else (packages, review starts) is background work that
must never queue in front of it (a package render takes over a second)."""


@dataclass(frozen=True)
class ClaimedRow:
    outbox_id: int
    kind: str
    instance_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class NewRow:
    """Work for later, written in the transaction that decided it."""

    instance_id: str
    kind: str
    payload: dict[str, Any]
    available_at: datetime


def _kind_filter(lane: str | None) -> Any:
    if lane == "calls":
        return OutboxRecord.kind.in_(CALL_KINDS)
    if lane == "background":
        return OutboxRecord.kind.not_in(CALL_KINDS)
    return true()


def _claim_statement(lane: str | None) -> Any:
    """Built once per lane: constructing a SQLAlchemy statement costs more CPU than running it."""
    now: Any = bindparam("now")
    lease: Any = bindparam("lease_until")
    due = (
        select(OutboxRecord.id)
        .where(
            OutboxRecord.done_at.is_(None),
            OutboxRecord.available_at <= now,
            (OutboxRecord.lease_until.is_(None)) | (OutboxRecord.lease_until < now),
            _kind_filter(lane),
        )
        .order_by(OutboxRecord.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        update(OutboxRecord)
        .where(
            OutboxRecord.id == due, (OutboxRecord.lease_until.is_(None)) | (OutboxRecord.lease_until < now)
        )
        .values(lease_until=lease, attempts=OutboxRecord.attempts + 1)
        .returning(OutboxRecord.id, OutboxRecord.kind, OutboxRecord.instance_id, OutboxRecord.payload)
    )


_CLAIM = {lane: _claim_statement(lane) for lane in ("calls", "background", None)}


class OutboxStore:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def due(self, now: datetime, limit: int) -> list[tuple[int, str]]:
        """(id, kind) of rows due and not leased, oldest first."""
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxRecord.id, OutboxRecord.kind)
                .where(
                    OutboxRecord.done_at.is_(None),
                    OutboxRecord.available_at <= now,
                    (OutboxRecord.lease_until.is_(None)) | (OutboxRecord.lease_until < now),
                )
                .order_by(OutboxRecord.id)
                .limit(limit)
            ).all()
            return [(int(i), str(k)) for i, k in rows]

    def open_kind(self, outbox_id: int) -> str | None:
        """The kind of a row not done yet; None for a done or unknown row."""
        with self._sessions() as session:
            row = session.get(OutboxRecord, outbox_id)
            return None if row is None or row.done_at is not None else row.kind

    def claim_next(self, lane: str | None, now: datetime, lease_until: datetime) -> ClaimedRow | None:
        """Lease the oldest due row of a lane in one statement that also returns what the row holds.
        The loser of a race re-checks the lease in its UPDATE and matches nothing."""
        with self._sessions() as session:
            row = session.execute(_CLAIM[lane], {"now": now, "lease_until": lease_until}).first()
            session.commit()
        return ClaimedRow(int(row[0]), str(row[1]), str(row[2]), dict(row[3])) if row is not None else None

    def claim(self, outbox_id: int, now: datetime, lease_until: datetime) -> str | None:
        """Lease one row and return its kind; None when it is done or someone else holds it."""
        with self._sessions() as session:
            result = session.execute(
                update(OutboxRecord)
                .where(
                    OutboxRecord.id == outbox_id,
                    OutboxRecord.done_at.is_(None),
                    (OutboxRecord.lease_until.is_(None)) | (OutboxRecord.lease_until < now),
                )
                .values(lease_until=lease_until, attempts=OutboxRecord.attempts + 1)
            )
            if getattr(result, "rowcount", 0) != 1:
                session.rollback()
                return None
            kind = session.scalar(select(OutboxRecord.kind).where(OutboxRecord.id == outbox_id))
            session.commit()
            return kind

    def release(self, outbox_id: int) -> None:
        """Drop the lease and take back the attempt its claim counted."""
        with self._sessions() as session:
            session.execute(
                update(OutboxRecord)
                .where(OutboxRecord.id == outbox_id)
                .values(lease_until=None, attempts=OutboxRecord.attempts - 1)
            )
            session.commit()

    def release_all_leases(self) -> int:
        """Drop the lease of every open row; how many there were."""
        with self._sessions() as session:
            result = session.execute(
                update(OutboxRecord)
                .where(OutboxRecord.done_at.is_(None), OutboxRecord.lease_until.is_not(None))
                .values(lease_until=None)
            )
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)


def open_row(tx: Transaction, outbox_id: int) -> tuple[OutboxRecord, ProcessInstanceRecord] | None:
    """A row not done yet with the instance it is for (without its state); None when done or unknown."""
    row = tx.get(OutboxRecord, outbox_id)
    if row is None or row.done_at is not None:
        return None
    record = tx.get(ProcessInstanceRecord, row.instance_id)
    assert record is not None
    return row, record


def finish_row(tx: Transaction, outbox_id: int, now: datetime, then: NewRow | None = None) -> None:
    """Mark a row done and write the row that follows it (a retry), flushed before the instance is saved."""
    tx.execute(update(OutboxRecord).where(OutboxRecord.id == outbox_id).values(done_at=now))
    if then is not None:
        tx.add(
            OutboxRecord(
                instance_id=then.instance_id,
                kind=then.kind,
                payload=then.payload,
                created_at=now,
                available_at=then.available_at,
            )
        )
    tx.flush()
