"""Rows behind task assignment and form checks. Every function works inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.persistence.database import Transaction
from engine.persistence.records import AttachmentRecord, InstanceEventRecord, OpenTaskRecord, StaffRecord


def open_task(tx: Transaction, task_id: str) -> OpenTaskRecord | None:
    return tx.get(OpenTaskRecord, task_id)


def staff_member(tx: Transaction, staff_id: str) -> StaffRecord | None:
    return tx.get(StaffRecord, staff_id)


def attachment_branch(tx: Transaction, attachment_id: str) -> str | None:
    """The branch an attachment was uploaded in; None for an unknown attachment."""
    attachment = tx.get(AttachmentRecord, attachment_id)
    return attachment.branch_code if attachment is not None else None


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
