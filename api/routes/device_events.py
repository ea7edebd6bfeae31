"""Device security events (§9.3): automatic locks, step-up notices to the branch manager, failed wipes —
listed for the device readers of the branch and acknowledged with a note."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CurrentActorDep, DeviceEventsDep
from api.openapi import SIGNED_IN, error_responses
from api.params import RowId
from api.schemas import Strict

router = APIRouter(tags=["devices"], responses=SIGNED_IN)


class SecurityEventOut(BaseModel):
    event_id: int
    device_id: str
    branch_code: str
    kind: str = Field(description="auto_lock, step_up or wipe_failed")
    detail: str
    at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    note: str | None


class Acknowledgement(Strict):
    note: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]


@router.get("/device-security-events", response_model=list[SecurityEventOut])
def security_events(
    events: DeviceEventsDep,
    actor: CurrentActorDep,
    open_only: Annotated[bool, Query(alias="open", description="only those not yet acknowledged")] = False,
) -> list[SecurityEventOut]:
    return [SecurityEventOut.model_validate(asdict(e)) for e in events.events(actor, open_only=open_only)]


@router.post(
    "/device-security-events/{event_id}/acknowledge",
    response_model=SecurityEventOut,
    responses=error_responses(404, 409),
)
def acknowledge(
    event_id: RowId, body: Acknowledgement, events: DeviceEventsDep, actor: CurrentActorDep
) -> SecurityEventOut:
    return SecurityEventOut.model_validate(asdict(events.acknowledge(actor, event_id, body.note)))
