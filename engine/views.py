"""What the engine hands to entry points: plain, JSON-ready views with no clear personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Actor:
    """The signed-in member of staff a use case acts for."""

    staff_id: str
    name: str
    roles: frozenset[str]
    branch_code: str
    branch_path: str
    device_id: str | None = None
    authority_level: int = 1
    qualifications: frozenset[str] = frozenset()
    authenticated_at: datetime | None = None
    """When they last proved who they are on this session (sign-in or step-up); None: not known."""

    def sees_branch(self, branch_path: str) -> bool:
        return branch_path.startswith(self.branch_path)


@dataclass(frozen=True)
class TaskView:
    task_id: str
    instance_id: str
    process_id: str
    name: str
    title: str
    role: str
    branch_code: str
    assignee: str | None
    created_at: datetime


@dataclass(frozen=True)
class TaskDetail:
    task: TaskView
    form: dict[str, Any]
    data: dict[str, Any]
    context: dict[str, Any] = field(default_factory=dict)
    """For approval tasks: the masked facts behind the trigger."""
    after_customer: bool = False
    """The journey's last completed screen was the customer's (a hand-over screen): the officer takes
    the tablet back before this one."""


@dataclass(frozen=True)
class IncidentView:
    incident_id: int
    task_spec: str
    operation: str
    error_code: str
    message: str
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class HoldView:
    """Why a journey is held (engine/device_hold.py): its device left service."""

    device_id: str
    device_state: str
    reason: str
    held_at: datetime
    message: str
    """Chinese, for the officer's screen."""


@dataclass(frozen=True)
class InstanceView:
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
    tasks: list[TaskView] = field(default_factory=list)
    incidents: list[IncidentView] = field(default_factory=list)
    hold: HoldView | None = None


@dataclass(frozen=True)
class EventView:
    at: datetime
    kind: str
    actor_id: str | None
    device_id: str | None
    task_spec: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class DefinitionView:
    process_id: str
    name: str
    version: int
    sha: str
    deployed_at: datetime
    start_qualification: str | None = None
