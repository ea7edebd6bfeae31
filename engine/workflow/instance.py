"""A narrow facade over one BpmnWorkflow: the only API the rest of the engine uses."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition, MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.workflow.spiff import (
    INSTANCE_SERIALIZER,
    FieldBankScriptEngine,
    FieldBankServiceTask,
    ScriptFailure,
    SpecPair,
)
from engine.workflow.step_errors import naming_failures


@dataclass(frozen=True)
class UserTaskView:
    task_id: str
    spec_name: str
    title: str
    lane: str | None
    form_schema: str | None
    form_ui_schema: str | None
    required_qualification: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class ServiceCallView:
    task_id: str
    spec_name: str
    operation: str
    params: dict[str, Any]
    retries: int
    backoff_base: int


@dataclass(frozen=True)
class WaitingMessage:
    """A message catch event the instance waits at, with the correlation key it published."""

    name: str
    correlation_key: str


@dataclass(frozen=True)
class StepRecord:
    """A task the engine completed on its own (script, gateway, service, event) for the trail."""

    spec_name: str
    kind: str


class WorkflowInstance:
    def __init__(self, workflow: BpmnWorkflow) -> None:
        self._wf = workflow

    @classmethod
    def start(
        cls, spec_pair: SpecPair, engine: FieldBankScriptEngine, data: dict[str, Any]
    ) -> WorkflowInstance:
        spec, subprocess_specs = spec_pair
        wf = BpmnWorkflow(spec, subprocess_specs, script_engine=engine)
        wf.task_tree.data.update(data)  # initial data belongs on the root task (expressions see it)
        return cls(wf)

    @classmethod
    def load(cls, state: str, engine: FieldBankScriptEngine) -> WorkflowInstance:
        wf = INSTANCE_SERIALIZER.deserialize_json(state)
        wf.script_engine = engine  # not part of the serialized state (gotcha 6)
        return cls(wf)

    def attach(self, engine: FieldBankScriptEngine) -> None:
        """Bind a reused engine object to the script engine of the unit of work now using it."""
        self._wf.script_engine = engine

    def dump(self) -> str:
        return str(INSTANCE_SERIALIZER.serialize_json(self._wf))

    @naming_failures
    def run(self) -> list[StepRecord]:
        steps: list[StepRecord] = []

        def record(task: Any) -> None:
            spec = task.task_spec
            if getattr(spec, "bpmn_id", None):
                steps.append(StepRecord(spec.bpmn_id, type(spec).__name__))

        self._wf.do_engine_steps(did_complete_task=record)
        return steps

    # ------------------------------------------------------------------ queries

    def _all_tasks(self) -> Any:
        """Every task of the instance and its subprocesses, read from the id maps: `get_tasks` walks the
        tree with depth bookkeeping, which profiled as the largest cost of a unit of work."""
        yield from self._wf.tasks.values()
        for sub in self._wf.subprocesses.values():
            yield from sub.tasks.values()

    def ready_user_tasks(self) -> list[UserTaskView]:
        views = []
        for task in self._all_tasks():
            if task.state != TaskState.READY or not task.task_spec.manual:
                continue
            spec = task.task_spec
            props = (spec.extensions or {}).get("properties", {})
            views.append(
                UserTaskView(
                    task_id=str(task.id),
                    spec_name=spec.bpmn_id or spec.name,
                    title=spec.bpmn_name or spec.bpmn_id or spec.name,
                    lane=spec.lane,
                    form_schema=props.get("formJsonSchemaFilename"),
                    form_ui_schema=props.get("formUiSchemaFilename"),
                    required_qualification=props.get("requiredQualification"),
                    data=task.data,
                )
            )
        return views

    @naming_failures
    def pending_service_calls(self) -> list[ServiceCallView]:
        calls = []
        for task in self._all_tasks():
            spec = task.task_spec
            if task.state != TaskState.STARTED or not isinstance(spec, FieldBankServiceTask):
                continue
            params = {name: p["value"] for name, p in spec.evaluate_params(task).items()}
            calls.append(
                ServiceCallView(
                    task_id=str(task.id),
                    spec_name=spec.bpmn_id,
                    operation=spec.operation_name,
                    params=json.loads(json.dumps(params, default=str)),
                    retries=int(spec.retries or 0),
                    backoff_base=int(spec.retry_backoff_base or 2),
                )
            )
        return calls

    def next_timer_due(self) -> datetime | None:
        """The earliest due time of a waiting timer, so a sweeper knows when to look again."""
        due = []
        for task in self._wf.event_manager.tasks.values():
            if not any(
                isinstance(d, TimerEventDefinition) for d in _definitions(task.task_spec.event_definition)
            ):
                continue
            value = task.internal_data.get("event_value")
            if isinstance(value, dict):  # cycle timers keep {"cycles": n, "next": iso}
                value = value.get("next")
            try:
                moment = datetime.fromisoformat(str(value))
            except (TypeError, ValueError):
                continue
            due.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
        return min(due) if due else None

    @naming_failures
    def waiting_messages(self) -> list[WaitingMessage]:
        """Messages the instance can receive now (at a catch event, or an event-based gateway), each
        by the value of its correlation property: the process variable its
        `spiffworkflow:processVariableCorrelation` names, read from the waiting task's data."""
        return [WaitingMessage(d.name, key) for _task, d, key in self._message_waits()]

    @naming_failures
    def deliver_message(self, name: str, correlation_key: str, payload: dict[str, Any]) -> bool:
        """Hand an external message to the event waiting for it with this key; False if none waits
        (the caller answers "unknown"). `run` then moves the instance on."""
        for _task, definition, key in self._message_waits():
            if definition.name != name or key != correlation_key:
                continue
            body = dict(payload)
            correlations: dict[str, dict[str, Any]] = {}
            for prop in definition.correlation_properties:
                body[prop.retrieval_expression] = correlation_key  # the catch re-reads it from the payload
                for corr_key in prop.correlation_keys:
                    correlations.setdefault(corr_key, {})[prop.name] = correlation_key
            try:
                self._wf.send_event(BpmnEvent(definition, payload=body, correlations=correlations))
            except ScriptFailure:
                raise  # the catch's own code failed: a model defect, not "nobody waits"
            except WorkflowException:
                return False
            return True
        return False

    def _message_waits(self) -> list[tuple[Any, MessageEventDefinition, str]]:
        waits = []
        for task in self._wf.event_manager.tasks.values():
            if task.state != TaskState.WAITING:
                continue
            for definition in _definitions(task.task_spec.event_definition):
                if isinstance(definition, MessageEventDefinition) and definition.process_correlations:
                    expression = definition.process_correlations[0].retrieval_expression
                    value = self._wf.script_engine.evaluate(task, expression)
                    if value is not None:
                        waits.append((task, definition, str(value)))
        return waits

    @naming_failures
    def refresh_timers(self) -> None:
        """Timers fire only when asked (§8.1): refresh, then `run`."""
        self._wf.refresh_timers()

    def path(self) -> tuple[list[str], list[str]]:
        """BPMN element ids the journey has passed through, and those it is at now (for the diagram)."""
        done: dict[str, None] = {}
        current: dict[str, None] = {}
        for task in self._all_tasks():
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            if task.state == TaskState.COMPLETED:
                done[bpmn_id] = None
            elif task.state in (TaskState.READY, TaskState.STARTED):
                current[bpmn_id] = None
        return list(done), [c for c in current if c not in done]

    def is_started_service(self, task_id: str) -> bool:
        task = self._task(task_id)
        return task is not None and task.state == TaskState.STARTED

    def is_ready_user_task(self, task_id: str) -> bool:
        task = self._task(task_id)
        return task is not None and task.state == TaskState.READY and task.task_spec.manual

    @property
    def completed(self) -> bool:
        """True only when an end event of the top process completed (gotcha 1: false completion)."""
        if not self._finished():
            return False
        return any(
            isinstance(t.task_spec, EndEvent) and t.state == TaskState.COMPLETED
            for t in self._wf.tasks.values()
        )

    def _finished(self) -> bool:
        return not any(t.state & TaskState.NOT_FINISHED_MASK for t in self._all_tasks())

    @property
    def data(self) -> dict[str, Any]:
        """The newest data: the final workflow data when completed, else the latest completed task's."""
        if self._wf.data and self._finished():
            return dict(self._wf.data)
        # inside a call activity the newest data is the called process's (it reaches the caller's tasks
        # only when the called process ends), e.g. the telco result of a journey abandoned at the OTP
        lasts = [self._wf.last_task, *(sub.last_task for sub in self._wf.subprocesses.values())]
        last = max((t for t in lasts if t is not None), key=lambda t: t.last_state_change, default=None)
        return dict(_outside_scoped_calls(last).data) if last is not None else dict(self._wf.task_tree.data)

    # ------------------------------------------------------------------ commands

    @naming_failures
    def complete_user_task(self, task_id: str, data: dict[str, Any]) -> None:
        task = self._require(task_id)
        task.data.update(data)
        task.run()

    @naming_failures
    def complete_service(self, task_id: str, result: dict[str, Any]) -> None:
        task = self._require(task_id)
        task.data[task.task_spec.result_variable] = result
        task.complete()

    @naming_failures
    def throw_business_error(self, task_id: str, code: str, payload: dict[str, Any]) -> bool:
        """Throw a BPMN error from a parked service task; False when no boundary event models it."""
        self._require(task_id)
        event = BpmnEvent(ErrorEventDefinition(code, code=code), payload=payload)
        return bool(self._wf.event_manager.catch(event) > 0)

    def cancel(self) -> None:
        self._wf.cancel()

    def _task(self, task_id: str) -> Any:
        try:
            return self._wf.get_task_from_id(UUID(task_id))
        except Exception:
            return None

    def _require(self, task_id: str) -> Any:
        task = self._task(task_id)
        if task is None:
            raise KeyError(task_id)
        return task


InlineOperation = Callable[[dict[str, Any]], dict[str, Any]]


def _definitions(definition: Any) -> list[Any]:
    """The event definitions a waiting task listens with: its own, or each of an event-based gateway's."""
    return (
        list(definition.event_definitions)
        if isinstance(definition, MultipleEventDefinition)
        else [definition]
    )


def listens_for_messages(spec_pair: SpecPair) -> bool:
    """Whether any catch event of the process (or its subprocesses) waits for a message: only such
    processes pay for keeping message subscriptions in step on save."""
    spec, subprocess_specs = spec_pair
    for process_spec in (spec, *subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if any(isinstance(d, MessageEventDefinition) for d in _definitions(definition)):
                return True
    return False


def _outside_scoped_calls(task: Any) -> Any:
    """The task itself, or, inside a called process that declares its inputs (a BPMN ioSpecification,
    e.g. the shared face check run for whichever person the caller names), the call activity that
    started it: such a process works on its own copy under generic names (`live_face_image` of the
    holder, say), which become the journey's data only under the names the caller takes them as."""
    while task is not None:
        io = getattr(getattr(task.workflow, "spec", None), "io_specification", None)
        parent_id = getattr(task.workflow, "parent_task_id", None)
        if io is None or not io.data_inputs or parent_id is None:
            return task
        task = task.workflow.top_workflow.get_task_from_id(parent_id)
    return task
