from __future__ import annotations

from fastapi import APIRouter, Request, status
from fastapi.security import HTTPAuthorizationCredentials

from api.deps import AuthDep, BearerDep, CurrentActorDep
from api.openapi import error_responses
from api.schemas import StaffOut, TokenRequest, TokenResponse

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
