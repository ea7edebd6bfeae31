"""Use cases of a journey: start it, see it, do its tasks. Each is one transaction (style.md)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from engine.deps import EngineDeps
from engine.device_hold import current_hold, refuse_if_held
from engine.errors import Conflict, Forbidden, NotFound, ProcessStepFailed, ValidationFailed
from engine.errors import FieldError as EngineFieldError
from engine.journeys.approval_context import approval_context
from engine.otp_entry import check_otp_entry
from engine.people.access_log import record_view
from engine.people.roles import (
    CHECKER_ROLES,
    JOURNEY_READER_ROLES,
    JOURNEY_STARTER_ROLES,
    OPERATOR_ROLES,
    SYSTEM_STARTED_PROCESSES,
)
from engine.persistence.cache import DefinitionSnapshot
from engine.persistence.database import Transaction
from engine.persistence.instances import InstanceTables, WriteConflict, conflicts, instance_tables
from engine.persistence.records import OpenTaskRecord, ProcessInstanceRecord, StartRequestRecord
from engine.review_findings import review_findings
from engine.service_calls import retry_incident
from engine.step_incidents import park_as_incident
from engine.store import ensure_spec
from engine.task_forms import attachment_problems, definition_form, hide_secrets, is_handover, prefill
from engine.unit_of_work import UnitOfWork
from engine.views import Actor, EventView, IncidentView, InstanceView, TaskDetail, TaskView
from engine.visibility import may_do, visible_instance, visible_task
from engine.workflow.instance import WorkflowInstance
from forms.read_only import keep_read_only

SYSTEM_STAFF_ID = "system"
# Decisions (codes, never personal data) that the trail records with the task that made them: an
# approval's, a review's, and those a journey declares (`JourneyDeclaration.decision_fields`).
DECISION_FIELDS = ("decision", "reason_code", "review_outcome")


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
        in_transaction: Callable[[Transaction, str], None] | None = None,
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
            definition = uow.tables.latest_definition(process_id)
            if definition is None:
                raise NotFound(f"no deployed process {process_id!r}")
            needed = definition.start_qualification
            if needed and actor.staff_id != SYSTEM_STAFF_ID and needed not in actor.qualifications:
                raise Forbidden(f"starting this journey needs the qualification {needed}")
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
            uow.tables.add(record)
            journey = uow.adopt(record)
            initial = {
                **data,
                **self.deps.start_variables(process_id),
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
                # the package proves the starter held it that day (J2: "FO qualification id" is evidence)
                **({"qualification": needed} if needed else {}),
            )
            journey.run_and_save()
            if in_transaction is not None:
                in_transaction(uow.session, instance_id)
            if idempotency_key is not None:
                uow.tables.add(
                    StartRequestRecord(
                        staff_id=actor.staff_id,
                        idempotency_key=idempotency_key,
                        instance_id=instance_id,
                        created_at=now,
                    )
                )
            try:
                uow.commit()
            except WriteConflict:
                uow.rollback()
                earlier = self._started_with(actor, idempotency_key) if idempotency_key else None
                if earlier is None:
                    raise
                return self.get(actor, earlier)  # a concurrent twin of this request won
        return self.get(actor, instance_id)

    def _started_with(self, actor: Actor, idempotency_key: str) -> str | None:
        with instance_tables(self.deps.sessions) as tables:
            return tables.started_with(actor.staff_id, idempotency_key)

    # ------------------------------------------------------------------ read

    def get(self, actor: Actor, instance_id: str) -> InstanceView:
        _check_reads_journeys(actor)
        with instance_tables(self.deps.sessions) as tables:
            return self._view(tables, actor, visible_instance(tables, actor, instance_id))

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
        with instance_tables(self.deps.sessions) as tables:
            visible_instance(tables, actor, instance_id)
            rows = tables.events(instance_id)
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
        with instance_tables(self.deps.sessions) as tables:
            return [
                _task_view(task, process_id)
                for task, process_id, path in tables.open_tasks_for_roles(actor.roles)
                if actor.sees_branch(path) and may_do(tables, actor, task)
            ]

    def get_task(self, actor: Actor, task_id: str) -> TaskDetail:
        with UnitOfWork(self.deps) as uow:
            task, record = visible_task(uow.tables, actor, task_id)
            definition = uow.tables.definition(record.definition_id)
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
            last_done = uow.tables.last_event(record.id, "task_completed")
            record_view(
                uow.session,
                self.deps.now(),
                actor,
                branch_code=record.branch_code,
                instance_id=record.id,
                subject=f"task:{task.spec_name}",
                fields=shown,
                personal=self.deps.journeys.personal_fields,
                purpose="complete the task",
            )
            uow.commit()  # the record of who saw what; the engine state is unchanged
            return TaskDetail(
                task=_task_view(task, record.process_id),
                form={"schema": form.schema if form else {}, "ui_schema": form.ui_schema if form else {}},
                data=shown,
                context=_task_context(self.deps.journeys, record.process_id, task.role, data),
                after_customer=last_done is not None and last_done.detail.get("by_customer") is True,
            )

    # ------------------------------------------------------------------ complete

    def complete_task(
        self,
        actor: Actor,
        task_id: str,
        data: dict[str, Any],
        shown_documents: Sequence[Mapping[str, str]] = (),
    ) -> InstanceView:
        """A form marked `"ui:options": {"handover": true}` is filled or signed by the customer on the
        officer's device; the trail records it as the customer's act, whichever client sent it, and
        which documents (id, text version, SM3 of what was shown) the customer read before acting.
        A diagram step that fails on the way to the next wait rolls the completion back and parks the
        instance as an incident naming the step (`ProcessStepFailed`, 409)."""
        try:
            instance_id = self._complete_task(actor, task_id, data, shown_documents)
        except ProcessStepFailed as failure:
            failed_in = self._instance_of_task(actor, task_id)
            raise park_as_incident(self.deps, failed_in, task_id, failure, actor.staff_id) from failure
        return self.get(actor, instance_id)

    def _instance_of_task(self, actor: Actor, task_id: str) -> str:
        with instance_tables(self.deps.sessions) as tables:
            return visible_task(tables, actor, task_id)[1].id

    def _complete_task(
        self,
        actor: Actor,
        task_id: str,
        data: dict[str, Any],
        shown_documents: Sequence[Mapping[str, str]],
    ) -> str:
        with UnitOfWork(self.deps) as uow:
            task, record = visible_task(uow.tables, actor, task_id)
            refuse_if_held(uow.tables, actor, record.id)
            definition = uow.tables.definition(record.definition_id)
            assert definition is not None
            journey = uow.adopt(record)
            assert journey.workflow is not None
            if not journey.workflow.is_ready_user_task(task_id):
                raise Conflict("the task was already completed or the journey moved on")
            form = (
                definition_form(definition, task.form_schema, task.form_ui_schema)
                if task.form_schema
                else None
            )
            if form is not None:
                known = next(t.data for t in journey.workflow.ready_user_tasks() if t.task_id == task_id)
                data = dict(data)
                if changed := keep_read_only(form.schema, known, data, ui_schema=form.ui_schema):
                    raise ValidationFailed(
                        "the form has errors", [EngineFieldError(e.field, e.code, e.message) for e in changed]
                    )
            cleaned = self._validated(uow.session, actor, definition, task, data)
            if form is not None:
                check_otp_entry(self.deps.otp, record.id, form.ui_schema, cleaned, self.deps.now)
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
                **({"shown_documents": [dict(d) for d in shown_documents]} if shown_documents else {}),
                **{
                    k: cleaned[k]
                    for k in (*DECISION_FIELDS, *self.deps.journeys.decision_fields(record.process_id))
                    if isinstance(cleaned.get(k), str | bool)
                },
            )
            try:
                with conflicts():
                    journey.run_and_save()
                    uow.commit()
            except WriteConflict as exc:
                raise Conflict("the journey was changed by someone else; reload it") from exc
            return record.id

    def abandon(self, actor: Actor, instance_id: str, reason: str) -> InstanceView:
        """Only the officer running the journey ends it; the partial evidence stays (§4: 30 days)."""
        with UnitOfWork(self.deps) as uow:
            record = visible_instance(uow.tables, actor, instance_id, with_state=True)
            if record.started_by != actor.staff_id:
                raise NotFound("no such instance")
            if record.status == "completed":
                raise Conflict("the journey has already ended")
            refuse_if_held(uow.tables, actor, record.id)
            journey = uow.adopt(record)
            journey.event("instance_abandoned", actor.staff_id, device_id=actor.device_id, reason=reason)
            try:
                with conflicts():
                    journey.abandon(reason)
                    uow.commit()
            except WriteConflict as exc:
                raise Conflict("the journey was changed by someone else; reload it") from exc
        return self.get(actor, instance_id)

    def _validated(
        self,
        transaction: Transaction,
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
        problems += attachment_problems(transaction, actor, form.schema, cleaned, form.ui_schema)
        if problems:
            raise ValidationFailed("the form has errors", problems)
        for name in form.schema.get("properties", {}):
            cleaned.setdefault(name, None)  # every form field exists in the data after its task
        return cleaned

    def retry_incident(self, actor: Actor, instance_id: str, incident_id: int) -> None:
        """The officer running the journey (the tablet's resume button) or an operator (§12.4)."""
        with instance_tables(self.deps.sessions) as tables:
            record = visible_instance(tables, actor, instance_id)
            if record.started_by != actor.staff_id and not actor.roles & OPERATOR_ROLES:
                raise Forbidden("only the officer running the journey or an operator retries it")
        retry_incident(self.deps, instance_id, incident_id, actor.staff_id)

    def task_view(self, actor: Actor, task_id: str) -> TaskView:
        with instance_tables(self.deps.sessions) as tables:
            task, record = visible_task(tables, actor, task_id)
            return _task_view(task, record.process_id)

    def _view(self, tables: InstanceTables, actor: Actor, record: ProcessInstanceRecord) -> InstanceView:
        definition = tables.definition(record.definition_id)
        # the status says whether side rows can exist: ready tasks only while waiting for a user (or
        # beside an incident), open incidents only in status "incident" (JourneyInstance.save keeps it so)
        tasks = (
            [
                _task_view(t, record.process_id)
                for t in tables.open_tasks(record.id)
                if t.role in actor.roles and may_do(tables, actor, t)
            ]
            if record.status in ("waiting_user", "incident")
            else []
        )
        incidents = (
            [
                IncidentView(
                    i.id, i.task_spec, i.operation, i.error_code, i.message, i.attempts, i.created_at
                )
                for i in tables.open_incidents(record.id)
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
            customer_message=self.deps.journeys.customer_message(
                record.process_id, record.outcome, record.outcome_reason
            ),
            version=record.version,
            created_at=record.created_at,
            updated_at=record.updated_at,
            tasks=tasks,
            incidents=incidents,
            hold=current_hold(tables, record.id) if record.status != "completed" else None,
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


def _task_context(journeys: Any, process_id: str, role: str, data: dict[str, Any]) -> dict[str, Any]:
    """What a task's screen shows beside its form: a checker the masked facts behind the trigger; the
    officer asked to rectify what post-supervision found (a review journey is system-started)."""
    if role in CHECKER_ROLES:
        return approval_context(journeys, process_id, data)
    if process_id in SYSTEM_STARTED_PROCESSES:
        findings = review_findings(data)
        return {"review_findings": findings} if findings else {}
    return {}
