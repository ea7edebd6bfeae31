"""The instance aggregate's tables inside one transaction: the instance row, its trail, open and
finished tasks, incidents and outbox rows, as the unit of work, the aggregate and the instance use cases
need them. Every method is one statement (or none, from the caches); SQLAlchemy's own concurrency
errors leave here as `WriteConflict`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from engine.persistence.cache import BRANCH_PATHS, DEFINITIONS, DefinitionSnapshot
from engine.persistence.database import SessionFactory
from engine.persistence.records import (
    AttachmentRecord,
    BranchRecord,
    FinishedTaskRecord,
    IncidentRecord,
    InstanceEventRecord,
    MessageDeliveryRecord,
    MessageSubscriptionRecord,
    OpenTaskRecord,
    OutboxRecord,
    ProcessDefinitionRecord,
    ProcessInstanceRecord,
    StartRequestRecord,
)


class WriteConflict(Exception):
    """Another transaction changed the instance first (`stale`: the version check), or inserted the
    same key (an idempotent start's twin, a task row)."""

    def __init__(self, message: str, *, stale: bool) -> None:
        super().__init__(message)
        self.stale = stale


@contextmanager
def conflicts() -> Iterator[None]:
    """Around a command's writes: any flush inside (also a query's autoflush) that loses to another
    transaction raises `WriteConflict`, not a SQLAlchemy error."""
    try:
        yield
    except (StaleDataError, IntegrityError) as exc:
        raise WriteConflict(str(exc), stale=isinstance(exc, StaleDataError)) from exc


class InstanceTables:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------------ transaction

    def add(self, record: Any) -> None:
        self.session.add(record)

    def add_all(self, records: Iterable[Any]) -> None:
        self.session.add_all(records)

    def flush(self) -> None:
        """Writes pending rows now; the instance row's version-checked UPDATE is where a concurrent
        writer loses."""
        with conflicts():
            self.session.flush()

    def commit(self) -> None:
        with conflicts():
            self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    def close(self) -> None:
        self.session.close()

    # ------------------------------------------------------------------ definitions and branches

    def definition(self, definition_id: int) -> DefinitionSnapshot | None:
        return DEFINITIONS.get(self.session, definition_id)

    def latest_definition(self, process_id: str) -> DefinitionSnapshot | None:
        definition_id = self.session.scalars(
            select(ProcessDefinitionRecord.id)
            .where(ProcessDefinitionRecord.process_id == process_id)
            .order_by(ProcessDefinitionRecord.version.desc())
            .limit(1)
        ).first()
        return None if definition_id is None else DEFINITIONS.get(self.session, definition_id)

    def definition_source(self, definition_id: int) -> ProcessDefinitionRecord | None:
        return self.session.get(ProcessDefinitionRecord, definition_id)

    def branch_path(self, branch_code: str) -> str | None:
        return BRANCH_PATHS.path(self.session, branch_code)

    # ------------------------------------------------------------------ instances

    def instance(self, instance_id: str, *, with_state: bool = False) -> ProcessInstanceRecord | None:
        options = [undefer(ProcessInstanceRecord.state)] if with_state else []
        return self.session.get(ProcessInstanceRecord, instance_id, options=options)

    def started_by(self, staff_id: str, since: datetime, limit: int) -> list[tuple[Any, ...]]:
        """(id, process id, process name, status, outcome, created, updated) of the journeys a member
        of staff started since `since`, newest first."""
        rows = self.session.execute(
            select(
                ProcessInstanceRecord.id,
                ProcessInstanceRecord.process_id,
                ProcessDefinitionRecord.name,
                ProcessInstanceRecord.status,
                ProcessInstanceRecord.outcome,
                ProcessInstanceRecord.created_at,
                ProcessInstanceRecord.updated_at,
            )
            .join(ProcessDefinitionRecord, ProcessDefinitionRecord.id == ProcessInstanceRecord.definition_id)
            .where(ProcessInstanceRecord.started_by == staff_id, ProcessInstanceRecord.created_at >= since)
            .order_by(ProcessInstanceRecord.created_at.desc())
            .limit(limit)
        )
        return [tuple(row) for row in rows]

    def attachment(self, attachment_id: str) -> AttachmentRecord | None:
        return self.session.get(AttachmentRecord, attachment_id)

    def subject_of(self, instance_id: str) -> str | None:
        """The journey a review instance reviews."""
        return self.session.scalar(
            select(ProcessInstanceRecord.subject_instance_id).where(ProcessInstanceRecord.id == instance_id)
        )

    def started_with(self, staff_id: str, idempotency_key: str) -> str | None:
        row = self.session.get(StartRequestRecord, (staff_id, idempotency_key))
        return row.instance_id if row is not None else None

    def events(self, instance_id: str) -> list[InstanceEventRecord]:
        return list(
            self.session.scalars(
                select(InstanceEventRecord)
                .where(InstanceEventRecord.instance_id == instance_id)
                .order_by(InstanceEventRecord.id)
            )
        )

    def last_event(self, instance_id: str, kind: str) -> InstanceEventRecord | None:
        return self.session.scalars(
            select(InstanceEventRecord)
            .where(InstanceEventRecord.instance_id == instance_id, InstanceEventRecord.kind == kind)
            .order_by(InstanceEventRecord.id.desc())
            .limit(1)
        ).first()

    def parts_taken(self, staff_id: str, instance_ids: list[str]) -> list[tuple[str, dict[str, Any]]]:
        """(instance id, detail) of each start or task completion by this member of staff."""
        rows = self.session.execute(
            select(InstanceEventRecord.instance_id, InstanceEventRecord.detail).where(
                InstanceEventRecord.instance_id.in_(instance_ids),
                InstanceEventRecord.actor_id == staff_id,
                InstanceEventRecord.kind.in_(("instance_started", "task_completed")),
            )
        )
        return [(iid, detail) for iid, detail in rows]

    # ------------------------------------------------------------------ tasks

    def open_task(self, task_id: str) -> OpenTaskRecord | None:
        return self.session.get(OpenTaskRecord, task_id)

    def finished_task(self, task_id: str) -> FinishedTaskRecord | None:
        return self.session.get(FinishedTaskRecord, task_id)

    def open_tasks(self, instance_id: str) -> list[OpenTaskRecord]:
        query = select(OpenTaskRecord).where(OpenTaskRecord.instance_id == instance_id)
        return list(self.session.scalars(query))

    def open_tasks_for_roles(self, roles: Iterable[str]) -> list[tuple[OpenTaskRecord, str, str]]:
        """(task, process id, branch path), oldest first: the task list's one query."""
        rows = self.session.execute(
            select(OpenTaskRecord, ProcessInstanceRecord.process_id, BranchRecord.path)
            .join(ProcessInstanceRecord, ProcessInstanceRecord.id == OpenTaskRecord.instance_id)
            .join(BranchRecord, BranchRecord.code == OpenTaskRecord.branch_code)
            .where(OpenTaskRecord.role.in_(list(roles)))
            .order_by(OpenTaskRecord.created_at)
        ).all()
        return [(task, process_id, path) for task, process_id, path in rows]

    def remove_open_tasks(self, task_ids: list[str]) -> None:
        self.session.execute(delete(OpenTaskRecord).where(OpenTaskRecord.task_id.in_(task_ids)))

    # ------------------------------------------------------------------ incidents and outbox

    def open_incidents(self, instance_id: str) -> list[IncidentRecord]:
        return list(
            self.session.scalars(
                select(IncidentRecord).where(
                    IncidentRecord.instance_id == instance_id, IncidentRecord.resolved_at.is_(None)
                )
            )
        )

    def has_open_incident(self, instance_id: str) -> bool:
        found = self.session.scalar(
            select(IncidentRecord.id)
            .where(IncidentRecord.instance_id == instance_id, IncidentRecord.resolved_at.is_(None))
            .limit(1)
        )
        return found is not None

    def open_incident_codes(self, instance_id: str) -> set[str]:
        """The error codes of the instance's open incidents (e.g. whether a diagram step failed)."""
        return set(
            self.session.scalars(
                select(IncidentRecord.error_code).where(
                    IncidentRecord.instance_id == instance_id, IncidentRecord.resolved_at.is_(None)
                )
            )
        )

    def incident_task_ids(self, instance_id: str) -> set[str]:
        """Tasks parked behind an open incident."""
        return set(
            self.session.scalars(
                select(IncidentRecord.task_id).where(
                    IncidentRecord.instance_id == instance_id, IncidentRecord.resolved_at.is_(None)
                )
            )
        )

    def scheduled_call_task_ids(self, instance_id: str) -> set[str]:
        """Service tasks that already have a pending outbox row."""
        scheduled: set[str] = set()
        for row in self.session.scalars(
            select(OutboxRecord).where(
                OutboxRecord.instance_id == instance_id,
                OutboxRecord.kind == "service_calls",
                OutboxRecord.done_at.is_(None),
            )
        ):
            scheduled.update(row.payload.get("task_ids", []))
        return scheduled

    # ------------------------------------------------------------------ messages

    def subscriptions(self, instance_id: str) -> list[MessageSubscriptionRecord]:
        query = select(MessageSubscriptionRecord).where(MessageSubscriptionRecord.instance_id == instance_id)
        return list(self.session.scalars(query))

    def remove_subscription(self, record: MessageSubscriptionRecord) -> None:
        self.session.delete(record)

    def subscriber(self, message_name: str, correlation_key: str) -> str | None:
        """The instance waiting for this message with this key, if any."""
        row = self.session.get(MessageSubscriptionRecord, (message_name, correlation_key))
        return row.instance_id if row is not None else None

    def delivery(self, client_id: str, message_id: str) -> MessageDeliveryRecord | None:
        return self.session.get(MessageDeliveryRecord, (client_id, message_id))


@contextmanager
def instance_tables(sessions: SessionFactory) -> Iterator[InstanceTables]:
    """The tables in a session of their own, for a read or a command on side rows only (a task's
    assignee, a view record); a command that changes an instance's state takes a `UnitOfWork`."""
    with sessions() as session:
        yield InstanceTables(session)
