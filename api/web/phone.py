"""Approvers on phones: the task list with counts, one task with the masked facts and evidence images,
and the decision form. The same InstanceService use cases as the JSON API decide who sees what."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import AttachmentsDep, DeviceRestrictionDep, HandoverDep, InstancesDep, ReadsDep
from api.params import RowId
from api.web.form_view import build_form
from api.web.pages import WebSessionDep, redirect, render
from api.web.task_submit import error_fragments, submit_task
from devices.restriction import AUTHORIZER_ROLES
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.task_forms import is_handover

router = APIRouter(include_in_schema=False)
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
AttachmentId = Annotated[str, Path(pattern=r"^att_[0-9a-f]{32}$")]


@router.get("/phone", response_class=HTMLResponse)
def task_list(
    request: Request,
    reads: ReadsDep,
    restriction: DeviceRestrictionDep,
    session: WebSessionDep,
    done: str | None = None,
) -> Response:
    """Each row says whom it is about (masked), which journey, why, who asked and how long it has
    waited: rows of one kind ("远程授权") are told apart without opening them. An authorizer also sees
    the requests of officers on restricted tablets (§9.3) and decides them here."""
    return _list(request, reads, restriction, session, done=done == "1")


@router.post("/phone/device-step-grants/{grant_id}/{decision}", response_class=HTMLResponse)
def decide_grant(
    request: Request,
    grant_id: RowId,
    decision: Annotated[Literal["grant", "refuse"], Path()],
    reason: Annotated[str, Form(max_length=500)],
    reads: ReadsDep,
    restriction: DeviceRestrictionDep,
    session: WebSessionDep,
) -> Response:
    try:
        restriction.decide(session.actor, grant_id, decision == "grant", reason)
    except (Conflict, NotFound, ValidationFailed) as refused:
        status = {Conflict: 409, NotFound: 404}.get(type(refused), 422)
        return _list(request, reads, restriction, session, problem=refused.message, status_code=status)
    return redirect(request, "/phone?done=1")


def _list(
    request: Request,
    reads: Any,
    restriction: Any,
    session: Any,
    *,
    done: bool = False,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    rows = reads.task_rows(session.actor)
    counts = Counter(r.task.title for r in rows)
    grants = restriction.requested(session.actor) if session.actor.roles & AUTHORIZER_ROLES else None
    asked_by = [r.started_by for r in rows] + [g.staff_id for g in grants or []]
    context = {
        "rows": rows,
        "counts": sorted(counts.items()),
        "done": done,
        "grants": grants,
        "problem": problem,
        "staff_names": reads.staff_names(asked_by),
    }
    return render(request, "phone/tasks.html", context, session=session, status_code=status_code)


@router.get("/phone/tasks/{task_id}", response_class=HTMLResponse)
def task_detail(
    request: Request, task_id: TaskId, instances: InstancesDep, session: WebSessionDep
) -> Response:
    detail = instances.get_task(session.actor, task_id)
    if is_handover(detail.form["ui_schema"]):  # the customer's screen: what they choose stays on the tablet
        raise Forbidden("a customer's hand-over screen is shown on the tablet only")
    form = build_form(detail.form["schema"], detail.form["ui_schema"], detail.data, [])
    return _page(request, session, detail, form)


@router.post("/phone/tasks/{task_id}", response_class=HTMLResponse)
async def decide(
    request: Request,
    task_id: TaskId,
    instances: InstancesDep,
    reads: ReadsDep,
    handover: HandoverDep,
    session: WebSessionDep,
) -> Response:
    submitted = await submit_task(request, reads, handover, session, task_id)
    if submitted.view is None:
        fragments = error_fragments(request, session, submitted)
        if fragments is not None:
            return fragments
        detail = instances.get_task(session.actor, task_id)
        form = build_form(submitted.schema, submitted.ui_schema, submitted.data, submitted.errors)
        return _page(request, session, detail, form, 422)
    return redirect(request, "/phone?done=1")


@router.get("/phone/tasks/{task_id}/evidence/{attachment_id}")
def evidence_image(
    task_id: TaskId,
    attachment_id: AttachmentId,
    attachments: AttachmentsDep,
    reads: ReadsDep,
    session: WebSessionDep,
) -> Response:
    blob_key, media_type = reads.task_evidence_image(session.actor, task_id, attachment_id)
    return Response(
        attachments.read_blob(blob_key), media_type=media_type, headers={"Cache-Control": "no-store"}
    )


def _page(request: Request, session: Any, detail: Any, form: Any, status_code: int = 200) -> Response:
    context = {
        "task": detail.task,
        "context": detail.context,
        "form": form,
        "action": f"/phone/tasks/{detail.task.task_id}",
    }
    return render(request, "phone/task.html", context, session=session, status_code=status_code)
