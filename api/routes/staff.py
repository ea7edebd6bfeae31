"""Staff administration under maker-checker: request a change, a second security officer decides."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from api.deps import CurrentActorDep, ServicesDep
from api.params import RowId
from api.schemas import Strict

router = APIRouter(tags=["staff"])


class StaffChangeRequest(Strict):
    action: Literal[
        "create",
        "grant_role",
        "revoke_role",
        "suspend",
        "reactivate",
        "set_authority",
        "grant_qualification",
        "revoke_qualification",
    ]
    staff_id: str = Field(pattern=r"^[a-z][a-z0-9_]{2,30}$")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    branch_code: str | None = Field(default=None, max_length=32)
    roles: list[str] | None = None
    role: str | None = Field(default=None, max_length=40)
    initial_password: str | None = Field(default=None, min_length=12, max_length=200)
    authority_level: int | None = Field(default=None, ge=1, le=9)
    qualification: str | None = Field(default=None, pattern=r"^[a-z_]{3,40}$")


class StaffDecision(Strict):
    reason: str | None = Field(default=None, max_length=500)


class StaffChangeOut(BaseModel):
    change_id: int
    action: str
    staff_id: str
    payload: dict[str, Any]
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None


ChangeId = RowId


@router.post("/staff/changes", response_model=StaffChangeOut, status_code=status.HTTP_201_CREATED)
def request_change(body: StaffChangeRequest, services: ServicesDep, actor: CurrentActorDep) -> StaffChangeOut:
    payload = body.model_dump(exclude={"action", "staff_id"}, exclude_none=True)
    return StaffChangeOut.model_validate(
        asdict(services.staff_admin.request(actor, body.action, body.staff_id, payload))
    )


@router.get("/staff/changes", response_model=list[StaffChangeOut])
def pending_changes(services: ServicesDep, actor: CurrentActorDep) -> list[StaffChangeOut]:
    return [StaffChangeOut.model_validate(asdict(c)) for c in services.staff_admin.pending(actor)]


@router.post("/staff/changes/{change_id}/approve", response_model=StaffChangeOut)
def approve_change(
    change_id: ChangeId, body: StaffDecision, services: ServicesDep, actor: CurrentActorDep
) -> StaffChangeOut:
    return StaffChangeOut.model_validate(
        asdict(services.staff_admin.decide(actor, change_id, True, body.reason))
    )


@router.post("/staff/changes/{change_id}/reject", response_model=StaffChangeOut)
def reject_change(
    change_id: ChangeId, body: StaffDecision, services: ServicesDep, actor: CurrentActorDep
) -> StaffChangeOut:
    return StaffChangeOut.model_validate(
        asdict(services.staff_admin.decide(actor, change_id, False, body.reason))
    )
