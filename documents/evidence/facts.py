"""What a package is built from: plain facts gathered by the worker from one finished instance.

Everything here is fixed once the instance has ended, so building twice (after a crash) yields the same
documents and the same manifest; nothing reads the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class EvidenceImage:
    """An uploaded capture: `role` is its place in the package (id_front, id_back, chip_photo, live_face,
    signature), `attachment_id` its upload id, `sm3` the digest returned at upload time."""

    role: str
    attachment_id: str
    media_type: str
    content: bytes
    sm3: str


@dataclass(frozen=True)
class EvidenceFacts:
    package_id: str
    process_id: str
    process_name: str
    definition_version: int
    definition_sha: str
    instance_id: str
    business_key: str | None
    branch_code: str
    branch_name: str
    staff_id: str
    staff_name: str
    device_id: str | None
    outcome: str
    outcome_reason: str | None
    started_at: datetime
    completed_at: datetime
    data: dict[str, Any]
    """The instance's form data and check results, in clear: the package is encrypted at rest."""
    trail: list[dict[str, Any]]
    """The instance events: every task, actor, device, time and external call with request id and result."""
    images: list[EvidenceImage] = field(default_factory=list)
    reviewer_id: str | None = None
    authorizer_id: str | None = None
    preview: bool = False
    """A running journey, its documents shown to the customer before they sign: no outcome yet, so no
    "未完成" banner; the signatures still to come read as missing."""
