"""§9.3 restrict (score 60–79): a restricted tablet starts no new journey (devices/risk.py), and its
officer goes on with an in-flight one only with an authorizer's grant for that journey.

The officer's next step on the journey files the request and is refused with a clear message; an
authorizer of the journey's branch (never the officer) grants or refuses it on the phone, with a
reason. A grant holds for that journey on that tablet for `GRANT_LIFETIME` [Sim]; a tablet scored back
to allow needs none. Every request and decision is kept with who, when and why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from devices.gate import gated
from devices.risk_scoring import Action
from engine.errors import Conflict, DeviceRefused, FieldError, Forbidden, NotFound, ValidationFailed
from engine.persistence.device_step_grants import DeviceStepGrantRepository, GrantRow
from engine.persistence.devices import DeviceRepository
from engine.views import Actor, TaskView

GRANT_LIFETIME = timedelta(hours=2)
"""[Sim] How long an authorizer's grant lets a restricted tablet go on with one journey."""
AUTHORIZER_ROLES = frozenset({"authorizer"})
CODE = "restricted_needs_authorizer"
ASKED = "设备受限：本笔业务需授权人远程授权后才能继续，已向授权人发出申请，请稍候"
WAITING = "设备受限：授权申请已发出，请等待授权人处理"
REFUSED = "设备受限：授权人未同意在本设备上继续办理本笔业务（{reason}），请更换设备或联系安全管理员"


class DeviceRestriction:
    def __init__(
        self, devices: DeviceRepository, grants: DeviceStepGrantRepository, now: Callable[[], datetime]
    ) -> None:
        self._devices = devices
        self._grants = grants
        self._now = now

    def refuse_step(self, actor: Actor, task: TaskView) -> None:
        """Raises `DeviceRefused` (403, `restricted_needs_authorizer`) unless the officer's tablet is not
        restricted or an authorizer granted this journey on it; files the request the first time."""
        if actor.device_id is None or not gated(actor.roles):
            return
        device = self._devices.device(actor.device_id)
        if device is None or device.risk_level != Action.RESTRICT.value:
            return
        now = self._now()
        latest = self._grants.latest(task.instance_id, actor.device_id)
        if latest is not None and latest.status == "GRANTED":
            if latest.expires_at is None or latest.expires_at > now:
                return
            latest = None  # expired: ask again
        if latest is not None and latest.status == "REQUESTED":
            raise DeviceRefused(CODE, WAITING)
        if latest is not None and latest.status == "REFUSED":
            raise DeviceRefused(CODE, REFUSED.format(reason=latest.decision_reason or "—"))
        self._grants.add(
            {
                "instance_id": task.instance_id,
                "device_id": actor.device_id,
                "staff_id": actor.staff_id,
                "branch_code": task.branch_code,
                "process_id": task.process_id,
                "requested_at": now,
                "status": "REQUESTED",
            }
        )
        raise DeviceRefused(CODE, ASKED)

    def requested(self, actor: Actor) -> list[GrantRow]:
        """The open requests an authorizer may decide: their branches', not their own."""
        _need_authorizer(actor)
        return [g for g in self._grants.requested(actor.branch_path) if g.staff_id != actor.staff_id]

    def decide(self, actor: Actor, grant_id: int, grant: bool, reason: str) -> GrantRow:
        _need_authorizer(actor)
        if not reason or not reason.strip():
            raise ValidationFailed("a reason is required", [FieldError("reason", "required", "需要填写理由")])
        found = self._grants.get(grant_id)
        path = self._devices.branch_path(found.branch_code) if found is not None else None
        if found is None or path is None or not actor.sees_branch(path):
            raise NotFound("no such request")
        if found.staff_id == actor.staff_id:
            raise Forbidden("nobody authorizes their own journey")
        if found.status != "REQUESTED":
            raise Conflict(f"the request is {found.status}, not open")
        now = self._now()
        status, expires = ("GRANTED", now + GRANT_LIFETIME) if grant else ("REFUSED", None)
        return self._grants.decide(grant_id, status, actor.staff_id, now, reason.strip(), expires)


def _need_authorizer(actor: Actor) -> None:
    if not actor.roles & AUTHORIZER_ROLES:
        raise Forbidden("an authorizer decides whether a restricted tablet goes on")
