"""The analyst's view: deployed definitions and their versions, what validation says of the BPMN files
on disk now, and each version's diagram."""

from __future__ import annotations

from itertools import groupby
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import DefinitionsDep, ReadsDep
from api.params import RowId
from api.web.pages import WebSessionDep, render
from api.web.session import WebSession
from engine.errors import Forbidden

router = APIRouter(include_in_schema=False)
ProcessId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,100}$")]
InstanceId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
DIAGRAM_ROLES = frozenset({"analyst", "post_supervisor", "aml_officer"})


def _analyst(session: WebSession) -> None:
    if "analyst" not in session.actor.roles:
        raise Forbidden("the process pages are for business analysts")


@router.get("/analyst", response_class=HTMLResponse)
def processes(
    request: Request, definitions: DefinitionsDep, reads: ReadsDep, session: WebSessionDep
) -> Response:
    _analyst(session)
    versions = reads.definition_versions()
    grouped = [(pid, list(rows)) for pid, rows in groupby(versions, key=lambda v: v.process_id)]
    problems = definitions.validate()
    return render(
        request, "analyst/processes.html", {"processes": grouped, "problems": problems}, session=session
    )


@router.get("/analyst/processes/{process_id}/{version}", response_class=HTMLResponse)
def diagram_page(
    request: Request,
    process_id: ProcessId,
    version: RowId,
    reads: ReadsDep,
    session: WebSessionDep,
) -> Response:
    _analyst(session)
    reads.definition_diagram(process_id, version)  # 404 before the page, not inside the viewer
    context = {
        "process_id": process_id,
        "version": version,
        "diagram_url": f"/diagrams/processes/{process_id}/{version}",
    }
    return render(request, "analyst/diagram.html", context, session=session)


@router.get("/diagrams/processes/{process_id}/{version}")
def definition_diagram(
    process_id: ProcessId, version: RowId, reads: ReadsDep, session: WebSessionDep
) -> JSONResponse:
    if not session.actor.roles & DIAGRAM_ROLES:
        raise Forbidden("diagrams are for analysts and auditors")
    d = reads.definition_diagram(process_id, version)
    return JSONResponse({"xml": d.bpmn_xml, "completed": d.completed, "current": d.current})


@router.get("/diagrams/instances/{instance_id}")
def instance_diagram(instance_id: InstanceId, reads: ReadsDep, session: WebSessionDep) -> JSONResponse:
    if not session.actor.roles & DIAGRAM_ROLES:
        raise Forbidden("diagrams are for analysts and auditors")
    d = reads.instance_diagram(session.actor, instance_id)
    return JSONResponse(
        {"xml": d.bpmn_xml, "completed": d.completed, "current": d.current},
        headers={"Cache-Control": "no-store"},
    )
