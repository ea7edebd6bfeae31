from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServicesDep
from api.schemas import StaffOut, TokenRequest, TokenResponse

router = APIRouter(tags=["auth"])


@router.post("/auth/token", response_model=TokenResponse)
def issue_token(body: TokenRequest, services: ServicesDep) -> TokenResponse:
    issued = services.auth.login(body.username, body.password, body.device_id)
    a = issued.actor
    return TokenResponse(
        access_token=issued.access_token,
        expires_at=issued.expires_at,
        staff=StaffOut(staff_id=a.staff_id, name=a.name, roles=sorted(a.roles), branch_code=a.branch_code),
    )
