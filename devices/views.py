"""What the device use cases hand to entry points: plain views, holder names masked (§8.3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from crypto import mask_name
from devices.lifecycle import TRANSITIONS
from engine.persistence.devices import DeviceChangeRow, DeviceRow


@dataclass(frozen=True)
class HolderView:
    staff_id: str
    name_masked: str


@dataclass(frozen=True)
class DeviceView:
    device_id: str
    asset_no: str
    model: str
    serial: str
    imei: str | None
    meid: str | None
    wifi_mac: str
    os_version: str
    secure_element_serial: str | None
    purchase_date: date
    peripherals: dict[str, Any]
    state: str
    custody: str | None
    branch_code: str
    holder: HolderView | None
    backup_holder: HolderView | None
    transfer_to: dict[str, Any] | None
    last_contact_at: datetime | None
    """The last heartbeat; None until the device sent one."""
    risk_level: str | None
    """The latest snapshot's action (allow, step_up, restrict, lock); None before the first."""
    risk_score: int | None
    """With the reasons: for the security officer only (None for everyone else)."""
    risk_reasons: list[dict[str, Any]] | None
    registered_at: datetime
    updated_at: datetime
    epoch: int
    """The identity key's enrolment generation; 0 before the tablet enrolled."""
    applied_state: str | None
    """What the tablet last confirmed by a signed receipt (LOCKED, ACTIVE, WIPED), apart from `state`."""
    pending_action: str | None
    """Commands it has yet to confirm (lock, unlock, wipe, rekey), and since when."""
    pending_since: datetime | None
    last_check_in_at: datetime | None


@dataclass(frozen=True)
class DeviceChange:
    change_id: int
    device_id: str
    transition: str
    from_state: str | None
    to_state: str | None
    payload: dict[str, Any]
    status: str
    """PENDING, APPROVED, REJECTED, APPLIED (no checker) or SUPERSEDED (a lock or loss came first)."""
    checker_role: str | None
    checker_branch: str | None
    requested_by: str
    requested_at: datetime
    request_reason: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


@dataclass(frozen=True)
class DeviceDetail:
    device: DeviceView
    history: list[DeviceChange]


RISK_REASON_ROLES = frozenset({"security_officer"})
"""Who sees why a device scored as it did; the others see the level only (§9.3 weights stay quiet)."""


def device_view(row: DeviceRow, names: dict[str, str], *, with_reasons: bool = False) -> DeviceView:
    def holder(staff_id: str | None) -> HolderView | None:
        return HolderView(staff_id, mask_name(names.get(staff_id))) if staff_id else None

    return DeviceView(
        row.device_id,
        row.asset_no,
        row.model,
        row.serial,
        row.imei,
        row.meid,
        row.wifi_mac,
        row.os_version,
        row.secure_element_serial,
        row.purchase_date,
        dict(row.peripherals),
        row.state,
        row.custody,
        row.branch_code,
        holder(row.holder_id),
        holder(row.backup_holder_id),
        row.transfer_to,
        row.last_contact_at,
        row.risk_level,
        row.risk_score if with_reasons else None,
        [dict(r) for r in row.risk_reasons or []] if with_reasons and row.risk_reasons is not None else None,
        row.registered_at,
        row.updated_at,
        row.epoch,
        row.applied_state,
        row.pending_action,
        row.pending_since,
        row.last_check_in_at,
    )


def change_view(row: DeviceChangeRow) -> DeviceChange:
    # the stored state once the change took effect; before that (or if refused) where it would lead
    transition = TRANSITIONS.get(row.transition)
    to_state = row.to_state or (
        str(transition.to_state) if transition else ("REGISTERED" if row.transition == "register" else None)
    )
    return DeviceChange(
        row.change_id,
        row.device_id,
        row.transition,
        row.from_state,
        to_state,
        dict(row.payload),
        row.status,
        row.checker_role,
        row.checker_branch,
        row.maker_id,
        row.requested_at,
        row.request_reason,
        row.decided_by,
        row.decided_at,
        row.decision_reason,
    )
