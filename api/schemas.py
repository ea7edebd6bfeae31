"""Request and response bodies of the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# no form or journey start has more fields than this; 10,000 keys is an attack, not data
MAX_DATA_KEYS = 200


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenRequest(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    device_id: str | None = Field(
        default=None,
        max_length=64,
        description="the registered tablet signed in on; a field officer needs an ACTIVE one bound to "
        "them (the device gate: 403 with code device_unknown, device_not_bound, device_locked, ...)",
    )


class StaffOut(BaseModel):
    staff_id: str
    name: str
    roles: list[str]
    branch_code: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_at: datetime
    staff: StaffOut


class StartInstanceRequest(Strict):
    business_key: str | None = Field(default=None, max_length=100)
    data: dict[str, Any] = Field(default_factory=dict, max_length=MAX_DATA_KEYS)


AbandonReason = Literal["CUSTOMER_DECLINED", "CUSTOMER_LEFT", "DOCUMENTS_MISSING", "OTHER"]


class AbandonRequest(Strict):
    reason: AbandonReason


class ReassignRequest(Strict):
    staff_id: str = Field(min_length=1, max_length=64)


class CompleteTaskRequest(Strict):
    data: dict[str, Any] = Field(max_length=MAX_DATA_KEYS)


class ProcessOut(BaseModel):
    process_id: str
    name: str
    version: int
    sha: str
    deployed_at: datetime
    start_qualification: str | None = None
    """Only a field officer holding it may start the journey (e.g. `credit_card_face_sign`)."""


class TaskOut(BaseModel):
    task_id: str
    instance_id: str
    process_id: str
    name: str
    title: str
    role: str
    branch_code: str
    assignee: str | None
    created_at: datetime


class ShownDocumentOut(BaseModel):
    """A document the customer reads on this hand-over screen before acting, filled with their data."""

    document: str
    title: str
    text_version: str
    sm3: str
    url: str


class TaskDetailOut(TaskOut):
    form: dict[str, Any]
    data: dict[str, Any]
    context: dict[str, Any]
    documents: list[ShownDocumentOut] = []
    after_customer: bool = False
    """The last completed screen was the customer's: the officer takes the tablet back."""


class IncidentOut(BaseModel):
    incident_id: int
    task_spec: str
    operation: str
    error_code: str
    message: str
    attempts: int
    created_at: datetime


class HoldOut(BaseModel):
    """The journey is held: its device left service; resume it from an active device first."""

    device_id: str
    device_state: str
    reason: str
    held_at: datetime
    message: str = Field(description="Chinese, for the officer's screen")


class InstanceOut(BaseModel):
    instance_id: str
    process_id: str
    definition_version: int
    business_key: str | None
    status: str
    outcome: str | None
    outcome_reason: str | None
    customer_message: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    tasks: list[TaskOut]
    incidents: list[IncidentOut]
    hold: HoldOut | None = None


class EventOut(BaseModel):
    at: datetime
    kind: str
    actor_id: str | None
    device_id: str | None
    task_spec: str | None
    detail: dict[str, Any]


class WatermarkOut(BaseModel):
    """What the strip drawn on the photo says: the server's time in Beijing time, the position the
    tablet reported (null when it had none: the strip says 位置不可用), who and with which device."""

    captured_at: datetime
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    staff_id: str
    device_id: str | None


class AttachmentOut(BaseModel):
    attachment_id: str
    media_type: str
    size: int
    sm3: str
    created_at: datetime
    watermark: WatermarkOut | None = None
    duration_ms: int | None = None  # a recording's length, read from its container


class SmsOut(BaseModel):
    mobile: str
    text: str
    sent_at: datetime


class MessageIn(Strict):
    """A message from an external system to the instance waiting for it (e.g. the card centre's
    decision). `message_id` is the sender's own id: the same id again is a no-op."""

    message_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")
    name: str = Field(min_length=2, max_length=100, pattern=r"^[a-z][a-z0-9_]+$")
    correlation_key: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:/-]+$")
    payload: dict[str, Any] = Field(default_factory=dict, max_length=MAX_DATA_KEYS)


class MessageOut(BaseModel):
    message_id: str
    status: Literal["delivered", "duplicate"]
