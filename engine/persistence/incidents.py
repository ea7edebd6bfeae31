"""Incidents: a service task whose retries ran out (or whose error nothing catches) waits for an
operator (ARCHITECTURE decision 5). Every function works inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from engine.persistence.database import Transaction
from engine.persistence.records import IncidentRecord


def raise_incident(
    tx: Transaction,
    *,
    instance_id: str,
    task_id: str,
    task_spec: str,
    operation: str,
    error_code: str,
    message: str,
    attempts: int,
    at: datetime,
) -> int:
    """Flushed at once: the instance's save then finds it open and parks the instance as `incident`."""
    incident = IncidentRecord(
        instance_id=instance_id,
        task_id=task_id,
        task_spec=task_spec,
        operation=operation,
        error_code=error_code,
        message=message,
        attempts=attempts,
        created_at=at,
    )
    tx.add(incident)
    tx.flush()
    return incident.id


def open_incident(tx: Transaction, instance_id: str, incident_id: int) -> IncidentRecord | None:
    """The incident if it is the instance's and not resolved yet."""
    incident = tx.get(IncidentRecord, incident_id)
    if incident is None or incident.instance_id != instance_id or incident.resolved_at is not None:
        return None
    return incident


def resolve_incident(tx: Transaction, incident: IncidentRecord, at: datetime, by: str) -> None:
    """Flushed at once, with whatever the transaction holds: the instance's save must not find it open."""
    incident.resolved_at = at
    incident.resolved_by = by
    tx.flush()
