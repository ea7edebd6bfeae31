"""Remote commands to a tablet (domain §9.4, amended by §9.7 and reference/device-trust-anchors.md §3):
what each lifecycle step queues, how long a command lives, the signed form, and what a receipt means.

Lock is a lasting state the gate enforces the moment it is written; the `LOCK` command only brings the
tablet's own screen into line, so a tablet that never receives it is still useless. `WIPE` never waits
for a `LOCK` receipt, and `VOIDED` never waits for a `WIPE` receipt. `REKEY` carries no key material:
it tells the tablet to start the §9.5 key request, so keys only ever travel the approved way.

Every command belongs to one enrolment generation (`epoch`, bumped each time the tablet enrols a new
identity key: after repair, transfer or a wipe) and carries a sequence number that only rises inside
it, so a queued wipe can never fire on a re-issued tablet. No I/O here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class CommandKind(StrEnum):
    LOCK = "LOCK"
    UNLOCK = "UNLOCK"
    WIPE = "WIPE"
    REKEY = "REKEY"


class CommandStatus(StrEnum):
    QUEUED = "QUEUED"
    DELIVERED = "DELIVERED"
    """Sent at least once, no final receipt yet: sent again, same id and seq, until one arrives."""
    DONE = "DONE"
    FAILED = "FAILED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"
    SUPERSEDED = "SUPERSEDED"


OPEN = frozenset({CommandStatus.QUEUED, CommandStatus.DELIVERED})
DEVICE_OUTCOMES = frozenset({CommandStatus.DONE, CommandStatus.FAILED, CommandStatus.REJECTED})
"""Final outcomes a receipt may report; `DEFERRED` (busy with a customer) keeps the command open."""
DEFERRED = "DEFERRED"

LIFETIME: dict[CommandKind, timedelta | None] = {
    CommandKind.LOCK: None,
    CommandKind.WIPE: None,
    CommandKind.UNLOCK: timedelta(minutes=30),
    CommandKind.REKEY: timedelta(hours=24),
}
"""[Sim] How long a command may wait for delivery. Lock and wipe wait as long as it takes; an unlock is
given while the device is presented in person; a rekey lives as long as a key approval (§9.5)."""

QUEUED_BY: dict[str, tuple[CommandKind, ...]] = {
    "lock": (CommandKind.LOCK,),
    "unlock": (CommandKind.UNLOCK,),
    # §9.1: remote lock + wipe queued at once; the wipe does not wait for the lock's receipt
    "report_lost": (CommandKind.LOCK, CommandKind.WIPE),
    # keys revoked and wiped before it leaves custody
    "send_to_repair": (CommandKind.WIPE,),
    # handover: local caches wiped, then re-keyed by the new holder's enrolment
    "complete_transfer": (CommandKind.WIPE,),
    "void": (CommandKind.WIPE,),
}
"""The commands a lifecycle step queues in the same transaction as the state change."""

SUPERSEDES: dict[CommandKind, frozenset[CommandKind]] = {
    CommandKind.LOCK: frozenset({CommandKind.UNLOCK}),
    CommandKind.UNLOCK: frozenset({CommandKind.LOCK}),
    CommandKind.REKEY: frozenset({CommandKind.REKEY}),
    CommandKind.WIPE: frozenset({CommandKind.UNLOCK, CommandKind.REKEY}),
}
"""An open command the new one makes pointless (a lock after an unlock that never arrived, ...)."""

REVOKES_KEY = frozenset({"report_lost", "send_to_repair", "complete_transfer", "void"})
"""Steps after which the device's identity key may not open anything again (§9.1, §9.5 step 7): it
may still sign the receipt of its wipe (anchors §3 rule 6), nothing else."""

APPLIED: dict[CommandKind, str] = {
    CommandKind.LOCK: "LOCKED",
    CommandKind.UNLOCK: "ACTIVE",
    CommandKind.WIPE: "WIPED",
}
"""What the tablet has confirmed (`applied_state`) once it reports a command DONE."""


@dataclass(frozen=True)
class Command:
    command_id: str
    device_id: str
    epoch: int
    seq: int
    kind: CommandKind
    issued_at: datetime
    not_after: datetime | None
    params: dict[str, Any]

    def signed_form(self) -> dict[str, Any]:
        """What the server signs and the tablet verifies, keeps and executes: nothing else counts."""
        return {
            "cmd_id": self.command_id,
            "device_id": self.device_id,
            "epoch": self.epoch,
            "seq": self.seq,
            "kind": self.kind.value,
            "params": self.params,
            "issued_at": self.issued_at.isoformat(),
            "not_after": self.not_after.isoformat() if self.not_after else None,
        }


def not_after(kind: CommandKind, issued_at: datetime) -> datetime | None:
    lifetime = LIFETIME[kind]
    return issued_at + lifetime if lifetime is not None else None


def expired(not_after_at: datetime | None, now: datetime) -> bool:
    return not_after_at is not None and now > not_after_at


def canonical(value: dict[str, Any]) -> bytes:
    """The signed bytes: UTF-8 JSON, keys sorted, no insignificant whitespace (the same rule as the
    evidence manifest), so both sides sign and verify the very same bytes."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def pending_action(open_kinds: list[CommandKind]) -> str | None:
    """What the tablet has yet to confirm, for lists: the open command kinds in order, lower case."""
    seen: list[str] = []
    for kind in open_kinds:
        if kind.value.lower() not in seen:
            seen.append(kind.value.lower())
    return ",".join(seen) or None
