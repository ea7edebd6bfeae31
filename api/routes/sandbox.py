"""Sandbox-only: the SMS sink's inbox, read as a customer reads their phone. Absent in production."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import CurrentActorDep, ServicesDep
from api.schemas import SmsOut
from engine.errors import NotFound

router = APIRouter(tags=["sandbox"])


@router.get("/sandbox/sms/{mobile}", response_model=list[SmsOut])
def sms_inbox(
    mobile: Annotated[str, Path(pattern=r"^1[3-9]\d{9}$")], services: ServicesDep, _actor: CurrentActorDep
) -> list[SmsOut]:
    if services.sandbox is None:
        raise NotFound("not available")
    return [
        SmsOut(mobile=m.mobile, text=m.text, sent_at=m.sent_at) for m in services.sandbox.sms.inbox(mobile)
    ]
