"""The command rules (devices/commands.py): lifetimes, what each lifecycle step queues, the signed
form and the pending-action summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from devices.commands import (
    QUEUED_BY,
    SUPERSEDES,
    Command,
    CommandKind,
    canonical,
    expired,
    not_after,
    pending_action,
)
from devices.lifecycle import TRANSITIONS

AT = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


def test_lock_and_wipe_wait_as_long_as_it_takes_unlock_and_rekey_expire() -> None:
    assert not_after(CommandKind.LOCK, AT) is None and not_after(CommandKind.WIPE, AT) is None
    assert not_after(CommandKind.UNLOCK, AT) == AT + timedelta(minutes=30)
    assert not_after(CommandKind.REKEY, AT) == AT + timedelta(hours=24)
    assert not expired(None, AT + timedelta(days=365))
    assert not expired(AT, AT) and expired(AT, AT + timedelta(microseconds=1))


def test_only_real_lifecycle_steps_queue_commands_and_a_loss_queues_lock_and_wipe_together() -> None:
    assert set(QUEUED_BY) <= set(TRANSITIONS)
    assert QUEUED_BY["report_lost"] == (CommandKind.LOCK, CommandKind.WIPE)
    assert "check_out" not in QUEUED_BY and "bind" not in QUEUED_BY
    assert CommandKind.UNLOCK in SUPERSEDES[CommandKind.LOCK]
    assert CommandKind.LOCK in SUPERSEDES[CommandKind.UNLOCK]
    assert CommandKind.LOCK not in SUPERSEDES[CommandKind.WIPE]  # a wipe never cancels the lock


def test_the_signed_form_is_canonical_json_of_every_field() -> None:
    command = Command("c1", "web-1", 2, 7, CommandKind.WIPE, AT, None, {"message": "挂失"})
    form = command.signed_form()
    assert set(form) == {"cmd_id", "device_id", "epoch", "seq", "kind", "params", "issued_at", "not_after"}
    signed = canonical(form)
    assert signed.startswith(b'{"cmd_id":"c1","device_id":"web-1","epoch":2')
    assert "挂失".encode() in signed  # kept as UTF-8, not escaped
    assert canonical(dict(reversed(form.items()))) == signed


def test_pending_action_lists_open_kinds_once_in_order() -> None:
    assert pending_action([]) is None
    kinds = [CommandKind.LOCK, CommandKind.WIPE, CommandKind.LOCK]
    assert pending_action(kinds) == "lock,wipe"
