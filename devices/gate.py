"""The device gate (domain §9.4, ARCHITECTURE decision 9): a field officer's every call — sign-in, API,
page, htmx partial — is refused unless the device it comes from is ACTIVE and bound to that officer.

Who is gated: the tablet roles (`TABLET_ROLES`: field officer, second officer, loan investigator), the
staff who work at the customer with a bank tablet. Desk and phone roles (post-supervision, branch
manager, authorizer, device admin, security officer, analyst) are not gated by tablet binding in this
increment: phones are enrolled in a later issue. Someone holding a tablet role is gated even when they
hold a desk role as well.

`refusal` is the pure decision; `DeviceGate` reads the device's current row (one primary-key read) on
every call, so a device locked, lost, voided, sent to repair or rebound after sign-in is refused at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from devices.lifecycle import TABLET_ROLES, Custody, DeviceFacts, DeviceState
from engine.errors import DeviceRefused
from engine.persistence.devices import DeviceBinding, DeviceRepository
from engine.views import Actor

_S = DeviceState


@dataclass(frozen=True)
class GateRefusal:
    code: str
    """Stable, part of the API (the 403 body's `code`)."""
    message: str
    """Chinese, for the officer's screen."""


NO_DEVICE = GateRefusal("device_required", "请在已绑定的外拓设备上登录")
UNKNOWN = GateRefusal("device_unknown", "此设备未登记，请联系设备管理员")
NOT_BOUND = GateRefusal("device_not_bound", "此设备未绑定给您，请使用您领用的设备或联系设备管理员")
_BY_STATE = {
    _S.LOCKED: GateRefusal("device_locked", "此设备已被锁定，请联系设备管理员"),
    _S.LOST: GateRefusal("device_lost", "此设备已挂失，不能再使用"),
    _S.VOIDED: GateRefusal("device_voided", "此设备已作废，不能再使用"),
    _S.REPAIR: GateRefusal("device_in_repair", "此设备在维修中，请联系设备管理员"),
    _S.TRANSFER_PENDING: GateRefusal("device_transfer_pending", "此设备正在移交，请联系设备管理员"),
}
OUT_OF_SERVICE = frozenset(_BY_STATE)
"""The states that take a device out of service: the journeys in flight on it are held (§9.1)."""
STILL_REPORTING = frozenset({_S.LOCKED, _S.LOST})
"""Out of service, but the device must still heartbeat to receive its wipe or unlock command."""
NOT_ACTIVE = GateRefusal("device_not_active", "此设备尚未启用，请联系设备管理员")
"""REGISTERED, BOUND or KEY_PENDING: not yet (or not again) in service."""
STEP_UP = GateRefusal("step_up_required", "设备存在风险提示，请重新验证身份后继续办理")
"""§9.3 step up (and restrict): the device's risk asks its officer to prove who they are again."""


class _Unread:
    """The gate was given no pre-read device: it reads it itself."""


UNREAD = _Unread()

CODES = frozenset(r.code for r in (NO_DEVICE, UNKNOWN, NOT_BOUND, NOT_ACTIVE, STEP_UP, *_BY_STATE.values()))


def gated(roles: frozenset[str]) -> bool:
    """Whether staff with these roles must come from a device bound to them."""
    return bool(roles & TABLET_ROLES)


def refusal(
    device_id: str | None,
    device: DeviceFacts | None,
    staff_id: str,
    authenticated_at: datetime | None = None,
    *,
    step_up: bool = True,
) -> GateRefusal | None:
    """Why a gated member of staff may not work from this device now; None: they may.

    A state that takes the device out of service is named before binding: a locked device shows
    "locked" to its own holder and to anyone else alike. Last, a device whose risk asks for a step up
    since a time after the session last authenticated wants the officer to prove who they are again
    (`step_up=False`: the call is that proof, or the device reporting on itself)."""
    if not device_id:
        return NO_DEVICE
    if device is None:
        return UNKNOWN
    if device.state in _BY_STATE:
        return _BY_STATE[device.state]
    if staff_id not in device.holders:
        return NOT_BOUND
    if device.state is not _S.ACTIVE:
        return NOT_ACTIVE
    since = device.step_up_since
    if step_up and since is not None and (authenticated_at is None or authenticated_at < since):
        return STEP_UP
    return None


class DeviceGate:
    """Called by `AuthService` at sign-in and on every authenticated call (wired in api/bootstrap.py)."""

    def __init__(
        self,
        read: Callable[[str], DeviceFacts | None],
        held_by: Callable[[str], list[str]] = lambda _staff_id: [],
    ) -> None:
        self._read = read
        self._held_by = held_by

    def devices_of(self, staff_id: str) -> list[str]:
        """The ACTIVE devices bound to `staff_id`, primary before backup: what the non-production
        sign-in page signs a demo officer in with when the browser is none of them (README)."""
        return self._held_by(staff_id)

    def in_service(self, device_id: str) -> bool:
        """Whether the device is ACTIVE (where a held journey may be resumed, engine/device_hold.py)."""
        device = self._read(device_id)
        return device is not None and device.state is _S.ACTIVE

    def __call__(self, actor: Actor, binding: DeviceBinding | _Unread | None = UNREAD) -> None:
        """`binding`: the device as the token's own query read it (AuthService); unread at sign-in."""
        self._check(actor, binding, reporting=False)

    def stepping_up(self, actor: Actor, binding: DeviceBinding | _Unread | None = UNREAD) -> None:
        """The call that re-authenticates (§9.3 step up): every other condition still holds."""
        self._check(actor, binding, reporting=False, step_up=False)

    def reporting(self, actor: Actor, binding: DeviceBinding | _Unread | None = UNREAD) -> None:
        """A device reporting on itself (snapshots, heartbeats): a locked or lost one still may, bound
        to the same holder, so that it can be told to wipe or unlock (§9.4); it does nothing else."""
        self._check(actor, binding, reporting=True)

    def _check(
        self,
        actor: Actor,
        binding: DeviceBinding | _Unread | None,
        *,
        reporting: bool,
        step_up: bool = True,
    ) -> None:
        if not gated(actor.roles):
            return
        if not actor.device_id:
            device = None
        elif isinstance(binding, _Unread):
            device = self._read(actor.device_id)
        else:
            device = facts_of(binding)
        if reporting and device is not None and device.state in STILL_REPORTING:
            device = dataclasses.replace(device, state=_S.ACTIVE)
        check_step_up = step_up and not reporting
        refused = refusal(
            actor.device_id, device, actor.staff_id, actor.authenticated_at, step_up=check_step_up
        )
        if refused is not None:
            raise DeviceRefused(refused.code, refused.message)


def facts_of(row: DeviceBinding | None) -> DeviceFacts | None:
    if row is None:
        return None
    custody = Custody(row.custody) if row.custody else None
    return DeviceFacts(
        DeviceState(row.state), custody, row.holder_id, row.backup_holder_id, row.step_up_since
    )


def device_gate(devices: DeviceRepository) -> DeviceGate:
    """The gate over the device table: at sign-in one primary-key read; on every later call the device
    comes with the token's own query, so the gate adds no round trip."""
    return DeviceGate(lambda device_id: facts_of(devices.binding(device_id)), devices.held_by)
