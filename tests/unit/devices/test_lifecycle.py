"""The §9.1 transition table: every allowed step, and every refusal with its reason."""

from __future__ import annotations

import pytest

from devices.lifecycle import (
    SYSTEM,
    TRANSITIONS,
    BranchMove,
    Custody,
    DeviceFacts,
    DeviceState,
    outcome,
    refuse_decision,
    refuse_request,
)

S = DeviceState
ADMIN = frozenset({"device_admin"})
MANAGER = frozenset({"branch_manager"})
SECURITY = frozenset({"security_officer"})
OFFICER = frozenset({"field_officer"})

# name -> (a state it starts from, custody there, maker roles, checker roles, the state it ends in)
ALLOWED = {
    "bind": (S.REGISTERED, None, ADMIN, MANAGER, S.BOUND),
    "activate": (S.BOUND, None, ADMIN, SECURITY, S.ACTIVE),
    "check_out": (S.ACTIVE, Custody.CHECKED_IN, ADMIN, None, S.ACTIVE),
    "check_in": (S.ACTIVE, Custody.CHECKED_OUT, ADMIN, None, S.ACTIVE),
    "lock": (S.ACTIVE, Custody.CHECKED_OUT, ADMIN, None, S.LOCKED),
    "unlock": (S.LOCKED, None, ADMIN, SECURITY, S.ACTIVE),
    "transfer": (S.ACTIVE, Custody.CHECKED_IN, ADMIN, MANAGER, S.TRANSFER_PENDING),
    "complete_transfer": (S.TRANSFER_PENDING, None, ADMIN, None, S.BOUND),
    "send_to_repair": (S.LOCKED, None, ADMIN, MANAGER, S.REPAIR),
    "return_from_repair": (S.REPAIR, None, ADMIN, None, S.BOUND),
    "report_lost": (S.ACTIVE, Custody.CHECKED_OUT, MANAGER, None, S.LOST),
    "recover": (S.LOST, None, ADMIN, SECURITY, S.REPAIR),
    "void": (S.LOST, None, ADMIN, SECURITY, S.VOIDED),
}


def device(state: DeviceState, custody: Custody | None = None) -> DeviceFacts:
    return DeviceFacts(state, custody, holder_id="fo001", backup_holder_id="fo002")


def test_every_transition_of_the_table_is_exercised_here() -> None:
    assert set(ALLOWED) == set(TRANSITIONS)


def test_key_pending_is_reserved_no_step_enters_or_leaves_it() -> None:
    assert all(t.to_state is not S.KEY_PENDING for t in TRANSITIONS.values())
    assert all(S.KEY_PENDING not in t.from_states for t in TRANSITIONS.values())


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_an_allowed_step_is_asked_approved_and_lands_where_the_table_says(name: str) -> None:
    state, custody, makers, checkers, target = ALLOWED[name]
    facts = device(state, custody)
    assert refuse_request(name, facts, "maker1", makers) is None
    if checkers is not None:
        assert refuse_decision(name, facts, "maker1", "checker1", checkers) is None
    assert outcome(TRANSITIONS[name], facts)[0] is target


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_state_outside_a_steps_sources_is_refused_with_a_409_reason(name: str) -> None:
    _state, _custody, makers, _checkers, _target = ALLOWED[name]
    for state in DeviceState:
        if state in TRANSITIONS[name].from_states:
            continue
        refusal = refuse_request(name, device(state, Custody.CHECKED_IN), "maker1", makers)
        assert refusal is not None and refusal.kind == "conflict"
        assert str(state) in refusal.reason or "voided" in refusal.reason


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_a_voided_device_never_changes_again(name: str) -> None:
    refusal = refuse_request(name, device(S.VOIDED), "admin1", ADMIN | MANAGER | SECURITY)
    assert refusal is not None
    assert refusal.kind == "conflict" and "voided" in refusal.reason


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_a_role_without_the_step_is_refused_with_a_403_reason(name: str) -> None:
    state, custody, _makers, _checkers, _target = ALLOWED[name]
    outsiders = frozenset({"analyst", "authorizer", "post_supervisor"})
    refusal = refuse_request(name, device(state, custody), "someone", outsiders)
    assert refusal is not None and refusal.kind == "forbidden"
    assert name in refusal.reason


@pytest.mark.parametrize("name", sorted(n for n, a in ALLOWED.items() if a[3] is not None))
def test_only_the_checker_role_approves(name: str) -> None:
    state, custody, _makers, checkers, _target = ALLOWED[name]
    assert checkers is not None
    others = (ADMIN | MANAGER | SECURITY | OFFICER) - checkers
    refusal = refuse_decision(name, device(state, custody), "maker1", "checker1", others)
    assert refusal is not None and refusal.kind == "forbidden"
    assert next(iter(checkers)) in refusal.reason


@pytest.mark.parametrize("name", sorted(n for n, a in ALLOWED.items() if a[3] is not None))
def test_the_maker_never_approves_their_own_request(name: str) -> None:
    state, custody, _makers, checkers, _target = ALLOWED[name]
    assert checkers is not None
    refusal = refuse_decision(name, device(state, custody), "same", "same", checkers | ADMIN | MANAGER)
    assert refusal is not None and refusal.kind == "forbidden" and "own request" in refusal.reason


def test_a_holder_old_or_new_never_approves_a_change_to_the_device() -> None:
    facts = device(S.REGISTERED)
    refusal = refuse_decision("bind", facts, "da1", "fo001", MANAGER)
    assert refusal is not None and refusal.kind == "forbidden" and "holder" in refusal.reason
    refusal = refuse_decision("bind", facts, "da1", "bm9", MANAGER, frozenset({"bm9"}))
    assert refusal is not None and refusal.kind == "forbidden"


@pytest.mark.parametrize("name", sorted(n for n, a in ALLOWED.items() if a[3] is None))
def test_an_immediate_step_has_nothing_to_approve(name: str) -> None:
    state, custody, _makers, _checkers, _target = ALLOWED[name]
    refusal = refuse_decision(name, device(state, custody), "maker1", "checker1", SECURITY | MANAGER)
    assert refusal is not None and refusal.kind == "conflict" and "at once" in refusal.reason


def test_approval_rechecks_the_state_but_a_rejection_does_not() -> None:
    moved = device(S.LOST)
    refusal = refuse_decision("bind", moved, "da1", "bm1", MANAGER)
    assert refusal is not None and refusal.kind == "conflict"
    assert refuse_decision("bind", moved, "da1", "bm1", MANAGER, approve=False) is None


def test_an_unknown_step_is_invalid_input() -> None:
    refusal = refuse_request("teleport", device(S.ACTIVE), "da1", ADMIN)
    assert refusal is not None and refusal.kind == "invalid" and "teleport" in refusal.reason
    refusal = refuse_decision("teleport", device(S.ACTIVE), "da1", "sec1", SECURITY)
    assert refusal is not None and refusal.kind == "invalid"


def test_the_holder_checks_out_checks_in_and_reports_loss_whatever_their_role() -> None:
    out = device(S.ACTIVE, Custody.CHECKED_IN)
    assert refuse_request("check_out", out, "fo001", OFFICER) is None
    assert refuse_request("check_in", device(S.ACTIVE, Custody.CHECKED_OUT), "fo002", OFFICER) is None
    assert refuse_request("report_lost", out, "fo001", OFFICER) is None
    refusal = refuse_request("check_out", out, "fo009", OFFICER)  # not this device's holder
    assert refusal is not None and refusal.kind == "forbidden" and "holder" in refusal.reason
    refusal = refuse_request("lock", out, "fo001", OFFICER)  # holders do not lock
    assert refusal is not None and refusal.kind == "forbidden"


def test_custody_rules_checked_out_devices_stay_put() -> None:
    checked_out = device(S.ACTIVE, Custody.CHECKED_OUT)
    for name in ("check_out", "transfer", "send_to_repair", "void"):
        refusal = refuse_request(name, checked_out, "da1", ADMIN | MANAGER)
        assert refusal is not None and refusal.kind == "conflict" and "checked in" in refusal.reason
    refusal = refuse_request("check_in", device(S.ACTIVE, Custody.CHECKED_IN), "da1", ADMIN)
    assert refusal is not None and "checked out" in refusal.reason


def test_only_the_system_or_a_device_admin_locks_and_a_locked_device_is_not_locked_again() -> None:
    assert refuse_request("lock", device(S.ACTIVE, Custody.CHECKED_OUT), SYSTEM, frozenset({SYSTEM})) is None
    refusal = refuse_request("lock", device(S.LOCKED), SYSTEM, frozenset({SYSTEM}))
    assert refusal is not None and refusal.kind == "conflict"


def test_custody_follows_the_step() -> None:
    active_in = device(S.ACTIVE, Custody.CHECKED_IN)
    assert outcome(TRANSITIONS["check_out"], active_in) == (S.ACTIVE, Custody.CHECKED_OUT)
    assert outcome(TRANSITIONS["check_in"], device(S.ACTIVE, Custody.CHECKED_OUT)) == (
        S.ACTIVE,
        Custody.CHECKED_IN,
    )
    assert outcome(TRANSITIONS["activate"], device(S.BOUND)) == (S.ACTIVE, Custody.CHECKED_IN)
    assert outcome(TRANSITIONS["unlock"], device(S.LOCKED)) == (S.ACTIVE, Custody.CHECKED_IN)
    assert outcome(TRANSITIONS["lock"], active_in) == (S.LOCKED, None)


def test_the_table_matches_the_maker_checker_matrix() -> None:
    """§11: bind / transfer device_admin → branch_manager; key issue, unlock, void → security_officer."""
    checkers = {name: t.checker_role for name, t in TRANSITIONS.items()}
    assert checkers["bind"] == checkers["transfer"] == checkers["send_to_repair"] == "branch_manager"
    assert checkers["unlock"] == checkers["void"] == checkers["activate"] == "security_officer"
    assert checkers["report_lost"] is None and checkers["lock"] is None
    assert TRANSITIONS["unlock"].requires == ("presented_in_person",)
    assert set(TRANSITIONS["bind"].requires) == {"branch_code", "holder_id"}


ACTIVE_IN = DeviceFacts(S.ACTIVE, Custody.CHECKED_IN, holder_id="fo001")


def test_a_transfer_to_another_branch_is_asked_by_the_sending_branchs_manager() -> None:
    sending = BranchMove("WH0101", "WH0102", maker_sends=True)
    assert refuse_request("transfer", ACTIVE_IN, "bm001", MANAGER, sending) is None


def test_a_device_admin_does_not_ask_a_transfer_to_another_branch() -> None:
    refusal = refuse_request("transfer", ACTIVE_IN, "da001", ADMIN, BranchMove("WH0101", "WH0102", True))
    assert refusal is not None and refusal.kind == "forbidden"
    assert "sending branch's branch_manager" in refusal.reason and "WH0101" in refusal.reason


def test_the_receiving_branchs_manager_does_not_ask_the_transfer_they_check() -> None:
    receiving = BranchMove("WH0101", "WH0102", maker_sends=False)
    refusal = refuse_request("transfer", ACTIVE_IN, "bm101", MANAGER, receiving)
    assert (
        refusal is not None
        and refusal.kind == "forbidden"
        and "WH0102's branch_manager checks" in refusal.reason
    )


def test_a_change_of_holder_within_the_branch_is_asked_by_a_device_admin_or_its_manager() -> None:
    within = BranchMove("WH0101", "WH0101", maker_sends=True)
    assert refuse_request("transfer", ACTIVE_IN, "da001", ADMIN, within) is None
    assert refuse_request("transfer", ACTIVE_IN, "bm001", MANAGER, within) is None


def test_the_branch_rule_belongs_to_the_transfer_alone_and_comes_before_the_state() -> None:
    assert [n for n, t in TRANSITIONS.items() if t.across_branches_by] == ["transfer"]
    # bind names a branch too, but a registered device has none to be sent from
    assert (
        refuse_request("bind", device(S.REGISTERED), "da001", ADMIN, BranchMove("WH01", "WH0102", True))
        is None
    )
    refusal = refuse_request(
        "transfer", device(S.LOCKED), "da001", ADMIN, BranchMove("WH0101", "WH0102", True)
    )
    assert refusal is not None and refusal.kind == "forbidden"


def test_completing_a_transfer_needs_the_handover_signed_by_both_holders() -> None:
    assert TRANSITIONS["complete_transfer"].requires == ("outgoing_signature", "incoming_signature")
    assert TRANSITIONS["complete_transfer"].checker_role is None
