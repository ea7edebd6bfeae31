"""The tables of the device channel (§9.4, §9.5 step 1): the identity keys tablets enrolled, one per
enrolment generation, the remote commands queued for them with their signed receipts, and the
authorizers' grants that let a restricted tablet go on with a journey (§9.3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import Base


class DeviceEnrolmentRecord(Base):
    """A tablet's SM2 identity public key for one epoch, proven by its own signature when enrolled.
    A revoked key may still sign the receipt of its wipe, nothing else."""

    __tablename__ = "device_enrolments"
    __table_args__ = (
        UniqueConstraint("device_id", "epoch", name="uq_device_enrolments_epoch"),
        UniqueConstraint("public_key", name="uq_device_enrolments_public_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    epoch: Mapped[int]
    public_key: Mapped[str] = mapped_column(String(130))
    """04‖x‖y in hex."""
    key_id: Mapped[str] = mapped_column(String(16))
    fingerprint_hash: Mapped[str] = mapped_column(String(64))
    app_version: Mapped[str] = mapped_column(String(32))
    enrolled_by: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(500))


class DeviceCommandRecord(Base):
    """One remote command: who queued it and why, its signed form, its deliveries and its outcome."""

    __tablename__ = "device_commands"
    __table_args__ = (UniqueConstraint("device_id", "epoch", "seq", name="uq_device_commands_seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    epoch: Mapped[int]
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(8))
    body: Mapped[dict[str, Any]]
    """The signed form exactly as signed (devices/commands.py `Command.signed_form`)."""
    reason: Mapped[str] = mapped_column(String(500))
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    not_after: Mapped[datetime | None]
    signature: Mapped[str] = mapped_column(Text)
    """Base64 DER SM2 signature of the platform signing key over the command's signed form."""
    signing_key_id: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_delivered_at: Mapped[datetime | None]
    deferrals: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    outcome_reason: Mapped[str | None] = mapped_column(String(500))
    receipt: Mapped[dict[str, Any] | None]
    """The device's signed receipt as it arrived (body and signature), kept as evidence."""


class DeviceStepGrantRecord(Base):
    """§9.3 restrict: an officer on a restricted tablet asked to go on with an in-flight journey; an
    authorizer granted or refused it (one open request per journey and device)."""

    __tablename__ = "device_step_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    staff_id: Mapped[str] = mapped_column(String(64))
    branch_code: Mapped[str] = mapped_column(String(32), index=True)
    process_id: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), index=True)
    """REQUESTED, GRANTED or REFUSED."""
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    expires_at: Mapped[datetime | None]


class DeviceSecurityEventRecord(Base):
    """A device security event someone must look at (§9.3, anchors §7 pitfall 5): an automatic lock, a
    step-up (the branch manager's notice), a failed or rejected wipe. Kept with who acknowledged it."""

    __tablename__ = "device_security_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"), index=True)
    branch_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(500))
