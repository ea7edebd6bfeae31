"""A task form posted from any page: parse it against the task's own form, complete the task through the
same use case as the JSON API, and answer a refusal the way htmx needs it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from api.web.form_submission import parse_submission
from api.web.form_view import build_form
from api.web.pages import render
from api.web.session import WebSession
from documents.handover import HandoverDocuments
from engine.errors import FieldError, Forbidden, ValidationFailed
from engine.journey_reads import JourneyReads
from engine.task_forms import is_handover
from engine.views import InstanceView


@dataclass(frozen=True)
class Submission:
    schema: dict[str, Any]
    ui_schema: dict[str, Any]
    data: dict[str, Any]
    view: InstanceView | None = None
    errors: list[FieldError] = field(default_factory=list)


async def submit_task(
    request: Request,
    reads: JourneyReads,
    handover: HandoverDocuments,
    session: WebSession,
    task_id: str,
    *,
    on_tablet: bool = False,
) -> Submission:
    """A hand-over screen is the customer's, filled in on the tablet they are handed: a staff screen
    (the phone, the desk) never submits one, whatever roles its user holds."""
    form = reads.task_form(session.actor, task_id)
    schema = form.schema if form else {}
    ui_schema = form.ui_schema if form else {}
    if is_handover(ui_schema) and not on_tablet:
        raise Forbidden("a customer's hand-over screen is completed on the tablet only")
    data = parse_submission(schema, await request.form(), ui_schema=ui_schema)
    try:
        view = handover.complete(session.actor, task_id, data)
    except ValidationFailed as exc:
        return Submission(schema, ui_schema, data, errors=exc.errors)
    return Submission(schema, ui_schema, data, view)


def error_fragments(request: Request, session: WebSession, submission: Submission) -> Response | None:
    """For htmx, only the error texts, swapped beside their fields (photos never travel back); None for a
    plain browser, which gets the whole page again from its route."""
    if request.headers.get("hx-request") != "true":
        return None
    form = build_form(submission.schema, submission.ui_schema, submission.data, submission.errors)
    return render(
        request,
        "form_errors.html",
        {"form": form},
        session=session,
        status_code=422,
        headers={"HX-Reswap": "none"},
    )
