"""The device channel of §9.4 and §9.5 step 1: the tablet's identity key, its own signed check-in,
its signed command receipts, and the people's side of the command queue.

Two kinds of caller. People (device admin, security officer, branch manager) use their staff token:
enrol a tablet while provisioning it, list its commands, ask it to re-key, cancel a command. The
tablet itself signs with its enrolled SM2 key and needs no staff session: a lost tablet nobody signs
in on still pulls its wipe and confirms it (`check-in`, `command-receipts`). The platform's command
key (`/device-channel/command-key`) is public: it is what the tablet pins to verify commands.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from api.deps import CurrentActorDep, DeviceCommandsDep, DeviceEnrolmentDep, KeysDep
from api.openapi import MISSING, MISSING_OR_STALE, SIGNED_IN, error_responses
from api.schemas import Strict
from crypto import DEFAULT_USER_ID
from devices import registration as formats
from devices.device_messages import CheckInBody, EnrolmentBody, ReceiptBody, Signature

router = APIRouter(tags=["device channel"])

DeviceId = Annotated[str, Path(pattern=formats.DEVICE_ID, max_length=64)]
CommandId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
Reason = Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]
SIGNED_BY_DEVICE = error_responses(401, 403, 404, 409, 413, 422)


class SignedEnrolment(Signature):
    body: EnrolmentBody


class SignedCheckIn(Signature):
    body: CheckInBody


class SignedReceipt(Signature):
    body: ReceiptBody


class CommandKeyOut(BaseModel):
    key_id: str
    public_key: str = Field(description="04‖x‖y in hex")
    public_key_pem: str
    user_id: str = Field(description="the SM2 user id in Z_A")


class EnrolmentOut(BaseModel):
    device_id: str
    epoch: int = Field(description="the enrolment generation this key opens")
    key_id: str
    enrolled_by: str
    enrolled_at: datetime
    revoked_at: datetime | None


class DeliveredOut(BaseModel):
    command: dict[str, Any] = Field(description="the signed form: verify, keep, execute once per cmd_id")
    signature: str = Field(description="base64 DER SM2 signature over the command's canonical JSON")
    key_id: str


class CheckedInOut(BaseModel):
    state: str = Field(description="the server's wanted state: a LOCKED or LOST tablet stays locked")
    epoch: int
    server_time: datetime
    commands: list[DeliveredOut]


class CommandOut(BaseModel):
    command_id: str
    device_id: str
    epoch: int
    seq: int
    kind: str
    reason: str
    issued_by: str
    issued_at: datetime
    not_after: datetime | None
    status: str = Field(
        description="QUEUED, DELIVERED (no final receipt yet), DONE, FAILED, REJECTED (the tablet's "
        "receipt), EXPIRED, CANCELLED or SUPERSEDED (the server)"
    )
    attempts: int
    last_delivered_at: datetime | None
    deferrals: int
    closed_at: datetime | None
    closed_by: str | None
    outcome_reason: str | None
    receipt: dict[str, Any] | None


class RekeyIn(Strict):
    kind: Literal["REKEY"] = Field(description="lock, unlock and wipe follow lifecycle steps")
    reason: Reason


class CancelIn(Strict):
    reason: Reason


def _out(row: Any) -> CommandOut:
    values = asdict(row)
    values.pop("body")
    values.pop("signature")
    values.pop("signing_key_id")
    return CommandOut.model_validate(values)


@router.get("/device-channel/command-key", response_model=CommandKeyOut)
def command_key(keys: KeysDep) -> CommandKeyOut:
    key = keys.signing_key.public_key
    return CommandKeyOut(
        key_id=key.key_id,
        public_key=key.to_bytes().hex(),
        public_key_pem=key.to_pem().decode(),
        user_id=DEFAULT_USER_ID.decode(),
    )


@router.post(
    "/devices/{device_id}/enrolment",
    response_model=EnrolmentOut,
    status_code=status.HTTP_201_CREATED,
    responses=SIGNED_IN | MISSING_OR_STALE,
)
def enrol(
    device_id: DeviceId, body: SignedEnrolment, enrolment: DeviceEnrolmentDep, actor: CurrentActorDep
) -> EnrolmentOut:
    row = enrolment.enrol(actor, device_id, body.body, body.signature)
    return EnrolmentOut.model_validate(asdict(row))


@router.post("/devices/{device_id}/check-in", response_model=CheckedInOut, responses=SIGNED_BY_DEVICE)
def check_in(device_id: DeviceId, body: SignedCheckIn, enrolment: DeviceEnrolmentDep) -> CheckedInOut:
    checked = enrolment.check_in(device_id, body.body, body.signature)
    return CheckedInOut.model_validate(asdict(checked))


@router.post("/devices/{device_id}/command-receipts", response_model=CommandOut, responses=SIGNED_BY_DEVICE)
def command_receipt(device_id: DeviceId, body: SignedReceipt, commands: DeviceCommandsDep) -> CommandOut:
    return _out(commands.queue.receive(device_id, body.body, body.signature))


@router.get(
    "/devices/{device_id}/commands",
    response_model=list[CommandOut],
    responses=SIGNED_IN | MISSING,
)
def list_commands(
    device_id: DeviceId, commands: DeviceCommandsDep, actor: CurrentActorDep
) -> list[CommandOut]:
    return [_out(row) for row in commands.commands(actor, device_id)]


@router.post(
    "/devices/{device_id}/commands",
    response_model=CommandOut,
    status_code=status.HTTP_201_CREATED,
    responses=SIGNED_IN | MISSING_OR_STALE,
)
def queue_command(
    device_id: DeviceId, body: RekeyIn, commands: DeviceCommandsDep, actor: CurrentActorDep
) -> CommandOut:
    return _out(commands.rekey(actor, device_id, body.reason))


@router.post(
    "/devices/{device_id}/commands/{command_id}/cancel",
    response_model=CommandOut,
    responses=SIGNED_IN | MISSING_OR_STALE,
)
def cancel_command(
    device_id: DeviceId,
    command_id: CommandId,
    body: CancelIn,
    commands: DeviceCommandsDep,
    actor: CurrentActorDep,
) -> CommandOut:
    return _out(commands.cancel(actor, device_id, command_id, body.reason))
