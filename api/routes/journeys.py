"""Processes, instances and tasks: what a tablet or phone needs to run a journey."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, status
from fastapi.responses import Response

from api.deps import (
    AssignmentDep,
    CurrentActorDep,
    DefinitionsDep,
    DeviceRestrictionDep,
    DeviceRiskDep,
    HandoverDep,
    HoldsDep,
    InstancesDep,
)
from api.openapi import MISSING, MISSING_OR_STALE, SIGNED_IN
from api.params import RowId
from api.schemas import (
    AbandonRequest,
    CompleteTaskRequest,
    EventOut,
    InstanceOut,
    ProcessOut,
    ReassignRequest,
    ShownDocumentOut,
    StartInstanceRequest,
    TaskDetailOut,
    TaskOut,
)
from documents.handover import DOCUMENT_PAGE_CSP
from engine.views import InstanceView

router = APIRouter(responses=SIGNED_IN)
InstanceId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
DocumentName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{2,59}$")]


def _instance_out(view: InstanceView) -> InstanceOut:
    return InstanceOut.model_validate(asdict(view))


@router.get("/processes", response_model=list[ProcessOut], tags=["processes"])
def list_processes(definitions: DefinitionsDep, _actor: CurrentActorDep) -> list[ProcessOut]:
    return [ProcessOut.model_validate(asdict(d)) for d in definitions.list_latest()]


@router.post(
    "/processes/{process_id}/instances",
    response_model=InstanceOut,
    status_code=status.HTTP_201_CREATED,
    tags=["instances"],
    responses=MISSING_OR_STALE,
)
def start_instance(
    process_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,100}$")],
    body: StartInstanceRequest,
    instances: InstancesDep,
    risk: DeviceRiskDep,
    actor: CurrentActorDep,
    idempotency_key: Annotated[
        str,  # not `str | None`: a header is absent or a string, never null
        Header(
            pattern=r"^[A-Za-z0-9_.:-]{8,100}$",
            description="a client-chosen key; the same key again returns the journey it started",
        ),
    ] = "",
) -> InstanceOut:
    risk.refuse_journey_start(actor)  # §9.3: a restricted or locked device starts no new journey
    return _instance_out(
        instances.start(
            actor, process_id, body.business_key, body.data, idempotency_key=idempotency_key or None
        )
    )


@router.get("/instances/{instance_id}", response_model=InstanceOut, tags=["instances"], responses=MISSING)
def get_instance(
    instance_id: InstanceId,
    instances: InstancesDep,
    actor: CurrentActorDep,
    wait: Annotated[float, Query(ge=0, le=30, description="long-poll up to N seconds for a change")] = 0,
    version: Annotated[int | None, Query(ge=0, description="the version the caller already has")] = None,
) -> InstanceOut:
    if wait:
        return _instance_out(instances.wait(actor, instance_id, wait, version))
    return _instance_out(instances.get(actor, instance_id))


@router.get(
    "/instances/{instance_id}/events", response_model=list[EventOut], tags=["instances"], responses=MISSING
)
def instance_events(
    instance_id: InstanceId, instances: InstancesDep, actor: CurrentActorDep
) -> list[EventOut]:
    return [EventOut.model_validate(asdict(e)) for e in instances.events(actor, instance_id)]


@router.post(
    "/instances/{instance_id}/incidents/{incident_id}/retry",
    response_model=InstanceOut,
    tags=["instances"],
    responses=MISSING_OR_STALE,
)
def retry_instance_incident(
    instance_id: InstanceId,
    incident_id: RowId,
    instances: InstancesDep,
    actor: CurrentActorDep,
) -> InstanceOut:
    instances.retry_incident(actor, instance_id, incident_id)
    return _instance_out(instances.get(actor, instance_id))


@router.post(
    "/instances/{instance_id}/abandon",
    response_model=InstanceOut,
    tags=["instances"],
    responses=MISSING_OR_STALE,
)
def abandon_instance(
    instance_id: InstanceId, body: AbandonRequest, instances: InstancesDep, actor: CurrentActorDep
) -> InstanceOut:
    return _instance_out(instances.abandon(actor, instance_id, body.reason))


@router.post(
    "/instances/{instance_id}/resume-here",
    response_model=InstanceOut,
    tags=["instances"],
    responses=MISSING_OR_STALE,
)
def resume_instance_here(
    instance_id: InstanceId, holds: HoldsDep, instances: InstancesDep, actor: CurrentActorDep
) -> InstanceOut:
    """Resume a journey held because its device left service (locked, lost, in repair, transferred,
    voided) on the device this call comes from; the trail records `journey_resumed` with both
    devices. 409 when the journey is not held or this device is not active."""
    holds.resume_here(actor, instance_id)
    return _instance_out(instances.get(actor, instance_id))


@router.get("/tasks", response_model=list[TaskOut], tags=["tasks"])
def list_tasks(instances: InstancesDep, actor: CurrentActorDep) -> list[TaskOut]:
    return [TaskOut.model_validate(asdict(t)) for t in instances.list_tasks(actor)]


@router.get("/tasks/{task_id}", response_model=TaskDetailOut, tags=["tasks"], responses=MISSING_OR_STALE)
def get_task(
    task_id: TaskId, instances: InstancesDep, handover: HandoverDep, actor: CurrentActorDep
) -> TaskDetailOut:
    detail = instances.get_task(actor, task_id)
    documents = [
        ShownDocumentOut(
            document=d.document,
            title=d.title,
            text_version=d.text_version,
            sm3=d.sm3,
            url=f"/api/v1/tasks/{task_id}/documents/{d.document}",
        )
        for d in handover.for_task(actor, task_id)
    ]
    return TaskDetailOut.model_validate(
        {
            **asdict(detail.task),
            "form": detail.form,
            "data": detail.data,
            "context": detail.context,
            "documents": documents,
            "after_customer": detail.after_customer,
        }
    )


@router.get(
    "/tasks/{task_id}/documents/{document}",
    response_class=Response,
    tags=["tasks"],
    responses={
        200: {"content": {"text/html": {}}, "description": "The document as shown"},
        **MISSING_OR_STALE,
    },
)
def get_task_document(
    task_id: TaskId, document: DocumentName, handover: HandoverDep, actor: CurrentActorDep
) -> Response:
    """A document the customer reads on this hand-over screen, filled with their data (its SM3 is the
    one the task's detail lists and the trail records)."""
    shown = handover.document(actor, task_id, document)
    headers = {"Content-Security-Policy": DOCUMENT_PAGE_CSP, "Cache-Control": "no-store"}
    return Response(handover.screen_page(shown), media_type="text/html", headers=headers)


@router.post("/tasks/{task_id}/claim", response_model=TaskOut, tags=["tasks"], responses=MISSING_OR_STALE)
def claim_task(task_id: TaskId, assignment: AssignmentDep, actor: CurrentActorDep) -> TaskOut:
    return TaskOut.model_validate(asdict(assignment.claim(actor, task_id)))


@router.post("/tasks/{task_id}/unclaim", response_model=TaskOut, tags=["tasks"], responses=MISSING_OR_STALE)
def unclaim_task(task_id: TaskId, assignment: AssignmentDep, actor: CurrentActorDep) -> TaskOut:
    return TaskOut.model_validate(asdict(assignment.unclaim(actor, task_id)))


@router.post(
    "/tasks/{task_id}/reassign",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["tasks"],
    responses=MISSING_OR_STALE,
)
def reassign_task(
    task_id: TaskId, body: ReassignRequest, assignment: AssignmentDep, actor: CurrentActorDep
) -> None:
    assignment.reassign(actor, task_id, body.staff_id)


@router.post(
    "/tasks/{task_id}/complete", response_model=InstanceOut, tags=["tasks"], responses=MISSING_OR_STALE
)
def complete_task(
    task_id: TaskId,
    body: CompleteTaskRequest,
    handover: HandoverDep,
    instances: InstancesDep,
    restriction: DeviceRestrictionDep,
    actor: CurrentActorDep,
) -> InstanceOut:
    # §9.3: from a restricted tablet an in-flight journey goes on only with an authorizer's grant
    restriction.refuse_step(actor, instances.task_view(actor, task_id))
    return _instance_out(handover.complete(actor, task_id, body.data))
