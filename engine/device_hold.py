"""Journeys held when their device leaves service, resumed by staff on another device (domain §9.1:
"LOCKED: no journeys; in-flight journeys suspended").

A journey is in flight on the device of its latest staff step (`last_device_id`, kept by
`JourneyInstance.event`). When the device lifecycle takes a device out of service, whoever makes the
step (an admin, the risk engine, the heartbeat sweep), `devices/administration.py` calls `hold_on`
inside that step's transaction: each running journey in flight on the device gets a hold and a
`journey_held` event. While held, staff on a device neither complete, claim nor abandon its tasks
(`refuse_if_held`, 409); a member of staff who works the journey resumes it from another active
device (`resume_here`), recorded as `journey_resumed` with both devices. What the server does by
itself (queued service calls, timers, messages) goes on: the hold is about the device, not the bank's
side of the journey.

The device's states arrive as plain strings: the engine does not know the device package.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from engine.deps import EngineDeps
from engine.errors import Conflict, Forbidden, JourneyHeld
from engine.persistence.database import Transaction
from engine.persistence.holds import add_event, hold_of, holds_of, in_flight_on, put_hold, release
from engine.persistence.instances import InstanceTables, WriteConflict, instance_tables
from engine.persistence.records import JourneyHoldRecord, ProcessInstanceRecord
from engine.views import Actor, HoldView
from engine.visibility import may_do, visible_instance

_STATE_WORDS = {
    "LOCKED": "锁定",
    "LOST": "挂失",
    "REPAIR": "送修",
    "VOIDED": "作废",
    "TRANSFER_PENDING": "移交",
}


def held_message(device_id: str, device_state: str) -> str:
    """The officer's screen: why the journey waits and what to do (the device admin's own reason is
    not repeated: a risk lock's reasons are for the device roles only)."""
    word = _STATE_WORDS.get(device_state, "停用")
    return f"此业务因设备 {device_id} {word}而暂停，请在本设备上继续办理"


def resume_refusal(held_on: str | None, device_id: str | None, device_in_service: bool) -> str | None:
    """Why this device may not resume the journey now; None: it may. `held_on` is the device the
    journey is held for (None: not held)."""
    if held_on is None:
        return "the journey is not held"
    if not device_id:
        return "a held journey is resumed from a device bound to you"
    if not device_in_service:
        if device_id == held_on:
            return "this device is out of service; resume the journey on another bound device"
        return "this device is not active; resume the journey on an active bound device"
    return None


def hold_view(record: JourneyHoldRecord) -> HoldView:
    return HoldView(
        device_id=record.device_id,
        device_state=record.device_state,
        reason=record.reason,
        held_at=record.held_at,
        message=held_message(record.device_id, record.device_state),
    )


def current_hold(tables: InstanceTables, instance_id: str) -> HoldView | None:
    record = hold_of(tables.session, instance_id)
    return hold_view(record) if record is not None else None


def refuse_if_held(tables: InstanceTables, actor: Actor, instance_id: str) -> None:
    """Called by the commands that move a journey on (complete, claim, abandon). Staff who work
    without a device (desk and phone roles: phones are not enrolled yet) do no device's work: their
    approvals go on, and the officer resumes the journey when it comes back to the tablet."""
    if actor.device_id is None:
        return
    record = hold_of(tables.session, instance_id)
    if record is not None:
        message = held_message(record.device_id, record.device_state)
        raise JourneyHeld(record.device_id, record.device_state, message)


class JourneyHolds:
    def __init__(self, deps: EngineDeps, device_in_service: Callable[[str], bool]) -> None:
        self.deps = deps
        self._in_service = device_in_service

    def hold_on(self, tx: Transaction, device_id: str, device_state: str, reason: str) -> list[str]:
        """Inside the lifecycle step's transaction (its caller commits): holds every running journey in
        flight on the device, or moves its hold to the device's new state. Returns the held ids."""
        now = self.deps.now()
        held = []
        for instance_id in in_flight_on(tx, device_id):
            earlier = hold_of(tx, instance_id)
            if earlier is not None and (earlier.device_id, earlier.device_state) == (device_id, device_state):
                continue
            put_hold(tx, instance_id, device_id, device_state, reason, now)
            detail = {"device_id": device_id, "device_state": device_state, "reason": reason}
            # the event's own device column means "done on this device": nothing was, the server held it
            # (post-supervision's DEVICE_ACTIVE reads that column and would flag the locked device)
            add_event(tx, instance_id, now, "journey_held", None, None, detail)
            held.append(instance_id)
        return held

    def resume_here(self, actor: Actor, instance_id: str) -> None:
        """Releases the hold for a member of staff who works the journey, on the device they call from."""
        with instance_tables(self.deps.sessions) as tables:
            record = visible_instance(tables, actor, instance_id)
            if not _works_on(tables, actor, record):
                raise Forbidden("only staff who work the journey resume it")
            hold = hold_of(tables.session, instance_id)
            held_on = hold.device_id if hold is not None else None
            device_id = actor.device_id
            in_service = bool(device_id) and self._in_service(str(device_id))
            refused = resume_refusal(held_on, device_id, in_service)
            if refused is not None or not release(tables.session, instance_id):
                raise Conflict(refused or "the journey is not held")
            now = self.deps.now()
            detail = {"from_device_id": held_on, "to_device_id": device_id}
            add_event(tables.session, instance_id, now, "journey_resumed", actor.staff_id, device_id, detail)
            record.last_device_id = device_id  # in flight here now: this device leaving service holds it
            record.updated_at = now
            try:
                tables.commit()
            except WriteConflict as exc:
                raise Conflict("the journey was changed by someone else; reload it") from exc

    def holds(self, instance_ids: Collection[str]) -> dict[str, HoldView]:
        """The holds among these journeys (the caller's own list: their ids came from a visible read)."""
        with instance_tables(self.deps.sessions) as tables:
            return {r.instance_id: hold_view(r) for r in holds_of(tables.session, instance_ids)}


def _works_on(tables: InstanceTables, actor: Actor, record: ProcessInstanceRecord) -> bool:
    """The officer running the journey, or whoever may do one of its open tasks."""
    if record.started_by == actor.staff_id:
        return True
    return any(t.role in actor.roles and may_do(tables, actor, t) for t in tables.open_tasks(record.id))
