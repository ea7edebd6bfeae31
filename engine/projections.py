"""What a process adds to the generic save, registered per process: the save itself knows no journey.

A journey module (`engine/journeys/`) declares which of its data becomes indexed columns and trail
facts; a process without a registration gets `GENERIC`, which adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _no_facts(_data: dict[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ProcessProjection:
    leaves_evidence: bool = False
    """Its ending asks for an evidence package (outbox kind `build_evidence`), once it holds the
    customer's data (`customer_id_field` set), whatever the outcome (§2.8)."""
    customer_id_field: str | None = None
    """The data field with the customer's ID number; kept on the row as a blind index only."""
    completion_facts: Callable[[dict[str, Any]], dict[str, Any]] = field(default=_no_facts)
    """Masked facts the `instance_completed` event records, e.g. the card that was opened."""


GENERIC = ProcessProjection()
