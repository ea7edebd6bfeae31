"""The device gate's decision over every state × the caller being holder, backup holder or neither."""

from __future__ import annotations

import dataclasses

import pytest

from devices.gate import CODES, OUT_OF_SERVICE, DeviceGate, gated, refusal
from devices.lifecycle import TABLET_ROLES, Custody, DeviceFacts, DeviceState
from engine.errors import DeviceRefused
from engine.views import Actor

S = DeviceState
EXPECTED = {
    # state: (holder, backup holder, someone else) — None: let in
    S.REGISTERED: ("device_not_bound", "device_not_bound", "device_not_bound"),
    S.BOUND: ("device_not_active", "device_not_active", "device_not_bound"),
    S.KEY_PENDING: ("device_not_active", "device_not_active", "device_not_bound"),
    S.ACTIVE: (None, None, "device_not_bound"),
    S.LOCKED: ("device_locked",) * 3,
    S.TRANSFER_PENDING: ("device_transfer_pending",) * 3,
    S.REPAIR: ("device_in_repair",) * 3,
    S.LOST: ("device_lost",) * 3,
    S.VOIDED: ("device_voided",) * 3,
}


def test_every_state_is_decided() -> None:
    assert set(EXPECTED) == set(DeviceState)


@pytest.mark.parametrize("state", list(DeviceState))
@pytest.mark.parametrize("custody", [Custody.CHECKED_OUT, Custody.CHECKED_IN])
def test_each_state_for_holder_backup_and_stranger(state: DeviceState, custody: Custody) -> None:
    bound = state not in (S.REGISTERED,)
    device = DeviceFacts(
        state,
        custody if state is S.ACTIVE else None,
        "fo001" if bound else None,
        "fo002" if bound else None,
    )
    got = tuple(refusal("tab-1", device, who) for who in ("fo001", "fo002", "fo101"))
    assert tuple(r.code if r else None for r in got) == EXPECTED[state]
    assert all(r.message for r in got if r)


def test_no_device_and_an_unknown_device_are_refused_with_their_own_codes() -> None:
    assert refusal(None, None, "fo001").code == "device_required"  # type: ignore[union-attr]
    assert refusal("", None, "fo001").code == "device_required"  # type: ignore[union-attr]
    assert refusal("tab-x", None, "fo001").code == "device_unknown"  # type: ignore[union-attr]


def test_codes_are_stable_and_distinct() -> None:
    assert len(CODES) == 10 and all(c.startswith("device_") for c in CODES - {"step_up_required"})


def test_only_the_tablet_roles_are_gated() -> None:
    assert all(gated(frozenset({r})) for r in TABLET_ROLES)
    for desk in ("authorizer", "branch_manager", "post_supervisor", "device_admin", "security_officer"):
        assert not gated(frozenset({desk}))
    assert gated(frozenset({"field_officer", "authorizer"}))  # a tablet role gates whatever else they hold


def _actor(roles: set[str], device_id: str | None) -> Actor:
    return Actor("fo001", "李明", frozenset(roles), "WH0101", "/HQ/WH01/WH0101/", device_id)


def test_the_gate_reads_the_device_only_for_gated_actors_and_raises_the_code() -> None:
    reads: list[str] = []
    active = DeviceFacts(S.ACTIVE, Custody.CHECKED_IN, "fo001")
    locked = DeviceFacts(S.LOCKED, None, "fo001")

    def read(device_id: str) -> DeviceFacts | None:
        reads.append(device_id)
        return {"tab-a": active, "tab-l": locked}.get(device_id)

    gate = DeviceGate(read)
    gate(_actor({"authorizer"}, None))
    assert reads == []
    gate(_actor({"field_officer"}, "tab-a"))
    with pytest.raises(DeviceRefused) as refused:
        gate(_actor({"field_officer"}, "tab-l"))
    assert refused.value.code == "device_locked" and "锁定" in refused.value.screen_message
    with pytest.raises(DeviceRefused) as refused:
        gate(_actor({"second_officer"}, None))
    assert refused.value.code == "device_required"
    assert reads == ["tab-a", "tab-l"]


def test_a_locked_or_lost_device_may_still_report_on_itself_and_nothing_else() -> None:
    """§9.4: the heartbeat is how a locked or lost tablet is told to wipe or unlock."""
    for state in (DeviceState.LOCKED, DeviceState.LOST):
        gate = DeviceGate(lambda _id, s=state: DeviceFacts(s, None, "fo001", None))
        actor = Actor("fo001", "李明", frozenset({"field_officer"}), "WH0101", "/WH/", "web-0000000000000001")
        gate.reporting(actor)  # lets it through
        with pytest.raises(DeviceRefused):
            gate(actor)
        stranger = dataclasses.replace(actor, staff_id="fo009")
        with pytest.raises(DeviceRefused):
            gate.reporting(stranger)  # still only its holder
    voided = DeviceGate(lambda _id: DeviceFacts(DeviceState.VOIDED, None, "fo001", None))
    with pytest.raises(DeviceRefused):
        voided.reporting(Actor("fo001", "李明", frozenset({"field_officer"}), "WH0101", "/WH/", "web-1"))


def test_a_step_up_asks_sessions_authenticated_before_it_and_only_them() -> None:
    from datetime import UTC, datetime, timedelta

    since = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    device = DeviceFacts(S.ACTIVE, Custody.CHECKED_OUT, "fo001", None, since)
    before, after = since - timedelta(seconds=1), since + timedelta(seconds=1)
    assert refusal("d1", device, "fo001", before) is not None
    assert refusal("d1", device, "fo001", before).code == "step_up_required"  # type: ignore[union-attr]
    assert refusal("d1", device, "fo001", None).code == "step_up_required"  # type: ignore[union-attr]
    assert refusal("d1", device, "fo001", since) is None and refusal("d1", device, "fo001", after) is None
    assert refusal("d1", device, "fo001", before, step_up=False) is None  # the step-up call itself
    assert refusal("d1", dataclasses.replace(device, step_up_since=None), "fo001", before) is None
    # a device out of service is named first: a step-up never gets a locked tablet in
    locked = dataclasses.replace(device, state=S.LOCKED)
    assert refusal("d1", locked, "fo001", after, step_up=False).code == "device_locked"  # type: ignore[union-attr]
    assert "step_up_required" in CODES


def test_the_states_that_hold_journeys_are_those_that_refuse_everyone_for_the_device_itself() -> None:
    """Not REGISTERED (refused as bound to nobody) nor BOUND / KEY_PENDING (not yet in service: no
    journey was ever in flight there)."""
    alike = {s for s, codes in EXPECTED.items() if len(set(codes)) == 1 and codes[0] != "device_not_bound"}
    assert alike == OUT_OF_SERVICE


def test_only_an_active_device_is_in_service_for_resuming_a_journey() -> None:
    def read(device_id: str) -> DeviceFacts | None:
        return DeviceFacts(DeviceState(device_id), None, "fo001") if device_id in set(S) else None

    gate = DeviceGate(read)
    assert {s for s in S if gate.in_service(s.value)} == {S.ACTIVE}
    assert not gate.in_service("web-00000000000000ff")
