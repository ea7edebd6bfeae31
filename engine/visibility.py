"""Who sees an instance and who may do a task: the branch subtree, the task's role, assignee, authority
level and qualification, and maker-checker (domain §11). Out of scope answers like absent: existence
must not leak."""

from __future__ import annotations

from engine.errors import Conflict, NotFound
from engine.people.roles import CHECKER_ROLES
from engine.persistence.instances import InstanceTables
from engine.persistence.records import OpenTaskRecord, ProcessInstanceRecord
from engine.views import Actor


def visible_instance(
    tables: InstanceTables, actor: Actor, instance_id: str, *, with_state: bool = False
) -> ProcessInstanceRecord:
    record = tables.instance(instance_id, with_state=with_state)
    if record is None or not in_scope(tables, actor, record.branch_code):
        raise NotFound("no such instance")
    return record


def visible_task(
    tables: InstanceTables, actor: Actor, task_id: str
) -> tuple[OpenTaskRecord, ProcessInstanceRecord]:
    """The task and its instance with state (the caller goes on to a unit of work, which needs it)."""
    task = tables.open_task(task_id)
    if task is None:
        raise _missing_task(tables, actor, task_id)
    if task.role not in actor.roles or not in_scope(tables, actor, task.branch_code):
        raise NotFound("no such task")
    record = tables.instance(task.instance_id, with_state=True)
    assert record is not None
    if not may_do(tables, actor, task):
        raise NotFound("no such task")
    return task, record


def in_scope(tables: InstanceTables, actor: Actor, branch_code: str) -> bool:
    path = tables.branch_path(branch_code)
    return path is not None and actor.sees_branch(path)


def may_do(tables: InstanceTables, actor: Actor, task: OpenTaskRecord) -> bool:
    """Maker-checker (§11): whoever did maker steps of an instance never does its checker steps."""
    if task.assignee is not None and task.assignee != actor.staff_id:
        return False
    if task.required_level > actor.authority_level:
        return False  # §2.9: the approver must hold the authority level for the trigger
    if task.required_qualification and task.required_qualification not in actor.qualifications:
        return False
    if task.role not in CHECKER_ROLES:
        return True
    # the journey a review instance reviews counts too: an auditor never reviews their own work
    subject = tables.subject_of(task.instance_id)
    instances = [task.instance_id] if subject is None else [task.instance_id, subject]
    took_part = tables.parts_taken(actor.staff_id, instances)
    # any part in the reviewed journey disqualifies; in this instance only maker steps do (a reviewer
    # re-checks a rectification they asked for)
    return not any(iid == subject or detail.get("role") not in CHECKER_ROLES for iid, detail in took_part)


def _missing_task(tables: InstanceTables, actor: Actor, task_id: str) -> Exception:
    """A task done a moment ago (a double tap, a second device) is a conflict for those who could have
    done it; for anyone else it does not exist."""
    done = tables.finished_task(task_id)
    if done is not None and done.role in actor.roles and in_scope(tables, actor, done.branch_code):
        return Conflict("the task was already completed or the journey moved on")
    return NotFound("no such task")
