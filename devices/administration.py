"""Device administration under maker-checker (§9.1, §11): register, ask for a lifecycle step, and let a
different person with the checker role approve or reject it. Only an approval changes the device;
steps without a checker (loss, an automatic lock, daily custody) apply at once. Every step is kept
as a change row with who, when and why, for the request and for the decision.

The rules are the table in `devices/lifecycle.py`; this module adds what needs the database: scope
(a branch manager sees their branch, device admins and security officers theirs by branch path, as
staff administration does), the holders named in a bind or transfer, whether the maker of a change of
branch is on the sending side, the handover record's signatures (devices/handover.py), and one
pending change at a time.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Any

from devices.command_queue import CommandQueue
from devices.gate import OUT_OF_SERVICE
from devices.handover import check_handover
from devices.lifecycle import (
    REGISTER_ROLES,
    SYSTEM,
    TABLET_ROLES,
    TRANSITIONS,
    BranchMove,
    Custody,
    DeviceFacts,
    DeviceState,
    Refusal,
    Transition,
    outcome,
    refuse_decision,
    refuse_request,
)
from devices.registration import Registration, normalized
from devices.security_events import DeviceSecurityEvents, EventKind
from devices.views import (
    RISK_REASON_ROLES,
    DeviceChange,
    DeviceDetail,
    DeviceView,
    change_view,
    device_view,
)
from engine.adapters.ports import SHANGHAI
from engine.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from engine.persistence.database import Transaction
from engine.persistence.devices import ASSET_NO_TAKEN, DeviceRepository, DeviceRow, DeviceTransaction
from engine.views import Actor

_NOT_COLUMNS = frozenset({"device_id", "peripherals"})
CHECKER_ROLES = frozenset(t.checker_role for t in TRANSITIONS.values() if t.checker_role)
READER_ROLES = frozenset({"device_admin", "security_officer", "branch_manager"})
_ERRORS: dict[str, Callable[[str], Exception]] = {
    "forbidden": Forbidden,
    "conflict": Conflict,
    "invalid": lambda reason: ValidationFailed(reason, [FieldError("transition", "not_allowed", reason)]),
}


def raise_refusal(refusal: Refusal | None) -> None:
    if refusal is not None:
        raise _ERRORS[refusal.kind](refusal.reason)


def facts(device: DeviceRow) -> DeviceFacts:
    custody = Custody(device.custody) if device.custody else None
    return DeviceFacts(DeviceState(device.state), custody, device.holder_id, device.backup_holder_id)


OutOfService = Callable[[Transaction, str, str, str], object]
"""Told (in the step's transaction) that a device left service: (transaction, device id, new state,
the lifecycle step's name). api/bootstrap.py wires engine/device_hold.py's `hold_on`."""


class DeviceAdministration:
    def __init__(
        self,
        repository: DeviceRepository,
        now: Callable[[], datetime],
        commands: CommandQueue | None = None,
        on_out_of_service: OutOfService = lambda *_: None,
        events: DeviceSecurityEvents | None = None,
    ) -> None:
        self._devices = repository
        self._now = now
        self._commands = commands
        self._on_out_of_service = on_out_of_service
        self._events = events

    def register(self, actor: Actor, registration: Registration, reason: str | None = None) -> DeviceView:
        if not actor.roles & REGISTER_ROLES:
            raise Forbidden("only a device admin registers devices")
        device = normalized(registration, self._now().astimezone(SHANGHAI).date())
        device_id = device.device_id or "dev-" + secrets.token_hex(8)
        with self._devices.transaction() as tx:
            if not self._sees(actor, device.branch_code):
                raise NotFound("no such branch")
            clash = tx.taken(device_id=device_id, asset_no=device.asset_no, serial=device.serial)
            if clash == "asset_no":
                raise Conflict(ASSET_NO_TAKEN)
            if clash is not None:
                raise Conflict(f"a device with that {clash} is registered")
            now = self._now()
            values: dict[str, Any] = {
                f.name: getattr(device, f.name) for f in fields(device) if f.name not in _NOT_COLUMNS
            }
            values |= {
                "peripherals": device.peripherals.as_dict(),
                "state": DeviceState.REGISTERED.value,
                "registered_by": actor.staff_id,
                "registered_at": now,
                "updated_at": now,
            }
            tx.add_device(device_id, values)
            tx.add_change(
                _change_values(
                    device_id, "register", None, {}, "APPLIED", actor.staff_id, now, reason or "入库登记"
                )
                | {"to_state": DeviceState.REGISTERED.value}
            )
            row = tx.device(device_id)
            tx.commit()
        assert row is not None
        return self._views([row])[0]

    def request(
        self, actor: Actor, device_id: str, name: str, payload: dict[str, Any], reason: str
    ) -> DeviceChange:
        """Files the step as a pending change, or applies it when it has no checker."""
        _need_reason(reason, "reason")
        with self._devices.transaction() as tx:
            device = self._device(tx, actor, device_id, _receiving_branch(name, payload))
            move = self._move(actor, device, name, payload)
            raise_refusal(refuse_request(name, facts(device), actor.staff_id, actor.roles, move))
            return self._file(tx, device, name, payload, actor.staff_id, reason)

    def lock_automatically(self, device_id: str, reason: str) -> DeviceChange:
        """The risk engine's lock (§9.3, score ≥ 80): no person makes it, none checks it."""
        with self._devices.transaction() as tx:
            device = tx.device(device_id)
            if device is None:
                raise NotFound("no such device")
            raise_refusal(refuse_request("lock", facts(device), SYSTEM, frozenset({SYSTEM})))
            change = self._file(tx, device, "lock", {}, SYSTEM, reason)
        if self._events is not None:  # §9.3: a lock by the system is a security incident
            self._events.raise_event(device_id, EventKind.AUTO_LOCK, reason)
        return change

    def decide(self, actor: Actor, change_id: int, approve: bool, reason: str) -> DeviceChange:
        if not actor.roles & CHECKER_ROLES:
            raise Forbidden("only a branch manager or security officer decides device changes")
        _need_reason(reason, "reason")
        with self._devices.transaction() as tx:
            change = tx.change(change_id)
            if change is None:
                raise NotFound("no such device change")
            device = tx.device(change.device_id)
            assert device is not None
            if not (self._sees(actor, device.branch_code) or self._sees(actor, change.checker_branch)):
                raise NotFound("no such device change")
            if change.status != "PENDING":
                raise Conflict(f"the change is {change.status}, not pending")
            involved = frozenset(
                h for h in (change.payload.get("holder_id"), change.payload.get("backup_holder_id")) if h
            )
            raise_refusal(
                refuse_decision(
                    change.transition,
                    facts(device),
                    change.maker_id,
                    actor.staff_id,
                    actor.roles,
                    involved,
                    approve=approve,
                )
            )
            if change.checker_branch and not self._sees(actor, change.checker_branch):
                raise Forbidden(f"a {change.checker_role} of {change.checker_branch} decides this change")
            now = self._now()
            entered = outcome(TRANSITIONS[change.transition], facts(device))[0].value if approve else None
            if approve:  # holders may have moved on
                self._check_payload(tx, device, change.transition, change.payload)
                self._apply(tx, device, change.transition, change.payload, now, actor.staff_id, reason)
            closed = tx.close_change(
                change_id, "APPROVED" if approve else "REJECTED", actor.staff_id, now, reason, entered
            )
            tx.commit()
            return change_view(closed)

    def devices(self, actor: Actor, branch_code: str | None = None) -> list[DeviceView]:
        _need_reader(actor)
        if branch_code is not None and not self._sees(actor, branch_code):
            raise NotFound("no such branch")
        return self._views(self._devices.devices(actor.branch_path, branch_code), actor)

    def device(self, actor: Actor, device_id: str) -> DeviceDetail:
        _need_reader(actor)
        row = self._devices.device(device_id)
        if row is None or not self._sees(actor, row.branch_code):
            raise NotFound("no such device")
        history = [change_view(c) for c in self._devices.history(device_id)]
        return DeviceDetail(self._views([row], actor)[0], history)

    def pending(self, actor: Actor) -> list[DeviceChange]:
        """The pending changes the caller may see: those of their devices and those they may check."""
        _need_reader(actor)
        found = self._devices.pending()
        return [
            change_view(c)
            for c, d in found
            if self._sees(actor, d.branch_code) or self._sees(actor, c.checker_branch)
        ]

    # -- the steps behind the commands -------------------------------------------------------------

    def _file(
        self,
        tx: DeviceTransaction,
        device: DeviceRow,
        name: str,
        payload: dict[str, Any],
        maker: str,
        reason: str,
    ) -> DeviceChange:
        transition = TRANSITIONS[name]
        payload = self._check_payload(tx, device, name, payload)
        now = self._now()
        pending = tx.pending_change_of(device.device_id)
        if transition.checker_role is None:
            # a step that moves the device at once (a loss, a lock) leaves the pending one nothing to do
            if pending is not None and transition.to_state != device.state:
                tx.close_change(pending.change_id, "SUPERSEDED", maker, now, f"{name}: {reason}")
            self._apply(tx, device, name, payload, now, maker, reason)
            status = "APPLIED"
        elif pending is not None:
            raise Conflict(
                f"the device has a pending change already: {pending.transition} #{pending.change_id}"
            )
        else:
            status = "PENDING"
        values = _change_values(device.device_id, name, device.state, payload, status, maker, now, reason)
        values["checker_role"] = transition.checker_role
        values["checker_branch"] = _checker_branch(transition, device, payload)
        if status == "APPLIED":
            values |= {"decided_by": maker, "decided_at": now, "decision_reason": reason}
            values["to_state"] = outcome(transition, facts(device))[0].value
        row = tx.add_change(values)
        tx.commit()
        return change_view(row)

    def _apply(
        self,
        tx: DeviceTransaction,
        device: DeviceRow,
        name: str,
        payload: dict[str, Any],
        now: datetime,
        by: str,
        reason: str,
    ) -> None:
        """The step takes effect: the device's state, its holders, and the commands the tablet must
        carry out (queued in this same transaction)."""
        state, custody = outcome(TRANSITIONS[name], facts(device))
        values: dict[str, Any] = {
            "state": state.value,
            "custody": custody.value if custody else None,
            "updated_at": now,
        }
        holders = {k: payload.get(k) for k in ("branch_code", "holder_id", "backup_holder_id")}
        if name == "bind":
            values |= holders
        elif name == "transfer":
            values["transfer_to"] = holders
        elif name == "complete_transfer":
            values |= dict(device.transfer_to or {}) | {"transfer_to": None}
        tx.update_device(device.device_id, values)
        if self._commands is not None:
            self._commands.on_transition(tx.commands, device.device_id, name, by, reason)
        if state in OUT_OF_SERVICE:  # §9.1: the journeys in flight on it are held, whoever locked it
            self._on_out_of_service(tx.session, device.device_id, state.value, name)

    def _check_payload(
        self, tx: DeviceTransaction, device: DeviceRow, name: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """Refuses a payload the step cannot take; answers it as the change keeps it."""
        missing = [f for f in TRANSITIONS[name].requires if payload.get(f) in (None, "", False)]
        if missing:
            raise ValidationFailed(
                "the step needs more", [FieldError(f, "required", "此操作需要该项") for f in missing]
            )
        if name in ("bind", "transfer"):
            _check_holders(tx, payload)
        if name == "complete_transfer":
            return payload | check_handover(tx, device, payload)
        return payload

    def _device(
        self, tx: DeviceTransaction, actor: Actor, device_id: str, receiving: str | None = None
    ) -> DeviceRow:
        """The device in the actor's scope; `receiving`: the branch a change of branch names, whose
        staff see the device for the refusal to say who asks it (they take part in the change)."""
        device = tx.device(device_id)
        if device is None or not (
            self._sees(actor, device.branch_code) or (receiving and self._sees(actor, receiving))
        ):
            raise NotFound("no such device")
        return device

    def _move(self, actor: Actor, device: DeviceRow, name: str, payload: dict[str, Any]) -> BranchMove | None:
        receiving = _receiving_branch(name, payload)
        if receiving is None:
            return None
        return BranchMove(device.branch_code, receiving, self._sees(actor, device.branch_code))

    def _sees(self, actor: Actor, branch_code: str | None) -> bool:
        """Scope by branch path, as staff administration has it (branch paths are cached)."""
        path = self._devices.branch_path(branch_code) if branch_code else None
        return path is not None and actor.sees_branch(path)

    def _views(self, rows: list[DeviceRow], actor: Actor | None = None) -> list[DeviceView]:
        names = self._devices.names({h for r in rows for h in (r.holder_id, r.backup_holder_id) if h})
        reasons = actor is not None and bool(actor.roles & RISK_REASON_ROLES)
        return [device_view(r, names, with_reasons=reasons) for r in rows]


def _check_holders(tx: DeviceTransaction, payload: dict[str, Any]) -> None:
    """A holder works in the device's branch, is active and carries a tablet role; the backup too,
    and is someone else."""
    branch = str(payload["branch_code"])
    if tx.branch_path(branch) is None:
        raise ValidationFailed("unknown branch", [FieldError("branch_code", "unknown", "机构不存在")])
    errors = []
    for field in ("holder_id", "backup_holder_id"):
        staff_id = payload.get(field)
        if not staff_id:
            continue
        staff = tx.staff(str(staff_id))
        if staff is None or not staff.active or staff.branch_code != branch or not staff.roles & TABLET_ROLES:
            errors.append(FieldError(field, "not_a_holder", "需为该机构在岗的外拓人员"))
    if payload.get("backup_holder_id") and payload.get("backup_holder_id") == payload.get("holder_id"):
        errors.append(FieldError("backup_holder_id", "same_as_holder", "备用保管人不能与保管人相同"))
    if errors:
        raise ValidationFailed("the holders cannot hold this device", errors)


def _receiving_branch(name: str, payload: dict[str, Any]) -> str | None:
    """The branch a step that may change the device's branch names, None for any other step."""
    transition = TRANSITIONS.get(name)
    branch = payload.get("branch_code")
    if transition is None or transition.across_branches_by is None or not branch:
        return None
    return str(branch)


def _checker_branch(transition: Transition, device: DeviceRow, payload: dict[str, Any]) -> str | None:
    """Whose branch manager checks: the receiving branch's for a bind or transfer, else the device's."""
    if transition.checker_role is None:
        return None
    if transition.name in ("bind", "transfer"):
        return str(payload["branch_code"])
    return device.branch_code


def _change_values(
    device_id: str,
    name: str,
    from_state: str | None,
    payload: dict[str, Any],
    status: str,
    maker: str,
    now: datetime,
    reason: str,
) -> dict[str, Any]:
    return {
        "device_id": device_id,
        "transition": name,
        "from_state": from_state,
        "payload": payload,
        "status": status,
        "maker_id": maker,
        "requested_at": now,
        "request_reason": reason,
    }


def _need_reason(reason: str | None, field: str) -> None:
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required", [FieldError(field, "required", "需要填写理由")])


def _need_reader(actor: Actor) -> None:
    if not actor.roles & READER_ROLES:
        raise Forbidden("device administration only")
