"""Sandbox-only: the SMS sink's inbox, read as a customer reads their phone. Absent in production."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import CurrentActorDep, InstancesDep, SandboxDep
from api.openapi import SIGNED_IN
from api.schemas import SmsOut
from engine.errors import Forbidden, NotFound
from engine.instances import InstanceService
from engine.views import Actor

router = APIRouter(tags=["sandbox"], responses=SIGNED_IN)


@router.get("/sandbox/sms/{mobile}", response_model=list[SmsOut])
def sms_inbox(
    mobile: Annotated[str, Path(pattern=r"^1[3-9]\d{9}$")],
    sandbox: SandboxDep,
    instances: InstancesDep,
    actor: CurrentActorDep,
) -> list[SmsOut]:
    """Only messages sent for journeys the caller may see: a code is as private as the journey."""
    if sandbox is None:
        raise NotFound("not available")
    visible: dict[str, bool] = {}
    return [
        SmsOut(mobile=m.mobile, text=m.text, sent_at=m.sent_at)
        for m in sandbox.sms.inbox(mobile)
        if _sees_journey(instances, actor, _instance_of(m.request_id), visible)
    ]


_JOURNEY_SENDERS = ("otp", "notice")


def _instance_of(request_id: str) -> str | None:
    """OTP sends carry `otp:<instance id>:<n>` (engine/otp.py), a journey's notices
    `notice:<instance id>:<ref>` (J2's application number); other senders name no journey."""
    parts = request_id.split(":")
    return parts[1] if len(parts) == 3 and parts[0] in _JOURNEY_SENDERS else None


def _sees_journey(
    instances: InstanceService, actor: Actor, instance_id: str | None, seen: dict[str, bool]
) -> bool:
    if instance_id is None:
        return False
    if instance_id not in seen:
        try:
            instances.get(actor, instance_id)
            seen[instance_id] = True
        except (NotFound, Forbidden):
            seen[instance_id] = False
    return seen[instance_id]
