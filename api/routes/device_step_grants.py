"""§9.3 restrict: the requests of officers on restricted tablets to go on with a journey, and the
authorizer's grant or refusal (with a reason). The officer's side is the refusal of the step itself
(403 `restricted_needs_authorizer`), which files the request."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CurrentActorDep, DeviceRestrictionDep
from api.openapi import SIGNED_IN, error_responses
from api.params import RowId
from api.schemas import Strict

router = APIRouter(tags=["devices"], responses=SIGNED_IN)


class GrantOut(BaseModel):
    grant_id: int
    instance_id: str
    device_id: str
    staff_id: str = Field(description="the officer on the restricted tablet")
    branch_code: str
    process_id: str
    requested_at: datetime
    status: str = Field(description="REQUESTED, GRANTED or REFUSED")
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    expires_at: datetime | None = Field(
        description="a grant holds for that journey on that tablet until then"
    )


class GrantDecision(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]


@router.get("/device-step-grants", response_model=list[GrantOut])
def requested_grants(restriction: DeviceRestrictionDep, actor: CurrentActorDep) -> list[GrantOut]:
    return [GrantOut.model_validate(asdict(g)) for g in restriction.requested(actor)]


@router.post(
    "/device-step-grants/{grant_id}/grant", response_model=GrantOut, responses=error_responses(404, 409)
)
def grant(
    grant_id: RowId, body: GrantDecision, restriction: DeviceRestrictionDep, actor: CurrentActorDep
) -> GrantOut:
    return GrantOut.model_validate(asdict(restriction.decide(actor, grant_id, True, body.reason)))


@router.post(
    "/device-step-grants/{grant_id}/refuse", response_model=GrantOut, responses=error_responses(404, 409)
)
def refuse(
    grant_id: RowId, body: GrantDecision, restriction: DeviceRestrictionDep, actor: CurrentActorDep
) -> GrantOut:
    return GrantOut.model_validate(asdict(restriction.decide(actor, grant_id, False, body.reason)))
