"""Device security events (§9.3, anchors §7 pitfall 5): what someone must look at, not only a state.

An automatic lock (risk ≥ 80 or 24 h without a heartbeat) is a security incident; a step-up is the
branch manager's notice; a wipe the tablet reports FAILED or REJECTED is an incident too (the
screen would otherwise say "wiped" on hope). Each is raised for the device's branch, shown to the
device readers of that branch, and acknowledged with a note by a security officer or branch manager.
The step-up notice carries no reasons: those stay with the security officer (devices/views.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from engine.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from engine.persistence.device_security_events import DeviceSecurityEventRepository, SecurityEventRow
from engine.persistence.devices import DeviceRepository
from engine.views import Actor

log = logging.getLogger("fieldbank.devices")

READERS = frozenset({"device_admin", "security_officer", "branch_manager"})
ACKNOWLEDGERS = frozenset({"security_officer", "branch_manager"})


class EventKind(StrEnum):
    AUTO_LOCK = "auto_lock"
    STEP_UP = "step_up"
    WIPE_FAILED = "wipe_failed"


class DeviceSecurityEvents:
    def __init__(
        self,
        repository: DeviceSecurityEventRepository,
        devices: DeviceRepository,
        now: Callable[[], datetime],
    ) -> None:
        self._events = repository
        self._devices = devices
        self._now = now

    def raise_event(self, device_id: str, kind: EventKind, detail: str) -> None:
        row = self._events.add(device_id, kind.value, detail, self._now())
        if row is not None:
            log.warning("device security event %s on %s (#%s)", kind.value, device_id, row.event_id)

    def events(self, actor: Actor, *, open_only: bool = False) -> list[SecurityEventRow]:
        if not actor.roles & READERS:
            raise Forbidden("device administration only")
        return self._events.events(actor.branch_path, open_only=open_only)

    def acknowledge(self, actor: Actor, event_id: int, note: str) -> SecurityEventRow:
        if not actor.roles & ACKNOWLEDGERS:
            raise Forbidden("a security officer or branch manager acknowledges a security event")
        if not note or not note.strip():
            raise ValidationFailed("a note is required", [FieldError("note", "required", "需要填写处理意见")])
        found = self._events.get(event_id)
        path = self._devices.branch_path(found.branch_code) if found is not None else None
        if found is None or path is None or not actor.sees_branch(path):
            raise NotFound("no such security event")
        if found.acknowledged_at is not None:
            raise Conflict("the event was acknowledged already")
        return self._events.acknowledge(event_id, actor.staff_id, self._now(), note.strip())
