"""The device lifecycle of domain §9.1 as one declarative table, and the pure checks over it.

Each transition names where it may start, where it ends, who makes it and who (if anyone) checks it
(§11: bind / transfer `device_admin` → `branch_manager`; key issue / unlock / void `device_admin` →
`security_officer`; §9.1: a transfer to another branch the sending `branch_manager` → the receiving
one). `LOST` and an automatic lock take effect at once; everything with a checker waits
as a pending change until a different person approves it (devices/administration.py).

`activate` (BOUND → ACTIVE, `device_admin` → `security_officer`) stands in for "the device confirmed
its key": issue 31's key distribution replaces it with the key check value, entering ACTIVE through
`KEY_PENDING`, which is in the enum but has no transition yet.

No I/O here: the checks take the facts they need and answer a `Refusal` (with its reason) or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal


class DeviceState(StrEnum):
    REGISTERED = "REGISTERED"
    BOUND = "BOUND"
    KEY_PENDING = "KEY_PENDING"
    """Reserved for issue 31 (§9.5 key issue); nothing enters it yet."""
    ACTIVE = "ACTIVE"
    LOCKED = "LOCKED"
    TRANSFER_PENDING = "TRANSFER_PENDING"
    REPAIR = "REPAIR"
    LOST = "LOST"
    VOIDED = "VOIDED"


class Custody(StrEnum):
    """The daily sub-state of ACTIVE (领用 / 归还); None in every other state."""

    CHECKED_OUT = "CHECKED_OUT"
    CHECKED_IN = "CHECKED_IN"


SYSTEM = "system"
"""The maker id and role of what the server does by itself (the risk engine's automatic lock)."""

TABLET_ROLES = frozenset({"field_officer", "second_officer", "loan_investigator"})
"""Who may hold a device: the roles that work at the customer with a tablet (§1.1)."""

_S = DeviceState
_LIVE = frozenset(s for s in DeviceState if s not in (_S.VOIDED, _S.KEY_PENDING))


@dataclass(frozen=True)
class Transition:
    name: str
    from_states: frozenset[DeviceState]
    to_state: DeviceState
    maker_roles: frozenset[str]
    checker_role: str | None
    """None: applied as soon as it is asked (still recorded with who, when and why)."""
    requires: tuple[str, ...] = ()
    """Payload fields the request must carry."""
    holder_may_make: bool = False
    """The device's holder or backup holder may make it, whatever their role."""
    custody: Custody | None = None
    """For ACTIVE devices: the custody the device must be in (None: any)."""
    across_branches_by: str | None = None
    """When the payload names another branch than the device's: the one role that makes it, and only
    from the sending side (its scope covers the device's branch). None: no such rule."""


def _t(
    name: str,
    from_states: set[DeviceState],
    to_state: DeviceState,
    makers: set[str],
    checker: str | None,
    requires: tuple[str, ...] = (),
    *,
    holder: bool = False,
    custody: Custody | None = None,
    across_branches_by: str | None = None,
) -> Transition:
    return Transition(
        name,
        frozenset(from_states),
        to_state,
        frozenset(makers),
        checker,
        requires,
        holder,
        custody,
        across_branches_by,
    )


ADMIN, MANAGER, SECURITY = "device_admin", "branch_manager", "security_officer"
_IN = Custody.CHECKED_IN

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("bind", {_S.REGISTERED}, _S.BOUND, {ADMIN}, MANAGER, ("branch_code", "holder_id")),
        # issue 31 replaces this with the device's key confirmation (KEY_PENDING → ACTIVE)
        _t("activate", {_S.BOUND}, _S.ACTIVE, {ADMIN}, SECURITY),
        _t("check_out", {_S.ACTIVE}, _S.ACTIVE, {ADMIN}, None, holder=True, custody=_IN),
        _t("check_in", {_S.ACTIVE}, _S.ACTIVE, {ADMIN}, None, holder=True, custody=Custody.CHECKED_OUT),
        _t("lock", {_S.ACTIVE}, _S.LOCKED, {ADMIN, SYSTEM}, None),
        # §9.1: unlock only with the device presented in person
        _t("unlock", {_S.LOCKED}, _S.ACTIVE, {ADMIN}, SECURITY, ("presented_in_person",)),
        # §9.1: a change of holder is asked by the device admin or the branch's manager; a change of
        # branch only by the sending branch's manager; the receiving branch's manager checks either.
        # A device in the field is checked in before it changes hands
        _t(
            "transfer",
            {_S.BOUND, _S.ACTIVE},
            _S.TRANSFER_PENDING,
            {ADMIN, MANAGER},
            MANAGER,
            ("branch_code", "holder_id"),
            custody=_IN,
            across_branches_by=MANAGER,
        ),
        # the handover is done (caches wiped, the handover record signed by both holders, §9.1):
        # rebound, to be re-keyed
        _t(
            "complete_transfer",
            {_S.TRANSFER_PENDING},
            _S.BOUND,
            {ADMIN},
            None,
            ("outgoing_signature", "incoming_signature"),
        ),
        _t("send_to_repair", {_S.BOUND, _S.ACTIVE, _S.LOCKED}, _S.REPAIR, {ADMIN}, MANAGER, custody=_IN),
        # fully re-provisioned afterwards (§9.1): back to BOUND, activated again
        _t("return_from_repair", {_S.REPAIR}, _S.BOUND, {ADMIN}, None),
        # §9.1: immediate; the holder may report it as well
        _t("report_lost", set(_LIVE - {_S.LOST}), _S.LOST, {ADMIN, MANAGER}, None, holder=True),
        # a found device is inspected before anything else: presented in person, then repaired
        _t("recover", {_S.LOST}, _S.REPAIR, {ADMIN}, SECURITY, ("presented_in_person",)),
        # terminal; a checked-out device is checked in (or reported lost) first
        _t("void", set(_LIVE), _S.VOIDED, {ADMIN}, SECURITY, custody=_IN),
    )
}
"""Every way a device changes state after registration (registration itself: `device_admin` alone)."""

REGISTER_ROLES = frozenset({ADMIN})


@dataclass(frozen=True)
class DeviceFacts:
    """What the checks need to know about the device."""

    state: DeviceState
    custody: Custody | None = None
    holder_id: str | None = None
    backup_holder_id: str | None = None
    step_up_since: datetime | None = None
    """Since when the device's risk asks its officer to re-authenticate (§9.3); the gate reads it."""

    @property
    def holders(self) -> frozenset[str]:
        return frozenset(h for h in (self.holder_id, self.backup_holder_id) if h)


@dataclass(frozen=True)
class Refusal:
    """Why a request or decision is refused: `forbidden` (403), `conflict` (409), `invalid` (422)."""

    kind: Literal["forbidden", "conflict", "invalid"]
    reason: str


@dataclass(frozen=True)
class BranchMove:
    """Where a step moves the device, for the rule on who asks a change of branch."""

    from_branch: str
    to_branch: str
    maker_sends: bool
    """The maker's scope covers the device's current branch (they are on the sending side)."""


def refuse_request(
    name: str,
    device: DeviceFacts,
    maker_id: str,
    maker_roles: frozenset[str],
    move: BranchMove | None = None,
) -> Refusal | None:
    """Whether `maker_id` (with `maker_roles`) may ask for transition `name` on the device now;
    `move`: the branch the request names (a transfer's receiving branch), None when it names none."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        return Refusal("invalid", f"unknown transition {name!r}")
    may_make = bool(maker_roles & transition.maker_roles) or (
        transition.holder_may_make and maker_id in device.holders
    )
    if not may_make:
        roles = " or ".join(sorted(transition.maker_roles))
        holder = " or the device's holder" if transition.holder_may_make else ""
        return Refusal("forbidden", f"{name} is asked by {roles}{holder}")
    return refuse_move(transition, maker_roles, move) or refuse_state(transition, device)


def refuse_move(
    transition: Transition, maker_roles: frozenset[str], move: BranchMove | None
) -> Refusal | None:
    """§9.1: a device changes branch only when the sending branch's manager asks for it (the
    receiving branch's manager checks); within one branch the transition's makers all may."""
    role = transition.across_branches_by
    if role is None or move is None or move.to_branch == move.from_branch:
        return None
    if role in maker_roles and move.maker_sends:
        return None
    return Refusal(
        "forbidden",
        f"{transition.name} to another branch is asked by the sending branch's {role} "
        f"(of {move.from_branch}); {move.to_branch}'s {role} checks it",
    )


def refuse_state(transition: Transition, device: DeviceFacts) -> Refusal | None:
    """Whether the device's state (and custody) allows the transition."""
    if device.state is DeviceState.VOIDED:
        return Refusal("conflict", "the device is voided: a voided device never changes again")
    if device.state not in transition.from_states:
        allowed = ", ".join(sorted(transition.from_states))
        return Refusal("conflict", f"{transition.name} needs a device in {allowed}; it is {device.state}")
    if (
        transition.custody is not None
        and device.state is DeviceState.ACTIVE
        and device.custody is not transition.custody
    ):
        wanted = "checked in" if transition.custody is Custody.CHECKED_IN else "checked out"
        return Refusal("conflict", f"{transition.name} needs the device {wanted}; it is {device.custody}")
    return None


def refuse_decision(
    name: str,
    device: DeviceFacts,
    maker_id: str,
    checker_id: str,
    checker_roles: frozenset[str],
    involved: frozenset[str] = frozenset(),
    *,
    approve: bool = True,
) -> Refusal | None:
    """Whether `checker_id` may approve (or reject) the pending `name` asked by `maker_id`. §11: nobody
    decides their own request, nor a case in which they take part (`involved`: holders old and new).
    Only an approval needs the device still able to take the step; a rejection changes nothing."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        return Refusal("invalid", f"unknown transition {name!r}")
    if transition.checker_role is None:
        return Refusal("conflict", f"{name} takes effect at once; there is nothing to approve")
    if transition.checker_role not in checker_roles:
        return Refusal("forbidden", f"{name} is approved by a {transition.checker_role}")
    if checker_id == maker_id:
        return Refusal("forbidden", "nobody approves their own request")
    if checker_id in device.holders | involved:
        return Refusal("forbidden", "a holder of the device cannot approve a change to it")
    return refuse_state(transition, device) if approve else None


def outcome(transition: Transition, device: DeviceFacts) -> tuple[DeviceState, Custody | None]:
    """The state and custody the device has once the transition applies."""
    if transition.name == "check_out":
        return DeviceState.ACTIVE, Custody.CHECKED_OUT
    if transition.to_state is DeviceState.ACTIVE:
        # entering ACTIVE (activate, unlock, check_in) the device is at the branch, in its drawer
        return DeviceState.ACTIVE, Custody.CHECKED_IN
    return transition.to_state, None
