"""The post-supervision desk: the review queue with filters, one package (manifest, server verification,
PDFs and images inline, the trail, the diagram with the path taken) and the review decision form."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DeskDep, HandoverDep, InstancesDep, ReadsDep
from api.web.bank_time import from_local_input
from api.web.form_view import build_form
from api.web.pages import WebSessionDep, redirect, render
from api.web.session import WebSession
from api.web.task_submit import error_fragments, submit_task
from documents.evidence.desk import EvidenceDesk
from engine.instances import InstanceService
from engine.journey_reads import JourneyReads

router = APIRouter(include_in_schema=False)
PackageId = Annotated[str, Path(pattern=r"^EP-[0-9a-f-]{36}$")]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
Status = Literal["MACHINE_REVIEW", "HUMAN_REVIEW", "RECTIFICATION", "PASSED", "CLOSED", "RISK_ALERT"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
# a datetime-local box's value (seconds optional), or the empty box
LOCAL_BOX = r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?$"


@router.get("/desk", response_class=HTMLResponse)
def queue(
    request: Request,
    desk: DeskDep,
    reads: ReadsDep,
    session: WebSessionDep,
    status: Annotated[Status | Literal[""], Query()] = "HUMAN_REVIEW",
    branch: Annotated[str, Query(pattern=r"^[A-Z0-9]{0,32}$")] = "",
    from_: Annotated[str, Query(alias="from", pattern=LOCAL_BOX)] = "",
    to: Annotated[str, Query(pattern=LOCAL_BOX)] = "",
) -> Response:
    """The filter form sends every box, empty ones too: an empty date box is no bound, and a typed one
    is Beijing time, as the desk shows times."""
    packages = desk.search(
        session.actor,
        status=status or None,
        branch=branch or None,
        since=from_local_input(from_, "from"),
        until=from_local_input(to, "to"),
    )
    filters = {"status": status, "branch": branch, "from": from_, "to": to}
    context = {
        "packages": packages,
        "filters": filters,
        "statuses": STATUSES,
        "staff_names": reads.staff_names(p.staff_id for p in packages),
    }
    return render(request, "desk/queue.html", context, session=session)


@router.get("/desk/packages/{package_id}", response_class=HTMLResponse)
def package(
    request: Request,
    package_id: PackageId,
    desk: DeskDep,
    instances: InstancesDep,
    reads: ReadsDep,
    session: WebSessionDep,
) -> Response:
    return _package_page(request, desk, instances, reads, session, package_id)


@router.get("/desk/packages/{package_id}/files/{name:path}")
def package_file(
    package_id: PackageId,
    name: Annotated[str, Path(pattern=r"^(documents|images)/[A-Za-z0-9._-]{1,128}$")],
    desk: DeskDep,
    session: WebSessionDep,
) -> Response:
    media_type, content = desk.package_file(session.actor, package_id, name)
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": "inline",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/desk/packages/{package_id}/tasks/{task_id}", response_class=HTMLResponse)
async def decide(
    request: Request,
    package_id: PackageId,
    task_id: TaskId,
    desk: DeskDep,
    instances: InstancesDep,
    reads: ReadsDep,
    handover: HandoverDep,
    session: WebSessionDep,
) -> Response:
    submitted = await submit_task(request, reads, handover, session, task_id)
    if submitted.view is None:
        return error_fragments(request, session, submitted) or _package_page(
            request, desk, instances, reads, session, package_id, (submitted.data, submitted.errors), 422
        )
    return redirect(request, f"/desk/packages/{package_id}?decided=1")


def _package_page(
    request: Request,
    desk: EvidenceDesk,
    instances: InstanceService,
    reads: JourneyReads,
    session: WebSession,
    package_id: str,
    submitted: tuple[dict[str, Any], list[Any]] | None = None,
    status_code: int = 200,
) -> Response:
    detail = desk.detail(session.actor, package_id)
    verification = desk.verify(session.actor, package_id)
    events = instances.events(session.actor, detail.summary.instance_id)
    review_task, form = None, None
    if detail.review_instance_id:
        review = instances.get(session.actor, detail.review_instance_id)
        if review.tasks:
            review_task = review.tasks[0]
            task_detail = instances.get_task(session.actor, review_task.task_id)
            data, errors = submitted if submitted else (task_detail.data, [])
            form = build_form(task_detail.form["schema"], task_detail.form["ui_schema"], data, errors)
    files = detail.manifest.get("files", [])
    # the trail and the history by the diagrams' step names and staff names, not their ids
    review_titles = (
        reads.step_titles(session.actor, detail.review_instance_id) if detail.review_instance_id else {}
    )
    actors = [e.actor_id for e in events] + [h["actor_id"] for h in detail.history]
    context = {
        "step_titles": reads.step_titles(session.actor, detail.summary.instance_id),
        "review_titles": review_titles,
        "staff_names": reads.staff_names([detail.summary.staff_id, *actors]),
        "package": detail,
        "verification": verification,
        "events": events,
        "review_task": review_task,
        "form": form,
        "pdfs": [f for f in files if f["name"].endswith(".pdf")],
        "images": [f for f in files if f["name"].startswith("images/")],
        "recordings": [f for f in files if f["name"].startswith("recordings/")],
        "decided": request.query_params.get("decided") == "1",
    }
    return render(request, "desk/package.html", context, session=session, status_code=status_code)
