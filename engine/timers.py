"""Fires due BPMN timers: SpiffWorkflow has no clock of its own (reference §8.1), so a sweeper asks.

Runs in the in-process worker loop and in the production worker's relay loop; each due instance is
one unit of work with the usual version check, so two sweepers racing cost a retry, never a double fire.
"""

from __future__ import annotations

import logging

from engine.deps import EngineDeps
from engine.persistence.concurrency import unless_stale
from engine.persistence.timers import due_timer_instances
from engine.unit_of_work import UnitOfWork

log = logging.getLogger("fieldbank.timers")


def fire_due_timers(deps: EngineDeps, limit: int = 50) -> int:
    fired = 0
    for instance_id in due_timer_instances(deps.sessions, deps.now(), limit):
        try:
            # a lost race counts as not fired: someone else moved the instance on; the next sweep looks again
            fired += unless_stale(_fire, deps, instance_id)
        except Exception:
            log.exception("firing timers of %s failed", instance_id)
    return fired


def _fire(deps: EngineDeps, instance_id: str) -> bool:
    with UnitOfWork(deps) as uow:
        journey = uow.journey(instance_id)
        assert journey.workflow is not None
        journey.workflow.refresh_timers()
        steps = journey.workflow.run()
        if not steps:  # not due by the engine's clock yet: leaving uncommitted rolls back
            return False
        journey.event("timer_fired", None, task_spec=steps[0].spec_name)
        journey.save()
        uow.commit()
        return True
