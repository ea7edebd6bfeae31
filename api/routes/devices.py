"""Device administration (§9.1): register, list per branch, and lifecycle steps under maker-checker.

A step with a checker is filed as a pending change that another person approves or rejects under
`/device-changes`; a step without one (loss, daily custody) applies at once. Refusals by state are
409s with the reason; scope follows branch paths, and a device out of scope answers 404.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field

from api.deps import CurrentActorDep, DeviceAdminDep
from api.openapi import MISSING, MISSING_OR_STALE, SIGNED_IN, error_responses
from api.params import RowId
from api.schemas import Strict
from devices import registration as formats
from devices.registration import Peripherals, Registration

router = APIRouter(tags=["devices"], responses=SIGNED_IN)

DeviceId = Annotated[str, Path(pattern=formats.DEVICE_ID, max_length=64)]
BranchCode = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,32}$")]
StaffId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{2,30}$")]
# not blank: a reason of spaces is no reason (the schema says so, so a client knows before it asks)
Reason = Annotated[
    str, Field(min_length=1, max_length=500, pattern=r"\S", description="why: kept with the change")
]
Serial = Annotated[str, Field(pattern=formats.SERIAL)]
PeripheralId = Annotated[str, Field(pattern=formats.PERIPHERAL)]
AttachmentId = Annotated[str, Field(pattern=r"^att_[0-9a-f]{32}$")]


class PeripheralsIn(Strict):
    id_reader_serial: PeripheralId | None = None
    sam_id: PeripheralId | None = Field(default=None, description="with the ID reader, never without")
    pin_pad_serial: PeripheralId | None = None
    signature_device_serial: PeripheralId | None = None


class RegisterDevice(Strict):
    asset_no: str = Field(pattern=formats.ASSET_NO, description="ORG-KIND-SEQ, e.g. WH01-PAD-000123")
    model: str = Field(min_length=1, max_length=100)
    serial: Serial
    imei: str | None = Field(default=None, pattern=formats.IMEI, description="15 digits, Luhn check digit")
    meid: str | None = Field(default=None, pattern=formats.MEID)
    wifi_mac: str = Field(pattern=formats.MAC)
    os_version: str = Field(pattern=formats.OS_VERSION)
    secure_element_serial: Serial | None = None
    purchase_date: date
    branch_code: BranchCode
    peripherals: PeripheralsIn = Field(default_factory=PeripheralsIn)
    device_id: str | None = Field(default=None, pattern=formats.DEVICE_ID, description="made when absent")
    reason: str | None = Field(default=None, max_length=500)


class _Step(Strict):
    reason: Reason


class HolderStep(_Step):
    transition: Literal["bind", "transfer"]
    branch_code: BranchCode = Field(description="bind: the device's branch; transfer: the receiving one")
    holder_id: StaffId
    backup_holder_id: StaffId | None = None


class InPersonStep(_Step):
    transition: Literal["unlock", "recover"]
    presented_in_person: Literal[True] = Field(description="the device was presented in person (§9.1)")


class HandoverStep(_Step):
    """§9.1: the handover record (移交单) signed by both holders, each on a tablet of their own."""

    transition: Literal["complete_transfer"]
    outgoing_signature: AttachmentId = Field(
        description="the image of the device's holder's handwritten signature, uploaded by that holder"
    )
    incoming_signature: AttachmentId = Field(
        description="the image of the receiving holder's signature, uploaded by that holder; another upload"
    )


class PlainStep(_Step):
    transition: Literal[
        "activate",
        "check_out",
        "check_in",
        "lock",
        "send_to_repair",
        "return_from_repair",
        "report_lost",
        "void",
    ]


StepRequest = Annotated[
    HolderStep | InPersonStep | HandoverStep | PlainStep, Field(discriminator="transition")
]


class Decision(Strict):
    reason: Reason


class HolderOut(BaseModel):
    staff_id: str
    name_masked: str


class DeviceOut(BaseModel):
    device_id: str
    asset_no: str
    model: str
    serial: str
    imei: str | None
    meid: str | None
    wifi_mac: str
    os_version: str
    secure_element_serial: str | None
    purchase_date: date
    peripherals: dict[str, Any]
    state: str
    custody: str | None
    branch_code: str
    holder: HolderOut | None
    backup_holder: HolderOut | None
    transfer_to: dict[str, Any] | None
    last_contact_at: datetime | None = Field(description="the last heartbeat; null before the first")
    risk_level: str | None = Field(
        description="the latest snapshot's action: allow, step_up, restrict or lock; null before the first"
    )
    risk_score: int | None = Field(description="security officers only (null for others)")
    risk_reasons: list[dict[str, Any]] | None = Field(
        description="the latest snapshot's reasons with their points; security officers only"
    )
    registered_at: datetime
    updated_at: datetime
    epoch: int = Field(description="the identity key's enrolment generation; 0 before the tablet enrolled")
    applied_state: str | None = Field(
        description="what the tablet confirmed by a signed receipt (LOCKED, ACTIVE, WIPED), apart from state"
    )
    pending_action: str | None = Field(description="commands not yet confirmed: lock, unlock, wipe, rekey")
    pending_since: datetime | None
    last_check_in_at: datetime | None = Field(description="the tablet's last signed check-in")


class DeviceChangeOut(BaseModel):
    change_id: int
    device_id: str
    transition: str
    from_state: str | None
    to_state: str | None
    payload: dict[str, Any]
    status: str = Field(description="PENDING, APPROVED, REJECTED, APPLIED (no checker) or SUPERSEDED")
    checker_role: str | None
    checker_branch: str | None
    requested_by: str
    requested_at: datetime
    request_reason: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


class DeviceDetailOut(BaseModel):
    device: DeviceOut
    history: list[DeviceChangeOut]


@router.post(
    "/devices", response_model=DeviceOut, status_code=status.HTTP_201_CREATED, responses=MISSING_OR_STALE
)
def register_device(body: RegisterDevice, devices: DeviceAdminDep, actor: CurrentActorDep) -> DeviceOut:
    values = body.model_dump(exclude={"peripherals", "reason"})
    registration = Registration(**values, peripherals=Peripherals(**body.peripherals.model_dump()))
    return DeviceOut.model_validate(asdict(devices.register(actor, registration, body.reason)))


@router.get("/devices", response_model=list[DeviceOut], responses=MISSING)
def list_devices(
    devices: DeviceAdminDep,
    actor: CurrentActorDep,
    branch_code: Annotated[str | None, Query(pattern=r"^[A-Z0-9]{2,32}$")] = None,
) -> list[DeviceOut]:
    return [DeviceOut.model_validate(asdict(d)) for d in devices.devices(actor, branch_code)]


@router.get("/devices/{device_id}", response_model=DeviceDetailOut, responses=MISSING)
def get_device(device_id: DeviceId, devices: DeviceAdminDep, actor: CurrentActorDep) -> DeviceDetailOut:
    return DeviceDetailOut.model_validate(asdict(devices.device(actor, device_id)))


@router.post(
    "/devices/{device_id}/changes",
    response_model=DeviceChangeOut,
    status_code=status.HTTP_201_CREATED,
    responses=MISSING_OR_STALE,
)
def request_step(
    device_id: DeviceId, body: StepRequest, devices: DeviceAdminDep, actor: CurrentActorDep
) -> DeviceChangeOut:
    payload = body.model_dump(exclude={"transition", "reason"}, exclude_none=True)
    change = devices.request(actor, device_id, body.transition, payload, body.reason)
    return DeviceChangeOut.model_validate(asdict(change))


@router.get("/device-changes", response_model=list[DeviceChangeOut])
def pending_changes(devices: DeviceAdminDep, actor: CurrentActorDep) -> list[DeviceChangeOut]:
    return [DeviceChangeOut.model_validate(asdict(c)) for c in devices.pending(actor)]


@router.post(
    "/device-changes/{change_id}/approve",
    response_model=DeviceChangeOut,
    responses=error_responses(404, 409),
)
def approve_change(
    change_id: RowId, body: Decision, devices: DeviceAdminDep, actor: CurrentActorDep
) -> DeviceChangeOut:
    return DeviceChangeOut.model_validate(asdict(devices.decide(actor, change_id, True, body.reason)))


@router.post(
    "/device-changes/{change_id}/reject",
    response_model=DeviceChangeOut,
    responses=error_responses(404, 409),
)
def reject_change(
    change_id: RowId, body: Decision, devices: DeviceAdminDep, actor: CurrentActorDep
) -> DeviceChangeOut:
    return DeviceChangeOut.model_validate(asdict(devices.decide(actor, change_id, False, body.reason)))
