"""Staff administration under maker-checker: request a change, a second security officer decides."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, status
from pydantic import AfterValidator, BaseModel, Field

from api.deps import CurrentActorDep, StaffAdminDep
from api.openapi import MISSING_OR_STALE, SIGNED_IN, error_responses
from api.params import RowId
from api.schemas import Strict
from engine.people.roles import ROLES

router = APIRouter(tags=["staff"], responses=SIGNED_IN)


def _known_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError("unknown role")
    return role


RoleName = Annotated[str, AfterValidator(_known_role), Field(json_schema_extra={"enum": sorted(ROLES)})]
StaffId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{2,30}$")]
Qualification = Annotated[str, Field(pattern=r"^[a-z_]{3,40}$")]


class _Change(Strict):
    staff_id: StaffId


class CreateStaff(_Change):
    action: Literal["create"]
    name: str = Field(min_length=1, max_length=100)
    branch_code: str = Field(pattern=r"^[A-Z0-9]{2,32}$", description="an existing branch; 404 otherwise")
    roles: list[RoleName] = Field(min_length=1, max_length=len(ROLES))
    initial_password: str = Field(min_length=12, max_length=200)


class ChangeRole(_Change):
    action: Literal["grant_role", "revoke_role"]
    role: RoleName


class ChangeStatus(_Change):
    action: Literal["suspend", "reactivate"]


class SetAuthority(_Change):
    action: Literal["set_authority"]
    authority_level: int = Field(ge=1, le=9)


class ChangeQualification(_Change):
    action: Literal["grant_qualification", "revoke_qualification"]
    qualification: Qualification


# one body shape per action, so the OpenAPI states exactly what each action needs
StaffChange = CreateStaff | ChangeRole | ChangeStatus | SetAuthority | ChangeQualification
StaffChangeRequest = Annotated[StaffChange, Field(discriminator="action")]


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


@router.post(
    "/staff/changes",
    response_model=StaffChangeOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409),
)
def request_change(
    body: StaffChangeRequest, staff_admin: StaffAdminDep, actor: CurrentActorDep
) -> StaffChangeOut:
    payload = body.model_dump(exclude={"action", "staff_id"}, exclude_none=True)
    return StaffChangeOut.model_validate(
        asdict(staff_admin.request(actor, body.action, body.staff_id, payload))
    )


@router.get("/staff/changes", response_model=list[StaffChangeOut])
def pending_changes(staff_admin: StaffAdminDep, actor: CurrentActorDep) -> list[StaffChangeOut]:
    return [StaffChangeOut.model_validate(asdict(c)) for c in staff_admin.pending(actor)]


@router.post("/staff/changes/{change_id}/approve", response_model=StaffChangeOut, responses=MISSING_OR_STALE)
def approve_change(
    change_id: ChangeId, body: StaffDecision, staff_admin: StaffAdminDep, actor: CurrentActorDep
) -> StaffChangeOut:
    return StaffChangeOut.model_validate(asdict(staff_admin.decide(actor, change_id, True, body.reason)))


@router.post("/staff/changes/{change_id}/reject", response_model=StaffChangeOut, responses=MISSING_OR_STALE)
def reject_change(
    change_id: ChangeId, body: StaffDecision, staff_admin: StaffAdminDep, actor: CurrentActorDep
) -> StaffChangeOut:
    return StaffChangeOut.model_validate(asdict(staff_admin.decide(actor, change_id, False, body.reason)))
