"""Fires due BPMN timers: SpiffWorkflow has no clock of its own (reference §8.1), so a sweeper asks.

Runs in the in-process worker loop and in the production worker's relay loop; each due instance is
one unit of work with the usual version check, so two sweepers racing cost a retry, never a double fire.
A script or condition failing after the timer parks the instance as an incident with its timers off, so
the sweep does not fire it again every round; the operator's retry turns them back on.
"""

from __future__ import annotations

import logging

from engine.deps import EngineDeps
from engine.errors import ProcessStepFailed
from engine.persistence.concurrency import unless_stale
from engine.persistence.timers import due_timer_instances
from engine.step_incidents import park_as_incident
from engine.store import JourneyInstance
from engine.unit_of_work import UnitOfWork

log = logging.getLogger("fieldbank.timers")


def fire_due_timers(deps: EngineDeps, limit: int = 50) -> int:
    fired = 0
    for instance_id in due_timer_instances(deps.sessions, deps.now(), limit):
        try:
            # a lost race counts as not fired: someone else moved the instance on; the next sweep looks again
            fired += unless_stale(_fire, deps, instance_id)
        except ProcessStepFailed as failure:
            park_as_incident(deps, instance_id, failure.element_id, failure, None, also=_timers_off)
        except Exception:
            log.exception("firing timers of %s failed", instance_id)
    return fired


def _fire(deps: EngineDeps, instance_id: str) -> bool:
    with UnitOfWork(deps) as uow:
        journey = uow.journey(instance_id)
        if journey.record.next_timer_at is None:
            # another sweeper parked it (an incident turns its timers off) after this one listed it due
            return False
        assert journey.workflow is not None
        journey.workflow.refresh_timers()
        steps = journey.workflow.run()
        if not steps:  # not due by the engine's clock yet: leaving uncommitted rolls back
            return False
        journey.event("timer_fired", None, task_spec=steps[0].spec_name)
        journey.save()
        uow.commit()
        return True


def _timers_off(journey: JourneyInstance) -> None:
    journey.record.next_timer_at = None
