"""The device's risk snapshots (§9.3): sent at sign-in, at each journey start and with each heartbeat.

Signed in with the staff token for now (issue 31 brings the device channel); the path's device must be
the one the caller signed in on. The answer is the action only: the reasons stay with the security
officer (`GET /devices/{device_id}`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from api.deps import DeviceCommandsDep, DeviceRiskDep, ReportingDeviceActorDep
from api.openapi import MISSING_OR_STALE, SIGNED_IN
from api.routes.device_commands import DeliveredOut
from devices import registration as formats
from devices.snapshots import Snapshot, SnapshotKind

router = APIRouter(tags=["devices"], responses=SIGNED_IN)

DeviceId = Annotated[str, Path(pattern=formats.DEVICE_ID, max_length=64)]


class SnapshotIn(Snapshot):
    kind: Literal["sign_in", "journey_start", "heartbeat"] = Field(
        description="when it is sent; a heartbeat is also the device's last contact"
    )


class ReportedOut(BaseModel):
    kind: str
    action: str = Field(description="allow, step_up, restrict or lock")
    server_time: datetime
    commands: list[DeliveredOut] = Field(
        default_factory=list,
        description="at sign-in and with each heartbeat: the open remote commands, each signed (§9.4)",
    )


@router.post(
    "/devices/{device_id}/snapshots",
    response_model=ReportedOut,
    status_code=status.HTTP_201_CREATED,
    responses=MISSING_OR_STALE,
)
def report_snapshot(
    device_id: DeviceId,
    body: SnapshotIn,
    risk: DeviceRiskDep,
    commands: DeviceCommandsDep,
    actor: ReportingDeviceActorDep,
) -> ReportedOut:
    snapshot = Snapshot.model_validate(body.model_dump(exclude={"kind"}))
    kind = SnapshotKind(body.kind)
    reported = ReportedOut.model_validate(asdict(risk.report(actor, device_id, kind, snapshot)))
    if kind in (SnapshotKind.SIGN_IN, SnapshotKind.HEARTBEAT):
        reported.commands = [DeliveredOut.model_validate(asdict(d)) for d in commands.deliver(device_id)]
    return reported
