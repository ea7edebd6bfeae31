"""The journey holds (engine/device_hold.py) inside the caller's transaction: the device lifecycle
step's when a device leaves service, the instance command's when it checks or releases a hold."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.persistence.records import InstanceEventRecord, JourneyHoldRecord, ProcessInstanceRecord


def in_flight_on(session: Session, device_id: str) -> list[str]:
    """Ids of the journeys not yet ended whose latest staff step came from the device."""
    query = (
        select(ProcessInstanceRecord.id)
        .where(
            ProcessInstanceRecord.last_device_id == device_id,
            ProcessInstanceRecord.status != "completed",
        )
        .order_by(ProcessInstanceRecord.id)
    )
    return list(session.scalars(query))


def hold_of(session: Session, instance_id: str) -> JourneyHoldRecord | None:
    return session.get(JourneyHoldRecord, instance_id)


def holds_of(session: Session, instance_ids: Collection[str]) -> list[JourneyHoldRecord]:
    if not instance_ids:
        return []
    query = select(JourneyHoldRecord).where(JourneyHoldRecord.instance_id.in_(list(instance_ids)))
    return list(session.scalars(query))


def put_hold(
    session: Session, instance_id: str, device_id: str, device_state: str, reason: str, at: datetime
) -> None:
    """A new hold, or the same device's hold in its new state (a locked device reported lost)."""
    record = session.get(JourneyHoldRecord, instance_id)
    if record is None:
        session.add(
            JourneyHoldRecord(
                instance_id=instance_id,
                device_id=device_id,
                device_state=device_state,
                reason=reason,
                held_at=at,
            )
        )
    else:
        record.device_id, record.device_state, record.reason = device_id, device_state, reason


def release(session: Session, instance_id: str) -> bool:
    """Whether there was a hold to release (of two resumes racing, one finds none)."""
    query = delete(JourneyHoldRecord).where(JourneyHoldRecord.instance_id == instance_id)
    result: Any = session.execute(query)
    return bool(result.rowcount)


def add_event(
    session: Session,
    instance_id: str,
    at: datetime,
    kind: str,
    actor_id: str | None,
    device_id: str | None,
    detail: dict[str, Any],
) -> None:
    session.add(
        InstanceEventRecord(
            instance_id=instance_id,
            at=at,
            kind=kind,
            actor_id=actor_id,
            device_id=device_id,
            task_spec=None,
            detail=detail,
        )
    )
