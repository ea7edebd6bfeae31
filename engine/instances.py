"""Use cases of a journey: start it, see it, do its tasks. Each is one transaction (style.md)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from engine.approval_context import approval_context
from engine.deps import EngineDeps
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.errors import FieldError as EngineFieldError
from engine.outcomes import customer_message
from engine.people.access_log import record_view
from engine.people.roles import (
    CHECKER_ROLES,
    JOURNEY_READER_ROLES,
    JOURNEY_STARTER_ROLES,
    OPERATOR_ROLES,
    SYSTEM_STARTED_PROCESSES,
)
from engine.persistence.cache import BRANCH_PATHS, DEFINITIONS, DefinitionSnapshot
from engine.persistence.records import (
    BranchRecord,
    FinishedTaskRecord,
    IncidentRecord,
    InstanceEventRecord,
    OpenTaskRecord,
    ProcessDefinitionRecord,
    ProcessInstanceRecord,
    StartRequestRecord,
)
from engine.service_calls import retry_incident
from engine.store import ensure_spec
from engine.task_forms import attachment_problems, definition_form, hide_secrets, is_handover, prefill
from engine.unit_of_work import UnitOfWork
from engine.views import Actor, EventView, IncidentView, InstanceView, TaskDetail, TaskView
from engine.workflow.instance import WorkflowInstance

SYSTEM_STAFF_ID = "system"
# Decisions (codes, never personal data) that the trail records with the task that made them.
DECISION_FIELDS = ("decision", "reason_code", "review_outcome", "accept_class_ii")


class InstanceService:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    # ------------------------------------------------------------------ start

    def start(
        self,
        actor: Actor,
        process_id: str,
        business_key: str | None,
        data: dict[str, Any],
        *,
        subject_instance_id: str | None = None,
        in_transaction: Callable[[Session, str], None] | None = None,
        idempotency_key: str | None = None,
    ) -> InstanceView:
        """Start a journey; `in_transaction` runs inside the starting transaction (exactly-once starts).
        The same `idempotency_key` from the same member of staff returns the journey it started."""
        if idempotency_key is not None:
            earlier = self._started_with(actor, idempotency_key)
            if earlier is not None:
                return self.get(actor, earlier)
        if actor.staff_id != SYSTEM_STAFF_ID:
            if process_id in SYSTEM_STARTED_PROCESSES:
                raise Forbidden("this process is started by the system")
            if not actor.roles & JOURNEY_STARTER_ROLES:
                raise Forbidden("only field staff start journeys")
        with UnitOfWork(self.deps) as uow:
            session = uow.session
            definition_id = session.scalars(
                select(ProcessDefinitionRecord.id)
                .where(ProcessDefinitionRecord.process_id == process_id)
                .order_by(ProcessDefinitionRecord.version.desc())
                .limit(1)
            ).first()
            definition = DEFINITIONS.get(session, definition_id) if definition_id is not None else None
            if definition is None:
                raise NotFound(f"no deployed process {process_id!r}")
            now = self.deps.now()
            instance_id = str(uuid.uuid4())
            record = ProcessInstanceRecord(
                id=instance_id,
                definition_id=definition.id,
                process_id=process_id,
                business_key=business_key,
                status="running",
                branch_code=actor.branch_code,
                started_by=actor.staff_id,
                device_id=actor.device_id,
                subject_instance_id=subject_instance_id,
                state="",
                serializer_version="",
                created_at=now,
                updated_at=now,
            )
            session.add(record)
            journey = uow.adopt(record)
            initial = {
                **data,
                "instance_id": instance_id,
                "branch_code": actor.branch_code,
                "operator_id": actor.staff_id,
                "device_id": actor.device_id,
            }
            journey.workflow = WorkflowInstance.start(ensure_spec(definition), journey.engine, initial)
            journey.event(
                "instance_started",
                actor.staff_id,
                device_id=actor.device_id,
                process_id=process_id,
                definition_version=definition.version,
            )
            journey.run_and_save()
            if in_transaction is not None:
                in_transaction(session, instance_id)
            if idempotency_key is not None:
                session.add(
                    StartRequestRecord(
                        staff_id=actor.staff_id,
                        idempotency_key=idempotency_key,
                        instance_id=instance_id,
                        created_at=now,
                    )
                )
            try:
                uow.commit()
            except IntegrityError:
                uow.rollback()
                earlier = self._started_with(actor, idempotency_key) if idempotency_key else None
                if earlier is None:
                    raise
                return self.get(actor, earlier)  # a concurrent twin of this request won
        return self.get(actor, instance_id)

    def _started_with(self, actor: Actor, idempotency_key: str) -> str | None:
        with self.deps.sessions() as session:
            row = session.get(StartRequestRecord, (actor.staff_id, idempotency_key))
            return row.instance_id if row is not None else None

    # ------------------------------------------------------------------ read

    def get(self, actor: Actor, instance_id: str) -> InstanceView:
        _check_reads_journeys(actor)
        with self.deps.sessions() as session:
            record = self._visible_instance(session, actor, instance_id)
            return self._view(session, actor, record)

    def wait(self, actor: Actor, instance_id: str, seconds: float, known_version: int | None) -> InstanceView:
        """Long poll: return as soon as the instance changes, or after `seconds` (ARCHITECTURE 3)."""
        deadline = time.monotonic() + max(0.0, min(seconds, 30.0))
        view = self.get(actor, instance_id)
        baseline = view.version if known_version is None else known_version
        while (
            view.version == baseline
            and view.status in ("running", "waiting_external")
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
            view = self.get(actor, instance_id)
        return view

    def events(self, actor: Actor, instance_id: str) -> list[EventView]:
        _check_reads_journeys(actor)
        with self.deps.sessions() as session:
            self._visible_instance(session, actor, instance_id)
            rows = session.scalars(
                select(InstanceEventRecord)
                .where(InstanceEventRecord.instance_id == instance_id)
                .order_by(InstanceEventRecord.id)
            )
            privileged = bool(actor.roles & {"aml_officer", "post_supervisor"})
            return [
                EventView(
                    r.at,
                    r.kind,
                    r.actor_id,
                    r.device_id,
                    r.task_spec,
                    r.detail if privileged or not r.detail.get("restricted") else {"restricted": True},
                )
                for r in rows
            ]

    def list_tasks(self, actor: Actor) -> list[TaskView]:
        with self.deps.sessions() as session:
            rows = session.execute(
                select(OpenTaskRecord, ProcessInstanceRecord.process_id, BranchRecord.path)
                .join(ProcessInstanceRecord, ProcessInstanceRecord.id == OpenTaskRecord.instance_id)
                .join(BranchRecord, BranchRecord.code == OpenTaskRecord.branch_code)
                .where(OpenTaskRecord.role.in_(actor.roles))
                .order_by(OpenTaskRecord.created_at)
            ).all()
            return [
                _task_view(task, process_id)
                for task, process_id, path in rows
                if actor.sees_branch(path) and self._may_do(session, actor, task)
            ]

    def get_task(self, actor: Actor, task_id: str) -> TaskDetail:
        with UnitOfWork(self.deps) as uow:
            session = uow.session
            task, record = self.visible_task(session, actor, task_id)
            definition = DEFINITIONS.get(session, record.definition_id)
            assert definition is not None
            form = (
                definition_form(definition, task.form_schema or "", task.form_ui_schema)
                if task.form_schema
                else None
            )
            journey = uow.adopt(record)
            assert journey.workflow is not None
            data = next((t.data for t in journey.workflow.ready_user_tasks() if t.task_id == task_id), {})
            shown = prefill(form.schema if form else {}, data)
            record_view(
                session,
                self.deps.now(),
                actor,
                branch_code=record.branch_code,
                instance_id=record.id,
                subject=f"task:{task.spec_name}",
                fields=shown,
                purpose="complete the task",
            )
            uow.commit()  # the record of who saw what; the engine state is unchanged
            return TaskDetail(
                task=_task_view(task, record.process_id),
                form={"schema": form.schema if form else {}, "ui_schema": form.ui_schema if form else {}},
                data=shown,
                context=approval_context(data) if task.role in CHECKER_ROLES else {},
            )

    # ------------------------------------------------------------------ complete

    def complete_task(self, actor: Actor, task_id: str, data: dict[str, Any]) -> InstanceView:
        """A form marked `"ui:options": {"handover": true}` is filled or signed by the customer on the
        officer's device; the trail records it as the customer's act, whichever client sent it."""
        with UnitOfWork(self.deps) as uow:
            session = uow.session
            task, record = self.visible_task(session, actor, task_id)
            definition = DEFINITIONS.get(session, record.definition_id)
            assert definition is not None
            cleaned = self._validated(session, actor, definition, task, data)
            journey = uow.adopt(record)
            assert journey.workflow is not None
            if not journey.workflow.is_ready_user_task(task_id):
                raise Conflict("the task was already completed or the journey moved on")
            form = (
                definition_form(definition, task.form_schema, task.form_ui_schema)
                if task.form_schema
                else None
            )
            cleaned = hide_secrets(journey, form.schema if form else {}, task_id, cleaned)
            by_customer = form is not None and is_handover(form.ui_schema)
            journey.workflow.complete_user_task(task_id, cleaned)
            journey.event(
                "task_completed",
                actor.staff_id,
                device_id=actor.device_id,
                task_spec=task.spec_name,
                role=task.role,
                **({"by_customer": True} if by_customer else {}),
                **{k: cleaned[k] for k in DECISION_FIELDS if isinstance(cleaned.get(k), str | bool)},
            )
            try:
                journey.run_and_save()
                uow.commit()
            except (StaleDataError, IntegrityError) as exc:
                raise Conflict("the journey was changed by someone else; reload it") from exc
            instance_id = record.id
        return self.get(actor, instance_id)

    def abandon(self, actor: Actor, instance_id: str, reason: str) -> InstanceView:
        """Only the officer running the journey ends it; the partial evidence stays (§4: 30 days)."""
        with UnitOfWork(self.deps) as uow:
            record = self._visible_instance(uow.session, actor, instance_id, with_state=True)
            if record.started_by != actor.staff_id:
                raise NotFound("no such instance")
            if record.status == "completed":
                raise Conflict("the journey has already ended")
            journey = uow.adopt(record)
            journey.event("instance_abandoned", actor.staff_id, device_id=actor.device_id, reason=reason)
            try:
                journey.abandon(reason)
                uow.commit()
            except (StaleDataError, IntegrityError) as exc:
                raise Conflict("the journey was changed by someone else; reload it") from exc
        return self.get(actor, instance_id)

    def _validated(
        self,
        session: Session,
        actor: Actor,
        definition: DefinitionSnapshot,
        task: OpenTaskRecord,
        data: dict[str, Any],
    ) -> dict[str, Any]:
        if not task.form_schema:
            return dict(data)
        form = definition_form(definition, task.form_schema, task.form_ui_schema)
        cleaned, errors = form.clean(data)
        problems = [EngineFieldError(e.field, e.code, e.message) for e in errors]
        problems += attachment_problems(session, actor, form.schema, cleaned)
        if problems:
            raise ValidationFailed("the form has errors", problems)
        for name in form.schema.get("properties", {}):
            cleaned.setdefault(name, None)  # every form field exists in the data after its task
        return cleaned

    # ------------------------------------------------------------------ visibility

    def _visible_instance(
        self, session: Session, actor: Actor, instance_id: str, *, with_state: bool = False
    ) -> ProcessInstanceRecord:
        options = [undefer(ProcessInstanceRecord.state)] if with_state else []
        record = session.get(ProcessInstanceRecord, instance_id, options=options)
        if record is None or not self._in_scope(session, actor, record.branch_code):
            raise NotFound("no such instance")  # out of scope answers like absent: existence must not leak
        return record

    def visible_task(
        self, session: Session, actor: Actor, task_id: str
    ) -> tuple[OpenTaskRecord, ProcessInstanceRecord]:
        task = session.get(OpenTaskRecord, task_id)
        if task is None:
            raise self._missing_task(session, actor, task_id)
        if task.role not in actor.roles or not self._in_scope(session, actor, task.branch_code):
            raise NotFound("no such task")
        # the caller goes on to a unit of work, which needs the state: load it in the same round trip
        record = session.get(
            ProcessInstanceRecord, task.instance_id, options=[undefer(ProcessInstanceRecord.state)]
        )
        assert record is not None
        if not self._may_do(session, actor, task):
            raise NotFound("no such task")
        return task, record

    def _missing_task(self, session: Session, actor: Actor, task_id: str) -> Exception:
        """A task done a moment ago (a double tap, a second device) is a conflict for those who could
        have done it; for anyone else it does not exist."""
        done = session.get(FinishedTaskRecord, task_id)
        if done is not None and done.role in actor.roles and self._in_scope(session, actor, done.branch_code):
            return Conflict("the task was already completed or the journey moved on")
        return NotFound("no such task")

    def retry_incident(self, actor: Actor, instance_id: str, incident_id: int) -> None:
        """The officer running the journey (the tablet's resume button) or an operator (§12.4)."""
        with self.deps.sessions() as session:
            record = self._visible_instance(session, actor, instance_id)
            if record.started_by != actor.staff_id and not actor.roles & OPERATOR_ROLES:
                raise Forbidden("only the officer running the journey or an operator retries it")
        retry_incident(self.deps, instance_id, incident_id, actor.staff_id)

    def task_view(self, actor: Actor, task_id: str) -> TaskView:
        with self.deps.sessions() as session:
            task, record = self.visible_task(session, actor, task_id)
            return _task_view(task, record.process_id)

    def _in_scope(self, session: Session, actor: Actor, branch_code: str) -> bool:
        path = BRANCH_PATHS.path(session, branch_code)
        return path is not None and actor.sees_branch(path)

    def _may_do(self, session: Session, actor: Actor, task: OpenTaskRecord) -> bool:
        """Maker-checker (§11): whoever did maker steps of an instance never does its checker steps."""
        if task.assignee is not None and task.assignee != actor.staff_id:
            return False
        if task.required_level > actor.authority_level:
            return False  # §2.9: the approver must hold the authority level for the trigger
        if task.required_qualification and task.required_qualification not in actor.qualifications:
            return False
        if task.role not in CHECKER_ROLES:
            return True
        # the journey a review instance reviews counts too: an auditor never reviews their own work
        subject = session.scalar(
            select(ProcessInstanceRecord.subject_instance_id).where(
                ProcessInstanceRecord.id == task.instance_id
            )
        )
        instances = [task.instance_id] if subject is None else [task.instance_id, subject]
        took_part = session.execute(
            select(InstanceEventRecord.instance_id, InstanceEventRecord.detail).where(
                InstanceEventRecord.instance_id.in_(instances),
                InstanceEventRecord.actor_id == actor.staff_id,
                InstanceEventRecord.kind.in_(("instance_started", "task_completed")),
            )
        )
        # any part in the reviewed journey disqualifies; in this instance only maker steps do (a reviewer
        # re-checks a rectification they asked for)
        return not any(iid == subject or detail.get("role") not in CHECKER_ROLES for iid, detail in took_part)

    def _view(self, session: Session, actor: Actor, record: ProcessInstanceRecord) -> InstanceView:
        definition = DEFINITIONS.get(session, record.definition_id)
        # the status says whether side rows can exist: ready tasks only while waiting for a user (or
        # beside an incident), open incidents only in status "incident" (JourneyInstance.save keeps it so)
        tasks = (
            [
                _task_view(t, record.process_id)
                for t in session.scalars(
                    select(OpenTaskRecord).where(OpenTaskRecord.instance_id == record.id)
                )
                if t.role in actor.roles and self._may_do(session, actor, t)
            ]
            if record.status in ("waiting_user", "incident")
            else []
        )
        incidents = (
            [
                IncidentView(
                    i.id, i.task_spec, i.operation, i.error_code, i.message, i.attempts, i.created_at
                )
                for i in session.scalars(
                    select(IncidentRecord).where(
                        IncidentRecord.instance_id == record.id, IncidentRecord.resolved_at.is_(None)
                    )
                )
            ]
            if record.status == "incident"
            else []
        )
        return InstanceView(
            instance_id=record.id,
            process_id=record.process_id,
            definition_version=definition.version if definition else 0,
            business_key=record.business_key,
            status=record.status,
            outcome=record.outcome,
            outcome_reason=record.outcome_reason,
            customer_message=customer_message(record.outcome, record.outcome_reason),
            version=record.version,
            created_at=record.created_at,
            updated_at=record.updated_at,
            tasks=tasks,
            incidents=incidents,
        )


def _check_reads_journeys(actor: Actor) -> None:
    if actor.staff_id != SYSTEM_STAFF_ID and not actor.roles & JOURNEY_READER_ROLES:
        raise Forbidden("your role does not read customer journeys")


def _task_view(task: OpenTaskRecord, process_id: str) -> TaskView:
    return TaskView(
        task.task_id,
        task.instance_id,
        process_id,
        task.spec_name,
        task.title,
        task.role,
        task.branch_code,
        task.assignee,
        task.created_at,
    )
