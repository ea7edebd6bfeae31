from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, status
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from api.deps import AuthDep, BearerDep, CurrentActorDep
from api.openapi import error_responses
from api.schemas import StaffOut, Strict, TokenRequest, TokenResponse
from engine.errors import Unauthenticated

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenResponse, responses=error_responses(401, 403, 413, 422, 429))
def issue_token(body: TokenRequest, request: Request, auth: AuthDep) -> TokenResponse:
    client = request.client.host if request.client else ""
    issued = auth.login(body.username, body.password, body.device_id, client)
    a = issued.actor
    return TokenResponse(
        access_token=issued.access_token,
        expires_at=issued.expires_at,
        staff=StaffOut(staff_id=a.staff_id, name=a.name, roles=sorted(a.roles), branch_code=a.branch_code),
    )


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 403, 413))
def logout(auth: AuthDep, _actor: CurrentActorDep, credentials: BearerDep) -> None:
    """Revokes the token at once; a suspended member of staff is refused at once too (see auth)."""
    assert isinstance(credentials, HTTPAuthorizationCredentials)
    auth.logout(credentials.credentials)


class StepUpRequest(Strict):
    password: str = Field(min_length=1, max_length=256)


class StepUpOut(BaseModel):
    authenticated_at: datetime = Field(description="this session's re-authentication: the device may go on")


@router.post("/auth/step-up", response_model=StepUpOut, responses=error_responses(401, 403, 413, 422, 429))
def step_up(body: StepUpRequest, request: Request, auth: AuthDep, credentials: BearerDep) -> StepUpOut:
    """§9.3 step up: when the device's risk asks for it, every call answers 403 `step_up_required` until
    the officer proves who they are again on this session (the password here, the face on the tablet).
    A wrong password is a 422 on `password` and counts towards the sign-in throttle."""
    if credentials is None:
        raise Unauthenticated("sign in first")
    client = request.client.host if request.client else ""
    actor = auth.step_up(credentials.credentials, body.password, client)
    assert actor.authenticated_at is not None
    return StepUpOut(authenticated_at=actor.authenticated_at)
