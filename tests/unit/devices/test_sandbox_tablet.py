"""The sandbox tablet obeys only what the platform signed for it, once, in rising order (anchors §3)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crypto import SM2PrivateKey, sm2_sign, sm2_verify
from devices.commands import Command, CommandKind, canonical
from devices.sandbox_tablet import SandboxTablet

AT = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
PLATFORM = SM2PrivateKey.generate()


def signed(
    kind: CommandKind,
    seq: int,
    *,
    epoch: int = 1,
    device: str = "web-1",
    key: SM2PrivateKey = PLATFORM,
    not_after: datetime | None = None,
    cmd_id: str | None = None,
) -> dict[str, Any]:
    cmd_id = cmd_id or f"00000000-0000-0000-0000-{seq:012d}"
    command = Command(cmd_id, device, epoch, seq, kind, AT, not_after, {}).signed_form()
    return {
        "command": command,
        "signature": base64.b64encode(sm2_sign(key, canonical(command))).decode(),
        "key_id": key.key_id,
    }


@pytest.fixture
def tablet() -> SandboxTablet:
    t = SandboxTablet("web-1", PLATFORM.public_key)
    t.enrolment("a" * 64, "1.0", AT)
    t.enrolled(1)
    return t


def statuses(receipts: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(r["body"]["status"], r["body"]["reason"]) for r in receipts]


def test_a_lock_is_obeyed_and_the_receipt_is_signed_by_the_tablet(tablet: SandboxTablet) -> None:
    [receipt] = tablet.obey([signed(CommandKind.LOCK, 1)], AT)
    assert tablet.screen.locked and receipt["body"]["status"] == "DONE"
    assert tablet.key is not None
    sm2_verify(tablet.key.public_key, canonical(receipt["body"]), base64.b64decode(receipt["signature"]))


def test_a_repeat_is_answered_from_the_stored_receipt_not_run_again(tablet: SandboxTablet) -> None:
    first = tablet.obey([signed(CommandKind.LOCK, 1)], AT)
    tablet.obey([signed(CommandKind.UNLOCK, 2)], AT)
    assert tablet.obey([signed(CommandKind.LOCK, 1)], AT) == first
    assert not tablet.screen.locked  # the old lock did not run a second time


def test_forged_foreign_old_and_expired_commands_are_rejected(tablet: SandboxTablet) -> None:
    tablet.obey([signed(CommandKind.REKEY, 5)], AT)
    receipts = tablet.obey(
        [
            signed(CommandKind.LOCK, 6, key=SM2PrivateKey.generate()),
            signed(CommandKind.LOCK, 7, device="web-2"),
            signed(CommandKind.LOCK, 8, epoch=2),
            signed(CommandKind.LOCK, 4, cmd_id="00000000-0000-0000-0000-000000000999"),
            signed(CommandKind.UNLOCK, 9, not_after=AT - timedelta(seconds=1)),
        ],
        AT,
    )
    assert [s for s, _ in statuses(receipts)] == ["REJECTED"] * 5
    assert "signature" in str(statuses(receipts)[0][1]) and "rise" in str(statuses(receipts)[3][1])
    assert not tablet.screen.locked and tablet.last_seq == 5


def test_a_wipe_signs_its_receipt_then_erases_the_key_and_obeys_nothing_more(tablet: SandboxTablet) -> None:
    key = tablet.key
    assert key is not None
    receipts = tablet.obey([signed(CommandKind.WIPE, 1), signed(CommandKind.UNLOCK, 2)], AT)
    assert statuses(receipts) == [("DONE", None)]
    sm2_verify(key.public_key, canonical(receipts[0]["body"]), base64.b64decode(receipts[0]["signature"]))
    assert tablet.key is None and tablet.screen.wiped and tablet.screen.locked
    with pytest.raises(RuntimeError):
        tablet.check_in(AT)
