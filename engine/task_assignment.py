"""Claim, unclaim and reassign tasks. Assignment decides who is offered a task, never who may complete
it: maker-checker is checked again when the task is completed (§11), so reassigning an approval to its
maker gains nothing."""

from __future__ import annotations

from engine.deps import EngineDeps
from engine.device_hold import refuse_if_held
from engine.errors import Conflict, Forbidden, NotFound
from engine.instances import InstanceService
from engine.persistence.cache import BRANCH_PATHS
from engine.persistence.database import Transaction
from engine.persistence.instances import instance_tables
from engine.persistence.records import OpenTaskRecord
from engine.persistence.tasks import assign, open_task, staff_member
from engine.views import Actor, TaskView
from engine.visibility import visible_task

SUPERVISOR_ROLES = frozenset({"branch_manager"})


class TaskAssignmentService:
    def __init__(self, deps: EngineDeps, instances: InstanceService) -> None:
        self.deps = deps
        self.instances = instances

    def claim(self, actor: Actor, task_id: str) -> TaskView:
        with instance_tables(self.deps.sessions) as tables:
            task, _record = visible_task(tables, actor, task_id)
            if task.assignee is not None and task.assignee != actor.staff_id:
                raise Conflict("the task is assigned to someone else")
            refuse_if_held(tables, actor, task.instance_id)
            self._assign(tables.session, task, actor.staff_id, actor, "task_claimed")
            tables.commit()
        return self.instances.task_view(actor, task_id)

    def unclaim(self, actor: Actor, task_id: str) -> TaskView:
        with instance_tables(self.deps.sessions) as tables:
            task, _record = visible_task(tables, actor, task_id)
            if task.role == "field_officer":
                raise Conflict(
                    "field work stays with the officer running the journey; ask for a reassignment"
                )
            self._assign(tables.session, task, None, actor, "task_unclaimed")
            tables.commit()
        return self.instances.task_view(actor, task_id)

    def reassign(self, actor: Actor, task_id: str, to_staff_id: str) -> None:
        """A supervisor hands a task to another member of staff who holds its role within its branch."""
        if not actor.roles & SUPERVISOR_ROLES:
            raise Forbidden("only a supervisor reassigns tasks")
        with self.deps.sessions() as tx:
            task = open_task(tx, task_id)
            path = BRANCH_PATHS.path(tx, task.branch_code) if task else None
            if task is None or path is None or not actor.sees_branch(path):
                raise NotFound("no such task")
            target = staff_member(tx, to_staff_id)
            target_path = BRANCH_PATHS.path(tx, target.branch_code) if target else None
            if (
                target is None
                or target.status != "active"
                or target_path is None
                or not path.startswith(target_path)
            ):
                raise NotFound("no such member of staff in this branch")
            if task.role not in target.roles:
                raise Conflict(f"{to_staff_id} does not hold the role {task.role}")
            previous = task.assignee
            self._assign(tx, task, to_staff_id, actor, "task_reassigned", previous=previous, to=to_staff_id)
            tx.commit()

    def _assign(
        self,
        tx: Transaction,
        task: OpenTaskRecord,
        assignee: str | None,
        actor: Actor,
        kind: str,
        **detail: object,
    ) -> None:
        assign(
            tx,
            task,
            assignee,
            kind=kind,
            at=self.deps.now(),
            actor_id=actor.staff_id,
            device_id=actor.device_id,
            detail={"role": task.role, **detail},
        )
