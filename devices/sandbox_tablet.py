"""The tablet's side of the device channel, for the sandbox device agent and the tests (§9.4, §9.5
step 1, anchors §3): it makes its identity key, signs its enrolment, check-ins and receipts, verifies
each command against the pinned platform key and obeys it at most once.

What a real tablet must do, it does here too: a command that does not verify, is for another device
or generation, repeats an old sequence number or has expired is rejected, never executed; a command
seen before is answered with its stored receipt, not run again; a wipe's receipt is signed before
the key is erased (the server accepts it from the revoked key).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crypto import BadSignature, MalformedInput, SM2PrivateKey, SM2PublicKey, sm2_sign, sm2_verify
from devices.commands import CommandKind, canonical
from devices.device_messages import CheckInBody, EnrolmentBody, ReceiptBody

_TICK = timedelta(milliseconds=1)


@dataclass
class TabletScreen:
    """What the holder sees and can do: the result of the commands obeyed so far."""

    locked: bool = False
    wiped: bool = False
    rekey_requested: bool = False


@dataclass
class SandboxTablet:
    device_id: str
    platform_key: SM2PublicKey
    """Pinned at provisioning (`GET /device-channel/command-key`)."""
    key: SM2PrivateKey | None = None
    epoch: int = 0
    last_seq: int = 0
    screen: TabletScreen = field(default_factory=TabletScreen)
    receipts: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Every command id answered, with the signed receipt sent for it."""
    last_check_in: datetime | None = None

    def to_state(self) -> dict[str, Any]:
        """What the sandbox agent keeps between runs (a real tablet keeps its key in the secure element)."""
        return {
            "device_id": self.device_id,
            "key": self.key.to_bytes().hex() if self.key else None,
            "epoch": self.epoch,
            "last_seq": self.last_seq,
            "screen": vars(self.screen),
            "receipts": self.receipts,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], platform_key: SM2PublicKey) -> SandboxTablet:
        key = SM2PrivateKey(bytes.fromhex(state["key"])) if state.get("key") else None
        return cls(
            state["device_id"],
            platform_key,
            key,
            int(state["epoch"]),
            int(state["last_seq"]),
            TabletScreen(**state["screen"]),
            dict(state["receipts"]),
        )

    def enrolment(self, fingerprint_hash: str, app_version: str, now: datetime) -> dict[str, Any]:
        """A new identity key and its signed enrolment (proof of possession)."""
        self.key = SM2PrivateKey.generate()
        body = EnrolmentBody(
            device_id=self.device_id,
            public_key=self.key.public_key.to_bytes().hex(),
            fingerprint_hash=fingerprint_hash,
            app_version=app_version,
            nonce=secrets.token_hex(16),
            ts=now,
        )
        return self._signed(body)

    def enrolled(self, epoch: int) -> None:
        """The server's answer: a new generation, sequence numbers start again, the screen is fresh."""
        self.epoch, self.last_seq, self.screen = epoch, 0, TabletScreen()

    def check_in(self, now: datetime) -> dict[str, Any]:
        """Each check-in's signed time is later than the last one's (the server refuses a replay), as a
        real tablet keeps it with its monotonic clock even when the wall clock is set back."""
        ts = now if self.last_check_in is None or now > self.last_check_in else self.last_check_in + _TICK
        self.last_check_in = ts
        body = CheckInBody(device_id=self.device_id, epoch=self.epoch, nonce=secrets.token_hex(16), ts=ts)
        return self._signed(body)

    def obey(self, delivered: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        """Each delivered command, in order: carried out once, answered with a signed receipt."""
        receipts = []
        for item in delivered:
            if self.key is None:
                break  # wiped: nothing left to sign with, nothing left to obey
            command = item["command"]
            seen = self.receipts.get(str(command.get("cmd_id")))
            if seen is not None:
                receipts.append(seen)
                continue
            refusal = self._refusal(item, now)
            status = "REJECTED" if refusal else "DONE"
            receipt = self._receipt(command, status, refusal, now)
            if refusal is None:
                self.last_seq = int(command["seq"])
                self._carry_out(CommandKind(command["kind"]))
            self.receipts[str(command["cmd_id"])] = receipt
            receipts.append(receipt)
        return receipts

    def _refusal(self, item: dict[str, Any], now: datetime) -> str | None:
        command = item["command"]
        try:
            signature = base64.b64decode(item["signature"], validate=True)
            sm2_verify(self.platform_key, canonical(command), signature)
        except (BadSignature, MalformedInput, ValueError):
            return "the command's signature does not verify against the pinned platform key"
        if command["device_id"] != self.device_id or command["epoch"] != self.epoch:
            return "the command is for another device or enrolment generation"
        if int(command["seq"]) <= self.last_seq:
            return "the sequence number does not rise: an old command"
        if command["not_after"] and now > datetime.fromisoformat(command["not_after"]):
            return "the command expired"
        return None

    def _carry_out(self, kind: CommandKind) -> None:
        if kind is CommandKind.LOCK:
            self.screen.locked = True
        elif kind is CommandKind.UNLOCK:
            self.screen.locked = False
        elif kind is CommandKind.REKEY:
            self.screen.rekey_requested = True
        elif kind is CommandKind.WIPE:
            # the receipt is signed already; now caches, drafts, keys and staff credentials go
            self.key = None
            self.screen = TabletScreen(locked=True, wiped=True)

    def _receipt(
        self, command: dict[str, Any], status: str, reason: str | None, now: datetime
    ) -> dict[str, Any]:
        body = ReceiptBody(
            cmd_id=command["cmd_id"],
            device_id=self.device_id,
            epoch=int(command["epoch"]),
            seq=int(command["seq"]),
            status=status,  # type: ignore[arg-type]
            reason=reason,
            at=now,
        )
        return self._signed(body)

    def _signed(self, body: EnrolmentBody | CheckInBody | ReceiptBody) -> dict[str, Any]:
        if self.key is None:
            raise RuntimeError("the tablet has no identity key: enrol it first")
        signature = sm2_sign(self.key, canonical(body.model_dump(mode="json")))
        return {"body": body.model_dump(mode="json"), "signature": base64.b64encode(signature).decode()}
