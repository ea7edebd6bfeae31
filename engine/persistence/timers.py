"""Which instances have a BPMN timer due: the sweeper's one query (engine/timers.py fires them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.persistence.database import SessionFactory
from engine.persistence.records import ProcessInstanceRecord


def due_timer_instances(sessions: SessionFactory, now: datetime, limit: int) -> list[str]:
    """Ids of unfinished instances whose next timer is due by `now`, the longest overdue first."""
    with sessions() as session:
        return list(
            session.scalars(
                select(ProcessInstanceRecord.id)
                .where(
                    ProcessInstanceRecord.next_timer_at <= now, ProcessInstanceRecord.status != "completed"
                )
                .order_by(ProcessInstanceRecord.next_timer_at)
                .limit(limit)
            )
        )
