"""Read-side use cases the web pages need beyond the JSON API's: an officer's journeys of the day, the
diagram of an instance with its path, and an evidence image an approver is entitled to see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from engine.deps import EngineDeps
from engine.errors import NotFound
from engine.instances import InstanceService
from engine.journeys.approval_context import approval_context
from engine.people.access_log import record_view
from engine.people.roles import CHECKER_ROLES
from engine.persistence.definitions import DefinitionRepository
from engine.persistence.evidence import FinishedJourney, FinishedJourneys
from engine.persistence.instances import InstanceTables, instance_tables
from engine.persistence.people import PeopleRepository
from engine.store import JourneyInstance, ensure_spec
from engine.task_forms import definition_form
from engine.views import Actor, TaskView
from engine.visibility import visible_task
from engine.workflow.spiff import FieldBankServiceTask
from forms.catalogue import FormDefinition

# an officer may look at their own capture again (preview, retake) for this long after uploading it
OWN_UPLOAD_WINDOW = timedelta(hours=12)


@dataclass(frozen=True)
class JourneySummary:
    instance_id: str
    process_id: str
    process_name: str
    status: str
    outcome: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DiagramView:
    process_id: str
    version: int
    bpmn_xml: str
    completed: list[str]
    current: list[str]


@dataclass(frozen=True)
class ProgressView:
    """External steps of a journey for the tablet's waiting screen, by their BPMN names; and, while it
    waits for an event rather than a call (a cooling-off, a card decision), what it waits for and the
    facts its ending would show so far (an order number the customer may need to cancel)."""

    done: list[str]
    running: list[str]
    timer_due: datetime | None = None
    awaiting: list[str] = field(default_factory=list)
    """Names of the messages that can move it on (the journey's labels say them in Chinese)."""
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DefinitionVersion:
    process_id: str
    name: str
    version: int
    sha: str
    bpmn_file: str
    deployed_at: datetime
    deployed_by: str


@dataclass(frozen=True)
class TaskRow:
    """One open task as a list shows it: enough to tell it from the next without opening it."""

    task: TaskView
    started_by: str
    customer: str | None
    """The customer's name, masked (§8.3)."""
    reasons: list[str]
    """Why a checker must decide (authorization reasons, codes)."""


class JourneyReads:
    def __init__(self, deps: EngineDeps, instances: InstanceService) -> None:
        self.deps = deps
        self.instances = instances
        self.definitions = DefinitionRepository(deps.sessions)
        self.people = PeopleRepository(deps.sessions)

    def my_journeys(self, actor: Actor, since: datetime, limit: int = 50) -> list[JourneySummary]:
        """Journeys the caller started since `since`, newest first (the tablet's "today")."""
        with instance_tables(self.deps.sessions) as tables:
            return [JourneySummary(*row) for row in tables.started_by(actor.staff_id, since, limit)]

    def definition_versions(self) -> list[DefinitionVersion]:
        return [
            DefinitionVersion(
                r.process_id, r.name, r.version, r.sha, r.bpmn_file, r.deployed_at, r.deployed_by
            )
            for r in self.definitions.newest_first()
        ]

    def definition_diagram(self, process_id: str, version: int) -> DiagramView:
        record = self.definitions.version(process_id, version)
        if record is None:
            raise NotFound("no such process version")
        return DiagramView(process_id, version, record.bpmn_xml, [], [])

    def instance_diagram(self, actor: Actor, instance_id: str) -> DiagramView:
        """The diagram the instance runs on, with the elements it passed through and where it is now."""
        self.instances.get(actor, instance_id)  # visibility: out of scope answers like absent
        with instance_tables(self.deps.sessions) as tables:
            journey = self._journey(tables, instance_id)
            source = tables.definition_source(journey.record.definition_id)
            assert source is not None and journey.workflow is not None
            completed, current = journey.workflow.path()
            journey.keep_warm()  # read only: the engine object serves the next command
            return DiagramView(
                journey.record.process_id, journey.definition.version, source.bpmn_xml, completed, current
            )

    def task_rows(self, actor: Actor) -> list[TaskRow]:
        """The caller's open tasks with who they are about and why. A checker's task opens its
        journey's state for the masked customer and the trigger (a phone's list holds a handful; the
        open-tasks projection has neither)."""
        tasks = self.instances.list_tasks(actor)
        rows = []
        with instance_tables(self.deps.sessions) as tables:
            for task in tasks:
                record = tables.instance(task.instance_id)
                assert record is not None
                context: dict[str, Any] = {}
                if task.role in CHECKER_ROLES:
                    journey = JourneyInstance(self.deps, tables, record)
                    assert journey.workflow is not None
                    context = approval_context(self.deps.journeys, record.process_id, journey.workflow.data)
                    journey.keep_warm()  # read only: the engine object serves the next command
                customer = context.get("customer", {}).get("name")
                rows.append(
                    TaskRow(task, record.started_by, customer, context.get("authorization_reasons", []))
                )
        return rows

    def step_titles(self, actor: Actor, instance_id: str) -> dict[str, str]:
        """The BPMN name of every element of the instance's definition and the processes it calls, by
        element id: a trail reads as the diagram does, not as its ids."""
        self.instances.get(actor, instance_id)  # visibility: out of scope answers like absent
        with instance_tables(self.deps.sessions) as tables:
            record = tables.instance(instance_id)
            assert record is not None
            definition = tables.definition(record.definition_id)
            assert definition is not None
            return _element_titles(ensure_spec(definition))

    def staff_names(self, staff_ids: Iterable[str | None]) -> dict[str, str]:
        """Names of staff by id (who acted on a journey or a package), for pages that show both."""
        return self.people.names({s for s in staff_ids if s})

    def progress(self, actor: Actor, instance_id: str) -> ProgressView:
        self.instances.get(actor, instance_id)
        with instance_tables(self.deps.sessions) as tables:
            journey = self._journey(tables, instance_id)
            assert journey.workflow is not None
            completed, current = journey.workflow.path()
            journey.keep_warm()  # read only: the engine object serves the next command
            titles = _service_titles(ensure_spec(journey.definition))
            running = [titles[c] for c in current if c in titles]
            awaiting = [m.name for m in journey.workflow.waiting_messages()]
            timer_due = journey.workflow.next_timer_due()
            waits_for_event = not running and (bool(awaiting) or timer_due is not None)
            return ProgressView(
                [titles[c] for c in completed if c in titles],
                running,
                timer_due if waits_for_event else None,
                awaiting if waits_for_event else [],
                journey.projection.completion_facts(journey.workflow.data) if waits_for_event else {},
            )

    def task_form(self, actor: Actor, task_id: str) -> FormDefinition | None:
        """The form of a task the caller may do, to read a browser's post: no state, no prefill, and so
        no personal-data view to record (get_task is for showing the task)."""
        with instance_tables(self.deps.sessions) as tables:
            task, record = visible_task(tables, actor, task_id)
            definition = tables.definition(record.definition_id)
            assert definition is not None
            if not task.form_schema:
                return None
            return definition_form(definition, task.form_schema, task.form_ui_schema)

    def task_journey(self, actor: Actor, task_id: str) -> tuple[FormDefinition | None, FinishedJourney]:
        """A task the caller may do, with its journey so far: what the documents the customer reads on
        its hand-over screen are filled from."""
        form = self.task_form(actor, task_id)  # checks the caller may do it
        with instance_tables(self.deps.sessions) as tables:
            _task, record = visible_task(tables, actor, task_id)
        return form, FinishedJourneys(self.deps).so_far(record.id)

    def record_document_view(self, actor: Actor, task_id: str, document: str, fields: Iterable[str]) -> None:
        """A document filled with the customer's data was put on the screen (§8.5): who, when, which
        document, and the personal fields it was filled from."""
        with instance_tables(self.deps.sessions) as tables:
            _task, record = visible_task(tables, actor, task_id)
            self._record_view(
                tables,
                actor,
                (record.branch_code, record.id),
                f"document:{document}",
                fields,
                "show the customer what they sign",
            )

    def task_evidence_image(self, actor: Actor, task_id: str, attachment_id: str) -> tuple[str, str]:
        """(blob key, media type) of an evidence image behind an approval task the caller may do; any
        other attachment answers as absent. The view is recorded (§8.5)."""
        with instance_tables(self.deps.sessions) as tables:
            _task, record = visible_task(tables, actor, task_id)
            journey = JourneyInstance(self.deps, tables, record)
            assert journey.workflow is not None
            data = journey.workflow.data
            journey.keep_warm()  # read only: the engine object serves the next command
            context = approval_context(self.deps.journeys, record.process_id, data)
            if attachment_id not in context["evidence_attachment_ids"]:
                raise NotFound("no such image")
            field = next(k for k, v in data.items() if v == attachment_id)
            image = tables.attachment(attachment_id)
            if image is None:
                raise NotFound("no such image")
            self._record_view(
                tables,
                actor,
                (record.branch_code, record.id),
                f"image:{attachment_id}",
                (field,),
                "approve the task",
            )
            return image.blob_key, image.media_type

    def _record_view(
        self,
        tables: InstanceTables,
        actor: Actor,
        instance: tuple[str, str],
        subject: str,
        fields: Iterable[str],
        purpose: str,
    ) -> None:
        """Records the view of personal data of the `instance` (branch, id) (§8.5) and commits it: nothing
        else was changed."""
        branch_code, instance_id = instance
        record_view(
            tables.session,
            self.deps.now(),
            actor,
            branch_code=branch_code,
            instance_id=instance_id,
            subject=subject,
            fields=fields,
            personal=self.deps.journeys.personal_fields,
            purpose=purpose,
        )
        tables.commit()

    def own_upload(self, actor: Actor, attachment_id: str) -> tuple[str, str]:
        """(blob key, media type) of an image the caller captured recently: the capture preview."""
        with instance_tables(self.deps.sessions) as tables:
            image = tables.attachment(attachment_id)
            if (
                image is None
                or image.uploaded_by != actor.staff_id
                or image.created_at < self.deps.now() - OWN_UPLOAD_WINDOW
            ):
                raise NotFound("no such image")
            return image.blob_key, image.media_type

    def _journey(self, tables: InstanceTables, instance_id: str) -> JourneyInstance:
        record = tables.instance(instance_id)
        assert record is not None
        return JourneyInstance(self.deps, tables, record)


def _element_titles(spec_pair: Any) -> dict[str, str]:
    spec, subprocess_specs = spec_pair
    titles: dict[str, str] = {}
    for process_spec in (spec, *subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            bpmn_id, bpmn_name = getattr(task_spec, "bpmn_id", None), getattr(task_spec, "bpmn_name", None)
            if bpmn_id and bpmn_name:
                titles[bpmn_id] = bpmn_name
    return titles


def _service_titles(spec_pair: Any) -> dict[str, str]:
    spec, subprocess_specs = spec_pair
    titles: dict[str, str] = {}
    for process_spec in (spec, *subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            if isinstance(task_spec, FieldBankServiceTask):
                titles[task_spec.bpmn_id] = task_spec.bpmn_name or task_spec.bpmn_id
    return titles
