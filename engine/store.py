"""Loading and saving instances inside a unit of work, and keeping the side tables in step."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from engine.deps import EngineDeps
from engine.operations.registry import BusinessRejection, OperationContext
from engine.people.roles import role_for_lane
from engine.persistence.cache import DefinitionSnapshot
from engine.persistence.database import Transaction
from engine.persistence.instances import InstanceTables
from engine.persistence.records import (
    FinishedTaskRecord,
    InstanceEventRecord,
    MessageSubscriptionRecord,
    OpenTaskRecord,
    OutboxRecord,
    ProcessInstanceRecord,
)
from engine.state_seal import open_state, seal_state
from engine.workflow.instance import ServiceCallView, WorkflowInstance, listens_for_messages
from engine.workflow.spiff import SERIALIZER_VERSION, SPEC_CACHE, FieldBankScriptEngine, spec_from_json

_LISTENERS: dict[str, bool] = {}


def _listens(definition: DefinitionSnapshot) -> bool:
    """Parsed once per definition version, like the spec itself."""
    ref = spec_ref(definition)
    if ref not in _LISTENERS:
        _LISTENERS[ref] = listens_for_messages(ensure_spec(definition))
    return _LISTENERS[ref]


def spec_ref(definition: DefinitionSnapshot) -> str:
    return f"{definition.process_id}@{definition.version}:{definition.sha[:12]}"


def ensure_spec(definition: DefinitionSnapshot) -> Any:
    """Parsed specs are restored once per definition version per process, never per instance."""
    ref = spec_ref(definition)
    pair = SPEC_CACHE.get(ref)
    if pair is None:
        pair = spec_from_json(definition.spec_json)
        SPEC_CACHE.put(ref, pair)
    return pair


class JourneyInstance:
    """The instance aggregate inside a unit of work: its row, its engine state, and the command's
    effects (run the engine, record events, save with a version check and keep the side tables in step).
    Commands get it from `engine.unit_of_work.UnitOfWork`, which owns the transaction."""

    def __init__(self, deps: EngineDeps, tables: InstanceTables, record: ProcessInstanceRecord) -> None:
        self.deps = deps
        self.tables = tables
        self.session: Transaction = tables.session  # for repositories that join this transaction
        self.record = record
        definition = tables.definition(record.definition_id)
        assert definition is not None
        self.definition: DefinitionSnapshot = definition
        self.projection = deps.journeys.projection(record.process_id)
        ensure_spec(self.definition)
        self.listens_for_messages = _listens(self.definition)
        self.secrets: dict[str, str] = {}
        self.abandoned_reason: str | None = None
        self.incidents_touched = False
        self.wrote_outbox = False  # the unit of work rings the outbox only when there is work
        self.engine = FieldBankScriptEngine(frozenset(deps.operations.inline_names()), self._inline_call)
        hot = deps.hot_instances.take(record.id, record.version) if record.version else None
        if hot is not None:
            hot.attach(self.engine)
            self.workflow: WorkflowInstance | None = hot
        else:
            self.workflow = (
                WorkflowInstance.load(self._decrypt(record.state), self.engine) if record.state else None
            )

    def keep_warm(self) -> None:
        """After a commit, or a read that changed nothing: the engine object serves the next command."""
        if self.workflow is not None:
            self.deps.hot_instances.put(self.record.id, self.record.version, self.workflow)

    # ------------------------------------------------------------------ state

    def _context(self) -> bytes:
        return f"instance:{self.record.id}".encode()

    def _decrypt(self, state: str) -> str:
        return open_state(self.deps.cipher, state, context=self._context())

    def event(
        self,
        kind: str,
        actor_id: str | None,
        *,
        device_id: str | None = None,
        task_spec: str | None = None,
        **detail: Any,
    ) -> None:
        if device_id is not None and actor_id is not None:
            self.record.last_device_id = device_id  # where the journey is in flight (device_hold.py)
        self.tables.add(
            InstanceEventRecord(
                instance_id=self.record.id,
                at=self.deps.now(),
                kind=kind,
                actor_id=actor_id,
                device_id=device_id,
                task_spec=task_spec,
                detail=detail,
            )
        )

    def _inline_call(self, operation: str, task_id: str, params: dict[str, Any]) -> dict[str, Any]:
        op = self.deps.operations.get(operation)
        ctx = self.operation_context(task_id)
        resolved = {k: self.secrets.get(v, v) if isinstance(v, str) else v for k, v in params.items()}
        result = op.handler(ctx, resolved)
        self.event("rule_evaluated", None, task_spec=None, operation=operation, result=_result_code(result))
        return result

    def operation_context(self, task_id: str) -> OperationContext:
        return operation_context(self.deps, self.record, task_id)

    # ------------------------------------------------------------------ save

    def abandon(self, reason: str) -> None:
        """The customer ends the journey at any step (domain §4 universal outcomes)."""
        assert self.workflow is not None
        self.workflow.cancel()
        self.abandoned_reason = reason
        self.save()

    def run_and_save(self) -> None:
        assert self.workflow is not None
        self.workflow.run()
        self.save()

    def save(self) -> None:
        assert self.workflow is not None and self.definition is not None
        now = self.deps.now()
        wf = self.workflow
        data = wf.data
        if self.abandoned_reason is not None:
            self.record.status = "completed"
            self.record.outcome, self.record.outcome_reason = "ABANDONED", self.abandoned_reason
            self.record.completed_at = now
            self.event("instance_completed", None, outcome="ABANDONED", reason=self.abandoned_reason)
            self._request_evidence(now, data)
        elif wf.completed:
            self.record.status = "completed"
            self.record.outcome = data.get("outcome")
            self.record.outcome_reason = data.get("outcome_reason")
            if self.record.completed_at is None:
                self.record.completed_at = now
                self._request_evidence(now, data)
                self.event(
                    "instance_completed",
                    None,
                    outcome=self.record.outcome,
                    reason=self.record.outcome_reason,
                    **self.projection.completion_facts(data),
                )
        elif self._incidents_possible() and self._open_incidents():
            self.record.status = "incident"
        elif wf.ready_user_tasks():
            self.record.status = "waiting_user"
        else:
            self.record.status = "waiting_external"
        id_number = self._customer_id(data)
        if id_number is not None and self.record.customer_index is None:
            self.record.customer_index = self.deps.cipher.blind_index(id_number)
        self.record.state = seal_state(self.deps.cipher, wf.dump(), context=self._context())
        self.record.serializer_version = SERIALIZER_VERSION
        self.record.next_timer_at = None if self.record.status == "completed" else wf.next_timer_due()
        self.record.updated_at = now
        # the version-checked UPDATE goes first: a concurrent writer loses here (StaleDataError) before
        # it could collide on projection rows
        self.tables.flush()
        self._project_tasks(now)
        if self.listens_for_messages:
            self._project_subscriptions(now)
        self._schedule_service_calls(now)
        for projection in self.deps.instance_projections:
            projection(self.tables.session, self.record, data)

    def _request_evidence(self, now: datetime, data: dict[str, Any]) -> None:
        """A journey that reached the customer's data leaves a package, whatever its outcome (§2.8)."""
        if self.projection.leaves_evidence and self._customer_id(data) is not None:
            self.wrote_outbox = True
            self.tables.add(
                OutboxRecord(
                    instance_id=self.record.id,
                    kind="build_evidence",
                    payload={},
                    created_at=now,
                    available_at=now,
                )
            )

    def _customer_id(self, data: dict[str, Any]) -> str | None:
        name = self.projection.customer_id_field
        value = data.get(name) if name else None
        return value if isinstance(value, str) and value else None

    def _open_incidents(self) -> bool:
        return self.tables.has_open_incident(self.record.id)

    def _project_tasks(self, now: datetime) -> None:
        assert self.workflow is not None and self.definition is not None
        existing = {t.task_id: t for t in self.tables.open_tasks(self.record.id)}
        ready = {t.task_id: t for t in self.workflow.ready_user_tasks()}
        gone = [tid for tid in existing if tid not in ready]
        if gone:
            self.tables.remove_open_tasks(gone)
            self.tables.add_all(
                FinishedTaskRecord(
                    task_id=tid,
                    instance_id=self.record.id,
                    role=existing[tid].role,
                    branch_code=existing[tid].branch_code,
                    finished_at=now,
                )
                for tid in gone
            )
        for tid, task in ready.items():
            if tid in existing:
                continue
            role = role_for_lane(task.lane, self.definition.lane_roles) or "field_officer"
            self.tables.add(
                OpenTaskRecord(
                    task_id=tid,
                    instance_id=self.record.id,
                    spec_name=task.spec_name,
                    title=task.title,
                    lane=task.lane,
                    role=role,
                    branch_code=self.record.branch_code,
                    assignee=_assignee(task.data, role, self.record.started_by),
                    form_schema=task.form_schema,
                    form_ui_schema=task.form_ui_schema,
                    required_level=_required_level(task.data),
                    required_qualification=task.required_qualification,
                    created_at=now,
                )
            )

    def _project_subscriptions(self, now: datetime) -> None:
        """One row per message the instance waits for, so a delivery finds it by name and key."""
        assert self.workflow is not None
        waiting = {(m.name, m.correlation_key) for m in self.workflow.waiting_messages()}
        existing = {(r.message_name, r.correlation_key): r for r in self.tables.subscriptions(self.record.id)}
        for key, row in existing.items():
            if key not in waiting:
                self.tables.remove_subscription(row)
        for name, correlation_key in sorted(waiting - set(existing)):
            self.tables.add(
                MessageSubscriptionRecord(
                    message_name=name,
                    correlation_key=correlation_key,
                    instance_id=self.record.id,
                    created_at=now,
                )
            )

    def _schedule_service_calls(self, now: datetime) -> None:
        """Every parked service task gets exactly one pending outbox row (ARCHITECTURE 3 and 6)."""
        assert self.workflow is not None
        calls = {c.task_id: c for c in self.workflow.pending_service_calls()}
        started = set(calls)
        if not started:
            return
        scheduled = self.tables.scheduled_call_task_ids(self.record.id)
        blocked = self.tables.incident_task_ids(self.record.id) if self._incidents_possible() else set()
        new = sorted(started - scheduled - blocked)
        if new:
            self.wrote_outbox = True
            self.tables.add(
                OutboxRecord(
                    instance_id=self.record.id,
                    kind="service_calls",
                    payload={
                        "task_ids": new,
                        "attempts": {},
                        "calls": self.seal_calls([calls[t] for t in new]),
                        "journey": self.call_context_fields(),
                    },
                    created_at=now,
                    available_at=now,
                )
            )

    def call_context_fields(self) -> dict[str, str]:
        """What the worker needs besides the sealed calls to make them (no personal data)."""
        return {"branch_code": self.record.branch_code, "operator_id": self.record.started_by}

    def seal_calls(self, calls: list[ServiceCallView]) -> str:
        """The evaluated parameters travel with the outbox row (so the worker need not load the state),
        encrypted: they hold ID numbers and phone numbers."""
        return self.deps.cipher.encrypt(
            json.dumps([asdict(c) for c in calls]), context=self._outbox_context()
        )

    def _outbox_context(self) -> bytes:
        return f"outbox:{self.record.id}".encode()

    def _incidents_possible(self) -> bool:
        return self.record.status == "incident" or self.incidents_touched


def _required_level(data: dict[str, Any]) -> int:
    """A task's data may say how much authority its approver needs (§2.9), e.g. set by a preScript."""
    level = data.get("required_authority_level")
    return level if isinstance(level, int) and 1 <= level <= 9 else 1


def _assignee(data: dict[str, Any], role: str, started_by: str) -> str | None:
    """Field work belongs to whoever runs the journey; a journey started by the system (a review)
    names its assignees per role in `lane_assignees` (e.g. the originator who must rectify)."""
    named = (data.get("lane_assignees") or {}).get(role)
    if isinstance(named, str):
        return named
    return started_by if role == "field_officer" and started_by != "system" else None


def unseal_calls(deps: EngineDeps, instance_id: str, sealed: str) -> list[ServiceCallView]:
    text = deps.cipher.decrypt_text(sealed, context=f"outbox:{instance_id}".encode())
    return [ServiceCallView(**c) for c in json.loads(text)]


def operation_context(deps: EngineDeps, record: ProcessInstanceRecord, task_id: str) -> OperationContext:
    return call_context(deps, record.id, record.branch_code, record.started_by, task_id)


def call_context(
    deps: EngineDeps, instance_id: str, branch_code: str, operator_id: str, task_id: str
) -> OperationContext:
    return OperationContext(
        adapters=deps.adapters,
        otp=deps.otp,
        request_id=f"{instance_id}:{task_id}",
        instance_id=instance_id,
        branch_code=branch_code,
        operator_id=operator_id,
        now=deps.now,
    )


def _result_code(result: dict[str, Any]) -> Any:
    return result.get("result", result.get("decision"))


__all__ = ["BusinessRejection", "JourneyInstance", "ensure_spec", "spec_ref"]
