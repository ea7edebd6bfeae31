"""Rows behind task assignment and form checks. Every function works inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.persistence.database import Transaction
from engine.persistence.records import AttachmentRecord, InstanceEventRecord, OpenTaskRecord, StaffRecord


def open_task(tx: Transaction, task_id: str) -> OpenTaskRecord | None:
    return tx.get(OpenTaskRecord, task_id)


def staff_member(tx: Transaction, staff_id: str) -> StaffRecord | None:
    return tx.get(StaffRecord, staff_id)


@dataclass(frozen=True)
class UploadedAttachment:
    """What a form check needs of an upload: where it was made, whether it carries a watermark, and
    what it is (an image, or a recording with its length)."""

    branch_code: str
    watermarked: bool
    media_type: str = "image/jpeg"


def uploaded_attachment(tx: Transaction, attachment_id: str) -> UploadedAttachment | None:
    """None for an unknown attachment."""
    attachment = tx.get(AttachmentRecord, attachment_id)
    if attachment is None:
        return None
    return UploadedAttachment(attachment.branch_code, attachment.watermark is not None, attachment.media_type)


def assign(
    tx: Transaction,
    task: OpenTaskRecord,
    assignee: str | None,
    *,
    kind: str,
    at: datetime,
    actor_id: str,
    device_id: str | None,
    detail: dict[str, Any],
) -> None:
    """The task's new assignee (None: offered to its role again) and the trail's event saying who did it."""
    task.assignee = assignee
    tx.add(
        InstanceEventRecord(
            instance_id=task.instance_id,
            at=at,
            kind=kind,
            actor_id=actor_id,
            device_id=device_id,
            task_spec=task.spec_name,
            detail=detail,
        )
    )
