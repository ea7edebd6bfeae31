"""A diagram step that fails at run time (a script, a condition) parks the instance as an incident.

The command that ran the step is rolled back whole (the task completion that triggered it included),
so the instance stays at the state it had before; a second transaction records the incident naming the
process, the element and the failing expression, and the instance shows `status: incident` instead of
sitting on its screen. An operator's retry (`retry_incident`) resolves it and the task can be done again
(e.g. after a corrected version is deployed for new journeys, or with other data).

The worker's paths (a service call's result applied, a timer fired, a message correlated) park the same
way, with `also` doing what their own transaction would have done to stop the same work coming back
by itself (the outbox row finished, the timer's due time cleared); the operator's retry brings it back."""

from __future__ import annotations

import logging
from collections.abc import Callable

from engine.deps import EngineDeps
from engine.errors import ProcessStepFailed
from engine.persistence.incidents import raise_incident
from engine.persistence.instances import WriteConflict, conflicts
from engine.store import JourneyInstance
from engine.unit_of_work import UnitOfWork

log = logging.getLogger("fieldbank.engine")
ERROR_CODE = "SCRIPT_ERROR"


def park_as_incident(
    deps: EngineDeps,
    instance_id: str,
    task_id: str,
    failure: ProcessStepFailed,
    actor_id: str | None,
    *,
    also: Callable[[JourneyInstance], None] | None = None,
) -> ProcessStepFailed:
    """Record the incident in a transaction of its own; the failure, now naming its incident, for the
    caller to raise. If the instance moved on meanwhile, the failure is returned without an incident."""
    log.error(
        "process step failed",
        extra={
            "instance_id": instance_id,
            "process_id": failure.process_id,
            "element_id": failure.element_id,
            "expression": failure.expression,
            "error": failure.error,
        },
    )
    try:
        with UnitOfWork(deps) as uow:
            journey = uow.journey(instance_id)
            journey.incidents_touched = True
            incident_id = raise_incident(
                uow.session,
                instance_id=instance_id,
                task_id=task_id[:36],
                task_spec=failure.element_id[:100],
                operation=f"script:{failure.process_id}"[:100],
                error_code=ERROR_CODE,
                message=failure.message[:500],
                attempts=1,
                at=deps.now(),
            )
            journey.event(
                "incident_raised",
                actor_id,
                task_spec=failure.element_id,
                process_id=failure.process_id,
                expression=failure.expression,
                error=ERROR_CODE,
            )
            with conflicts():
                journey.save()
                if also is not None:
                    also(journey)
                uow.commit()
    except WriteConflict:
        return failure
    return failure.with_incident(incident_id)
