"""Tables. One row per process instance with its serialized state; side tables hold what people query."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: DateTime(timezone=True),
    }


class ProcessDefinitionRecord(Base):
    """An immutable deployed version: the sources, their hash and the parsed spec serialized once."""

    __tablename__ = "process_definitions"
    __table_args__ = (
        UniqueConstraint("process_id", "version"),
        UniqueConstraint("process_id", "sha"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    sha: Mapped[str] = mapped_column(String(64))
    bpmn_file: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict[str, Any]]
    lane_roles: Mapped[dict[str, Any]]
    start_qualification: Mapped[str | None] = mapped_column(String(60))
    deployed_at: Mapped[datetime]
    deployed_by: Mapped[str] = mapped_column(String(64))


class ProcessInstanceRecord(Base):
    """Engine state of one journey; `version` makes a stale write fail instead of overwriting."""

    __tablename__ = "process_instances"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    outcome: Mapped[str | None] = mapped_column(String(32))
    outcome_reason: Mapped[str | None] = mapped_column(String(64))
    branch_code: Mapped[str] = mapped_column(String(32), index=True)
    started_by: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(64))
    last_device_id: Mapped[str | None] = mapped_column(String(64), index=True)
    """The device of the latest staff step (start, task, resume): where the journey is in flight, so a
    device leaving service finds the journeys to hold (engine/device_hold.py)."""
    customer_index: Mapped[str | None] = mapped_column(String(64), index=True)
    subject_instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    """For a review instance: the journey it reviews (maker-checker spans both)."""
    next_timer_at: Mapped[datetime | None] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(Text, deferred=True)  # only a unit of work needs it
    serializer_version: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class OpenTaskRecord(Base):
    """A READY user task, projected so task lists never open the engine state."""

    __tablename__ = "open_tasks"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    spec_name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(64), index=True)
    branch_code: Mapped[str] = mapped_column(String(32), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64), index=True)
    form_schema: Mapped[str | None] = mapped_column(String(200))
    form_ui_schema: Mapped[str | None] = mapped_column(String(200))
    required_level: Mapped[int] = mapped_column(default=1, server_default="1")
    required_qualification: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime]


class JourneyHoldRecord(Base):
    """A journey held because the device it was in flight on left service (§9.1: "in-flight journeys
    suspended"); deleted when staff resume it on another device. The trail keeps both facts."""

    __tablename__ = "journey_holds"

    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), primary_key=True
    )
    device_id: Mapped[str] = mapped_column(String(64), index=True)
    device_state: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(64))
    """The lifecycle step that took the device out of service (`lock`, `report_lost`, ...)."""
    held_at: Mapped[datetime]


class StartRequestRecord(Base):
    """An `Idempotency-Key` a client sent with a journey start: the same key again returns the same
    instance (a start whose response was lost is found, never repeated)."""

    __tablename__ = "start_requests"

    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime]


class FinishedTaskRecord(Base):
    """A user task that left the open set: a late or concurrent second completion answers 409 (it was
    done), not 404 (never existed), to whoever could have done it."""

    __tablename__ = "finished_tasks"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    role: Mapped[str] = mapped_column(String(64))
    branch_code: Mapped[str] = mapped_column(String(32))
    finished_at: Mapped[datetime]


class InstanceEventRecord(Base):
    """The audit trail: who did what, when, from which device. Holds no clear personal data."""

    __tablename__ = "instance_events"
    __table_args__ = (Index("ix_instance_events_instance_at", "instance_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(64))
    task_spec: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]]


class OutboxRecord(Base):
    """Work promised in the same transaction as the state change that needs it (ARCHITECTURE 6)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "done_at", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    available_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class IncidentRecord(Base):
    """A technical failure that outlived its retries; an operator retries it."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    task_spec: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(100))
    error_code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class AttachmentRecord(Base):
    """Index row of an uploaded image or recording; the bytes live encrypted in the blob store."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sm3: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    branch_code: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    # what a time + GPS watermark drawn on the image says (engine/watermark.py); None: none drawn
    watermark: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # a 双录 recording's length, read from its container (engine/recordings.py); None for an image
    duration_ms: Mapped[int | None]


class BranchRecord(Base):
    __tablename__ = "branches"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(200), index=True)


class StaffRecord(Base):
    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    roles: Mapped[list[Any]]
    qualifications: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    """E.g. `credit_card_face_sign`: a task may require one (BPMN property `requiredQualification`)."""
    authority_level: Mapped[int] = mapped_column(default=1, server_default="1")
    """How much an approver may approve (§2.9): a task may require a level (`required_authority_level`)."""
    password_hash: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime]


class AccessTokenRecord(Base):
    """Bearer tokens are stored hashed so a database leak does not hand out sessions."""

    __tablename__ = "access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    device_id: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    authenticated_at: Mapped[datetime | None]
    """The last time the holder proved who they are on this token: sign-in, or a step-up (§9.3)."""


class KeyValueRecord(Base):
    """Insert-mostly state of simulators and OTPs; `put_if_absent` relies on the primary key."""

    __tablename__ = "kv_entries"

    namespace: Mapped[str] = mapped_column(String(60), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class EvidencePackageRecord(Base):
    """Index row of a package; the ZIP lives encrypted in the blob store. One per instance, ever."""

    __tablename__ = "evidence_packages"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), unique=True)
    sequence: Mapped[int] = mapped_column(unique=True)
    manifest_sm3: Mapped[str] = mapped_column(String(64))
    previous_manifest_sm3: Mapped[str | None] = mapped_column(String(64))
    signing_key_id: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    process_id: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(32))
    branch_code: Mapped[str] = mapped_column(String(32), index=True)
    staff_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), index=True)
    review_instance_id: Mapped[str | None] = mapped_column(String(36))
    manifest: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)


class EvidenceChainHeadRecord(Base):
    """The newest link of the package chain; updating it under a row lock serializes sequence numbers."""

    __tablename__ = "evidence_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence: Mapped[int]
    manifest_sm3: Mapped[str | None] = mapped_column(String(64))


class LinkingIndexRecord(Base):
    """A value that ties applications together (a contact's mobile, an employer's phone) as a blind
    index, with the customer's blind index: applications of different customers sharing one are a
    fraud-ring signal for post-supervision. Written with the journey's evidence package."""

    __tablename__ = "linking_indexes"
    __table_args__ = (Index("ix_linking_indexes_lookup", "process_id", "link", "value_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("evidence_packages.id"), index=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    subject_index: Mapped[str] = mapped_column(String(64))
    link: Mapped[str] = mapped_column(String(64))
    """What the value is to the journey (its declaration's link name), e.g. a contact's mobile."""
    value_index: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    """When the journey ended: the window of the shared-contacts rule counts from here."""


class ReviewRecord(Base):
    """One post-supervision decision or rule result on a package (the review history)."""

    __tablename__ = "evidence_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(ForeignKey("evidence_packages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # machine_rule | decision | rectification | notice
    actor_id: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    passed: Mapped[bool | None]
    detail: Mapped[dict[str, Any]]
    at: Mapped[datetime]


class LoginFailureRecord(Base):
    """A wrong password, kept briefly, with the client it came from (throttling per user and client)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_user_at", "username", "at"),
        Index("ix_login_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64), default="", server_default="")
    at: Mapped[datetime]


class PersonalDataViewRecord(Base):
    """Who saw clear personal data, when, what and why (§8.5); post-supervisors query it."""

    __tablename__ = "personal_data_views"
    __table_args__ = (Index("ix_personal_data_views_branch_at", "branch_code", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    staff_id: Mapped[str] = mapped_column(String(64), index=True)
    device_id: Mapped[str | None] = mapped_column(String(64))
    branch_code: Mapped[str] = mapped_column(String(32))
    instance_id: Mapped[str | None] = mapped_column(String(36))
    subject: Mapped[str] = mapped_column(String(100))
    fields: Mapped[list[Any]]
    purpose: Mapped[str] = mapped_column(String(100))


class StaffChangeRecord(Base):
    """A requested change to a member of staff; it takes effect only when a security officer other than
    the requester approves it (maker-checker, §11)."""

    __tablename__ = "staff_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(500))


class MessageSubscriptionRecord(Base):
    """An instance waiting at a message catch event, by message name and correlation key, so an
    external system's message finds its instance without opening any state (kept by the save)."""

    __tablename__ = "message_subscriptions"

    message_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    correlation_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    instance_id: Mapped[str] = mapped_column(
        ForeignKey("process_instances.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]


class MessageDeliveryRecord(Base):
    """A message a system client delivered, by its own message id: a second delivery is a no-op. The
    row commits with the state change it caused (at most once). Holds the payload's SM3, not the
    payload (it may carry personal data; the instance state keeps it encrypted)."""

    __tablename__ = "message_deliveries"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    message_name: Mapped[str] = mapped_column(String(100))
    correlation_key: Mapped[str] = mapped_column(String(200))
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    payload_sm3: Mapped[str] = mapped_column(String(64))
    delivered_at: Mapped[datetime]


class SystemClientRecord(Base):
    """An external system (card centre, hrss, ...) that may deliver the named messages; its bearer
    token is stored as a digest, like staff tokens."""

    __tablename__ = "system_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    message_names: Mapped[list[Any]]
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime]


class DeviceRecord(Base):
    """A tablet or phone of the bank (§9.1). `state` is what the server wants and the gate enforces;
    the asset number and serial stay taken for ever, a voided device's too."""

    __tablename__ = "devices"
    __table_args__ = (
        UniqueConstraint("asset_no", name="uq_devices_asset_no"),
        UniqueConstraint("serial", name="uq_devices_serial"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    asset_no: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(100))
    serial: Mapped[str] = mapped_column(String(64))
    imei: Mapped[str | None] = mapped_column(String(15))
    meid: Mapped[str | None] = mapped_column(String(14))
    wifi_mac: Mapped[str] = mapped_column(String(17))
    os_version: Mapped[str] = mapped_column(String(32))
    secure_element_serial: Mapped[str | None] = mapped_column(String(64))
    purchase_date: Mapped[date] = mapped_column(Date)
    peripherals: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(20), index=True)
    custody: Mapped[str | None] = mapped_column(String(16))
    branch_code: Mapped[str] = mapped_column(String(32), index=True)
    holder_id: Mapped[str | None] = mapped_column(String(64), index=True)
    backup_holder_id: Mapped[str | None] = mapped_column(String(64))
    transfer_to: Mapped[dict[str, Any] | None]
    last_contact_at: Mapped[datetime | None]
    risk_level: Mapped[str | None] = mapped_column(String(16))
    risk_score: Mapped[int | None]
    risk_reasons: Mapped[list[Any] | None]
    """The latest scored snapshot's action, score and reasons (§9.3), kept on the device for lists."""
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    """The enrolment generation: 0 before the tablet enrolled its identity key, +1 on each enrolment."""
    command_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    """The last command sequence number given in this epoch (§9.4: only rises, restarts per epoch)."""
    applied_state: Mapped[str | None] = mapped_column(String(16))
    """What the tablet last confirmed by a signed receipt (LOCKED, ACTIVE, WIPED), apart from `state`."""
    pending_action: Mapped[str | None] = mapped_column(String(40))
    pending_since: Mapped[datetime | None]
    last_check_in_at: Mapped[datetime | None]
    last_check_in_ts: Mapped[datetime | None]
    """The tablet's own signed time of its last check-in: the next must be later (no replay)."""
    step_up_since: Mapped[datetime | None]
    """Since when the device's risk asks its officer to re-authenticate (§9.3 step up); None: it does not."""
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it as is


class DeviceChangeRecord(Base):
    """One lifecycle step of a device: asked (who, when, why), then approved or rejected by a checker
    (who, when, why), or applied at once when it has no checker. At most one is pending per device."""

    __tablename__ = "device_changes"
    __table_args__ = (
        Index(
            "uq_device_changes_one_pending",
            "device_id",
            unique=True,
            postgresql_where=text("status = 'PENDING'"),
            sqlite_where=text("status = 'PENDING'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    transition: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    """The state the device entered: set once the change takes effect (APPLIED or APPROVED)."""
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16), index=True)
    checker_role: Mapped[str | None] = mapped_column(String(32))
    checker_branch: Mapped[str | None] = mapped_column(String(32))
    maker_id: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    request_reason: Mapped[str] = mapped_column(String(500))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))


class DeviceRiskSnapshotRecord(Base):
    """One scored device snapshot (§9.3): what the device sent, the score, the action and the reasons
    with their points. The first one's hardware hash and ICCID are the device's baseline."""

    __tablename__ = "device_risk_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    staff_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime]
    score: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[Any]]
    snapshot: Mapped[dict[str, Any]]
    fingerprint_hash: Mapped[str] = mapped_column(String(64))
    sim_iccid: Mapped[str | None] = mapped_column(String(22))
    last_fix: Mapped[dict[str, Any] | None]


# the device command tables live in their own module; importing it here puts them in `Base.metadata`
from engine.persistence import device_command_records  # noqa: E402, F401
