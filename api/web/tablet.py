"""The field officer's tablet: today's journeys, one screen per user task, a waiting screen while the
external checks run, customer hand-over screens and the outcome. Every action calls the same use cases
as the JSON API (InstanceService); the pages only translate forms and screens."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import (
    DefinitionsDep,
    DeviceRestrictionDep,
    DeviceRiskDep,
    HandoverDep,
    HoldsDep,
    InstancesDep,
    ReadsDep,
    SandboxDep,
)
from api.journeys import registry
from api.params import RowId
from api.schemas import AbandonReason
from api.web.bank_time import BANK_TIME  # the bank's day starts at midnight Beijing time
from api.web.devices import WORDS as DEVICE_WORDS
from api.web.form_view import build_form
from api.web.pages import WebSessionDep, redirect, render
from api.web.sandbox_reader import chip_prefix, reader_cards_for
from api.web.session import WebSession
from api.web.task_submit import error_fragments, submit_task
from documents.handover import DOCUMENT_PAGE_CSP, HandoverDocuments
from engine.device_hold import JourneyHolds
from engine.errors import Forbidden, NotFound
from engine.instances import InstanceService
from engine.journey_reads import JourneyReads
from engine.task_forms import is_handover
from engine.views import DefinitionView, HoldView, InstanceView, TaskDetail

router = APIRouter(include_in_schema=False)
InstanceId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
DocumentName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{2,59}$")]
WAIT_SECONDS = 20.0
# the PIN pad is a paired device; in sandbox mode the page plays it and hands over its event id
SANDBOX_PIN_PAD_FIELD = "pin_pad_event_id"


@dataclass(frozen=True)
class Screens:
    """What the tablet's screens call: the journey, its progress, and whether sandbox panels show."""

    instances: InstanceService
    reads: JourneyReads
    handover: HandoverDocuments
    holds: JourneyHolds
    sandbox: bool


def _screens(
    instances: InstancesDep, reads: ReadsDep, handover: HandoverDep, holds: HoldsDep, sandbox: SandboxDep
) -> Screens:
    return Screens(instances, reads, handover, holds, sandbox is not None)


ScreensDep = Annotated[Screens, Depends(_screens)]


def _tablet_only(session: WebSession) -> None:
    if not session.actor.roles & {"field_officer", "second_officer"}:
        raise Forbidden("the tablet pages are for field staff")


@router.get("/tablet", response_class=HTMLResponse)
def home(
    request: Request,
    definitions: DefinitionsDep,
    reads: ReadsDep,
    instances: InstancesDep,
    holds: HoldsDep,
    session: WebSessionDep,
    done: str | None = None,
) -> Response:
    _tablet_only(session)
    # compared in UTC: SQLite keeps naive UTC timestamps and would compare an offset as text
    today = datetime.combine(datetime.now(BANK_TIME).date(), time(0), BANK_TIME).astimezone(UTC)
    journeys = reads.my_journeys(session.actor, today)
    # work waiting for the officer outside today's journeys: a rectification post-supervision sent back,
    # a step of an older journey; each opens as its own screen
    listed = {j.instance_id for j in journeys}
    todo = [t for t in instances.list_tasks(session.actor) if t.instance_id not in listed]
    context = {
        "held": holds.holds(listed | {t.instance_id for t in todo}),
        "journeys": journeys,
        "startable": _offered(definitions.list_latest(), session),
        "todo": todo,
        "done": done == "1",
    }
    return render(request, "tablet/home.html", context, session=session)


def _offered(deployed: list[DefinitionView], session: WebSession) -> list[DefinitionView]:
    """Officers are offered the declared journeys only (api/journeys.py), in the registry's order: a
    peer's or a test's diagram stays deployable for the bench and the tests but is never a start button,
    and neither is a journey whose qualification the officer does not hold."""
    by_id = {d.process_id: d for d in deployed}
    return [
        by_id[j.process_id]
        for j in registry()
        if j.process_id in by_id
        and (j.start_qualification is None or j.start_qualification in session.actor.qualifications)
    ]


@router.post("/tablet/journeys", response_class=HTMLResponse)
def start(
    request: Request,
    instances: InstancesDep,
    risk: DeviceRiskDep,
    session: WebSessionDep,
    process_id: Annotated[str, Form(pattern=r"^[A-Za-z0-9_.-]{1,100}$")],
) -> Response:
    _tablet_only(session)
    if registry().get(process_id) is None:  # what the tablet never offers, it does not start either
        raise NotFound("not a journey officers start on the tablet")
    risk.refuse_journey_start(session.actor)  # §9.3: a restricted device starts no new journey
    view = instances.start(session.actor, process_id, None, {})
    return redirect(request, f"/tablet/journeys/{view.instance_id}")


@router.get("/tablet/journeys/{instance_id}", response_class=HTMLResponse)
def journey(
    request: Request, instance_id: InstanceId, screens: ScreensDep, session: WebSessionDep
) -> Response:
    _tablet_only(session)
    return _screen(request, screens, session, screens.instances.get(session.actor, instance_id))


@router.get("/tablet/journeys/{instance_id}/next", response_class=HTMLResponse)
def next_screen(
    request: Request,
    instance_id: InstanceId,
    screens: ScreensDep,
    session: WebSessionDep,
    version: Annotated[int, Query(ge=0)],
) -> Response:
    """Long poll from the waiting screen: answers when the journey moves, or with the same screen."""
    _tablet_only(session)
    view = screens.instances.wait(session.actor, instance_id, WAIT_SECONDS, version)
    return _screen(request, screens, session, view)


@router.post("/tablet/tasks/{task_id}", response_class=HTMLResponse)
async def complete(
    request: Request,
    task_id: TaskId,
    screens: ScreensDep,
    restriction: DeviceRestrictionDep,
    session: WebSessionDep,
) -> Response:
    _tablet_only(session)
    # §9.3: from a restricted tablet an in-flight journey goes on only with an authorizer's grant
    restriction.refuse_step(session.actor, screens.instances.task_view(session.actor, task_id))
    submitted = await submit_task(request, screens.reads, screens.handover, session, task_id, on_tablet=True)
    if submitted.view is None:
        detail = screens.instances.get_task(session.actor, task_id)
        return error_fragments(request, session, submitted) or _task_page(
            request, screens, session, None, detail, submitted.data, submitted.errors, 422
        )
    view = submitted.view
    if registry().get(view.process_id) is None:
        # not a customer journey (a rectification for post-supervision): what comes next is not the
        # officer's, so back to the list
        return redirect(request, "/tablet?done=1")
    response = _screen(request, screens, session, view)
    response.headers["HX-Push-Url"] = f"/tablet/journeys/{view.instance_id}"
    return response


@router.get("/tablet/tasks/{task_id}", response_class=HTMLResponse)
def task(request: Request, task_id: TaskId, screens: ScreensDep, session: WebSessionDep) -> Response:
    """One task from the officer's list. A customer journey's task comes with its journey (abandon,
    sandbox panels); any other (a rectification) is the task alone."""
    _tablet_only(session)
    detail = screens.instances.get_task(session.actor, task_id)
    journey = registry().get(detail.task.process_id)
    view = screens.instances.get(session.actor, detail.task.instance_id) if journey else None
    hold = view.hold if view else screens.holds.holds([detail.task.instance_id]).get(detail.task.instance_id)
    if hold is not None:
        return _held_page(request, session, detail.task.instance_id, hold)
    return _task_page(request, screens, session, view, detail, detail.data, [])


@router.post("/tablet/journeys/{instance_id}/resume-here", response_class=HTMLResponse)
def resume_here(
    request: Request, instance_id: InstanceId, holds: HoldsDep, session: WebSessionDep
) -> Response:
    """The held screen's button: the journey goes on from this tablet."""
    _tablet_only(session)
    holds.resume_here(session.actor, instance_id)
    return redirect(request, f"/tablet/journeys/{instance_id}")


@router.post("/tablet/journeys/{instance_id}/incidents/{incident_id}/retry", response_class=HTMLResponse)
def retry(
    request: Request,
    instance_id: InstanceId,
    incident_id: RowId,
    instances: InstancesDep,
    session: WebSessionDep,
) -> Response:
    instances.retry_incident(session.actor, instance_id, incident_id)
    return redirect(request, f"/tablet/journeys/{instance_id}")


@router.post("/tablet/journeys/{instance_id}/abandon", response_class=HTMLResponse)
def abandon(
    request: Request,
    instance_id: InstanceId,
    instances: InstancesDep,
    session: WebSessionDep,
    reason: Annotated[AbandonReason, Form()] = "CUSTOMER_DECLINED",
) -> Response:
    _tablet_only(session)
    instances.abandon(session.actor, instance_id, reason)
    return redirect(request, f"/tablet/journeys/{instance_id}")


# ---------------------------------------------------------------------------------------------- screens


def _screen(request: Request, screens: Screens, session: WebSession, view: InstanceView) -> Response:
    """The one screen that fits where the journey is: held, a task, the outcome, an incident, or waiting."""
    if view.hold is not None:
        return _held_page(request, session, view.instance_id, view.hold)
    if view.tasks:
        detail = screens.instances.get_task(session.actor, view.tasks[0].task_id)
        return _task_page(request, screens, session, view, detail, detail.data, [])
    if view.status == "completed":
        events = screens.instances.events(session.actor, view.instance_id)
        last = next((e for e in reversed(events) if e.kind == "instance_completed"), None)
        context = {
            "view": view,
            "ending": last.detail if last else {},
            "ended_at": last.at if last else view.updated_at,
            "reference": view.business_key or view.instance_id[:8].upper(),
        }
        return render(request, "tablet/outcome.html", context, session=session)
    if view.status == "incident":
        return render(request, "tablet/incident.html", {"view": view}, session=session)
    progress = screens.reads.progress(session.actor, view.instance_id)
    return render(request, "tablet/waiting.html", {"view": view, "progress": progress}, session=session)


def _held_page(request: Request, session: WebSession, instance_id: str, hold: HoldView) -> Response:
    """The journey's device left service: why, and the button that resumes it on this tablet."""
    context = {"instance_id": instance_id, "hold": hold, "step": DEVICE_WORDS.get(hold.reason, hold.reason)}
    return render(request, "tablet/held.html", context, session=session)


def _task_page(
    request: Request,
    screens: Screens,
    session: WebSession,
    view: InstanceView | None,
    detail: TaskDetail,
    data: dict[str, Any],
    errors: list[Any],
    status_code: int = 200,
) -> Response:
    schema, ui_schema = detail.form["schema"], detail.form["ui_schema"]
    if screens.sandbox and SANDBOX_PIN_PAD_FIELD in schema.get("properties", {}):
        data = {SANDBOX_PIN_PAD_FIELD: "pin_" + secrets.token_hex(8), **data}
    form = build_form(schema, ui_schema, data, errors, attachment_url=_preview_url)
    prefix = chip_prefix(schema, detail.data) if screens.sandbox else None
    reader = reader_cards_for(schema, prefix) if prefix is not None else None
    context = {
        "reader_json": reader,
        "reader_cards": json.loads(reader) if reader else [],
        "view": view,
        "task": detail.task,
        "form": form,
        "action": f"/tablet/tasks/{detail.task.task_id}",
        "handover": is_handover(ui_schema),
        "take_back": detail.after_customer and not is_handover(ui_schema),
        "documents": screens.handover.for_task(session.actor, detail.task.task_id)
        if is_handover(ui_schema)
        else [],
        "sms_panel": screens.sandbox and any(f.widget == "otp" for f in form.all_fields),
        "findings": detail.context.get("review_findings"),
    }
    return render(request, "tablet/task.html", context, session=session, status_code=status_code)


@router.get("/tablet/tasks/{task_id}/documents/{document}", response_class=HTMLResponse)
def task_document(
    task_id: TaskId, document: DocumentName, screens: ScreensDep, session: WebSessionDep
) -> Response:
    """A document the customer reads on the hand-over screen, framed in it (nothing runs inside)."""
    _tablet_only(session)
    shown = screens.handover.document(session.actor, task_id, document)
    headers = {"Content-Security-Policy": DOCUMENT_PAGE_CSP, "Cache-Control": "no-store"}
    return HTMLResponse(screens.handover.screen_page(shown), headers=headers)


def _preview_url(attachment_id: str) -> str:
    return f"/media/attachments/{attachment_id}"
