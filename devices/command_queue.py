"""The remote command queue (§9.4 with §9.7's amendments): queue and sign, deliver at least once,
take the device's signed receipts, cancel, expire; and keep `applied_state` / `pending_action` on the
device so a list shows what was asked apart from what the tablet confirmed.

Lifecycle steps queue their commands inside their own transaction (`on_transition`), so a lock and
its `LOCK` command are written together or not at all. Delivery answers the open commands of the
device's current enrolment generation, oldest first, each with the platform's SM2 signature over its
signed form; a command from an older generation is superseded, never sent.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crypto import KeyStore, sm2_sign
from devices.commands import (
    APPLIED,
    DEFERRED,
    OPEN,
    QUEUED_BY,
    REVOKES_KEY,
    SUPERSEDES,
    Command,
    CommandKind,
    CommandStatus,
    canonical,
    expired,
    not_after,
    pending_action,
)
from devices.device_messages import ReceiptBody, refused, verify
from devices.security_events import DeviceSecurityEvents, EventKind
from engine.errors import Conflict, NotFound
from engine.persistence.device_commands import CommandRow, DeviceCommandRepository, DeviceCommandStore

_S = CommandStatus


@dataclass(frozen=True)
class Delivered:
    """One command as the tablet receives it: the signed form, the signature and the signing key's id."""

    command: dict[str, Any]
    signature: str
    key_id: str


def delivered(row: CommandRow) -> Delivered:
    return Delivered(row.body, row.signature, row.signing_key_id)


class CommandQueue:
    def __init__(
        self,
        repository: DeviceCommandRepository,
        keys: KeyStore,
        now: Callable[[], datetime],
        events: DeviceSecurityEvents | None = None,
    ) -> None:
        self._repository = repository
        self._keys = keys
        self._now = now
        self._events = events

    # -- queueing ---------------------------------------------------------------------------------

    def on_transition(
        self, store: DeviceCommandStore, device_id: str, transition: str, by: str, reason: str
    ) -> list[CommandRow]:
        """Inside a lifecycle step's transaction: queue what the step needs the tablet to do and, for a
        loss, repair, handover or retirement, revoke the device's identity key."""
        queued = [
            self.queue(store, device_id, kind, by, f"{transition}: {reason}")
            for kind in QUEUED_BY.get(transition, ())
        ]
        if transition in REVOKES_KEY:
            record = store.lock_device(device_id)
            assert record is not None
            if record.epoch:
                store.revoke_enrolment(device_id, record.epoch, self._now(), f"{transition}: {reason}")
        return queued

    def queue(
        self,
        store: DeviceCommandStore,
        device_id: str,
        kind: CommandKind,
        by: str,
        reason: str,
        params: dict[str, Any] | None = None,
    ) -> CommandRow:
        record = store.lock_device(device_id)
        if record is None:
            raise NotFound("no such device")
        now = self._now()
        for open_command in store.open_commands(device_id):
            if CommandKind(open_command.kind) in SUPERSEDES[kind]:
                self._close(store, open_command, _S.SUPERSEDED, by, f"superseded by {kind.value}")
        seq = record.command_seq + 1
        command = Command(
            str(uuid.uuid4()), device_id, record.epoch, seq, kind, now, not_after(kind, now), params or {}
        )
        body = command.signed_form()
        signature = base64.b64encode(sm2_sign(self._keys.signing_key, canonical(body))).decode()
        row = store.add_command(
            command.command_id,
            {
                "device_id": device_id,
                "epoch": command.epoch,
                "seq": seq,
                "kind": kind.value,
                "body": body,
                "reason": reason[:500],
                "issued_by": by,
                "issued_at": now,
                "not_after": command.not_after,
                "signature": signature,
                "signing_key_id": self._keys.signing_key_id,
                "status": _S.QUEUED.value,
            },
        )
        store.update_device(device_id, {"command_seq": seq})
        self._refresh(store, device_id)
        return row

    def cancel(self, device_id: str, command_id: str, by: str, reason: str) -> CommandRow:
        with self._repository.transaction() as store:
            if store.lock_device(device_id) is None:
                raise NotFound("no such device")
            row = store.command(device_id, command_id)
            if row is None:
                raise NotFound("no such command")
            if _S(row.status) not in OPEN:
                raise Conflict(f"the command is {row.status}; only a queued or delivered one is cancelled")
            closed = self._close(store, row, _S.CANCELLED, by, reason)
            self._refresh(store, device_id)
            store.commit()
            return closed

    # -- delivery and receipts --------------------------------------------------------------------

    def deliver(self, device_id: str, *, check_in_ts: datetime | None = None) -> list[Delivered]:
        """The open commands for the tablet, marked delivered (again); expired and stale ones closed.
        `check_in_ts`: the tablet's signed time of its own check-in, which must be later than its last
        one's — a replayed check-in is refused (409 `replay`), with no store of seen nonces to grow."""
        with self._repository.transaction() as store:
            record = store.lock_device(device_id)
            if record is None:
                raise NotFound("no such device")
            now = self._now()
            if check_in_ts is not None:
                last = record.last_check_in_ts
                if last is not None and check_in_ts <= (last if last.tzinfo else last.replace(tzinfo=UTC)):
                    raise refused(Conflict, "replay", "this check-in is not later than the last one")
                store.update_device(device_id, {"last_check_in_at": now, "last_check_in_ts": check_in_ts})
            out = []
            for row in store.open_commands(device_id):
                if row.epoch != record.epoch:
                    self._close(store, row, _S.SUPERSEDED, "system", "the device enrolled again")
                elif expired(row.not_after, now):
                    self._close(store, row, _S.EXPIRED, "system", "not delivered in time")
                else:
                    values = {
                        "status": _S.DELIVERED.value,
                        "attempts": row.attempts + 1,
                        "last_delivered_at": now,
                    }
                    out.append(delivered(store.update_command(row.command_id, values)))
            self._refresh(store, device_id)
            store.commit()
            return out

    def receive(self, device_id: str, receipt: ReceiptBody, signature: str) -> CommandRow:
        """A signed receipt. Idempotent: the first final outcome wins, a repeat answers it again."""
        with self._repository.transaction() as store:
            record = store.lock_device(device_id)
            if record is None or receipt.device_id != device_id:
                raise NotFound("no such device")
            row = store.command(device_id, receipt.cmd_id)
            if row is None:
                raise NotFound("no such command")
            kind = CommandKind(row.kind)
            if (row.epoch, row.seq) != (receipt.epoch, receipt.seq):
                raise Conflict("the receipt's generation or sequence number is not the command's")
            enrolment = store.enrolment(device_id, row.epoch)
            if enrolment is None:
                raise Conflict("the device has no enrolled key to sign receipts with")
            # a revoked key still confirms the commands of its own generation (anchors §3 rule 6: the
            # wipe's receipt is signed before the key is erased, and a lost tablet confirms its lock)
            verify(enrolment.public_key, receipt, signature)
            if _S(row.status) not in OPEN:
                if row.receipt is None:  # executed after all: keep what the tablet says it did
                    row = store.update_command(row.command_id, {"receipt": _kept(receipt, signature)})
                    store.commit()
                return row
            now = self._now()
            if receipt.status == DEFERRED:
                row = store.update_command(row.command_id, {"deferrals": row.deferrals + 1})
            else:
                row = self._close(store, row, _S(receipt.status), device_id, receipt.reason, now=now)
                row = store.update_command(row.command_id, {"receipt": _kept(receipt, signature)})
                if receipt.status == _S.DONE and kind in APPLIED:
                    store.update_device(device_id, {"applied_state": APPLIED[kind]})
                if receipt.status == _S.DONE and kind is CommandKind.WIPE:
                    store.revoke_enrolment(device_id, row.epoch, now, "wiped: the tablet erased its keys")
                    for moot in store.open_commands(device_id):
                        if moot.epoch == row.epoch:
                            self._close(store, moot, _S.SUPERSEDED, device_id, "the tablet is wiped")
            self._refresh(store, device_id)
            store.commit()
        if kind is CommandKind.WIPE and receipt.status in (_S.FAILED, _S.REJECTED) and self._events:
            why = f"擦除指令 #{row.seq} 未执行（{receipt.status}）：{receipt.reason or '—'}"
            self._events.raise_event(device_id, EventKind.WIPE_FAILED, why)
        return row

    # -- helpers ------------------------------------------------------------------------------------

    def _close(
        self,
        store: DeviceCommandStore,
        row: CommandRow,
        status: CommandStatus,
        by: str,
        reason: str | None,
        *,
        now: datetime | None = None,
    ) -> CommandRow:
        values = {
            "status": status.value,
            "closed_at": now or self._now(),
            "closed_by": by,
            "outcome_reason": (reason or "")[:500] or None,
        }
        return store.update_command(row.command_id, values)

    def _refresh(self, store: DeviceCommandStore, device_id: str) -> None:
        open_rows = store.open_commands(device_id)
        store.update_device(
            device_id,
            {
                "pending_action": pending_action([CommandKind(r.kind) for r in open_rows]),
                "pending_since": min((r.issued_at for r in open_rows), default=None),
            },
        )


def _kept(receipt: ReceiptBody, signature: str) -> dict[str, Any]:
    return {"body": receipt.model_dump(mode="json"), "signature": signature}
