"""What a tablet signs with its own identity key (§9.5 step 1, §9.4 receipts): the shapes, the
freshness window and the checks, shared by the HTTP routes and the sandbox device agent.

Every message is a JSON body plus an SM2 signature (DER, base64) over its canonical bytes
(devices/commands.py `canonical`), with the default user id. The refusals carry stable codes
(reference/device-trust-anchors.md §6): `sig_invalid`, `ts_skew`, `key_unknown`, `epoch_stale`.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from crypto import BadSignature, MalformedInput, SM2PublicKey, sm2_verify
from devices.commands import canonical
from devices.registration import DEVICE_ID
from devices.snapshots import HASH
from engine.errors import Conflict, FieldBankError, Unauthenticated

FRESHNESS = timedelta(minutes=5)
"""[Sim] §9.5: a signed message's timestamp may differ from the server's clock by this much."""
PUBLIC_KEY_HEX = r"^04[0-9a-f]{128}$"
NONCE_HEX = r"^[0-9a-f]{32}$"


class _Signed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnrolmentBody(_Signed):
    device_id: str = Field(pattern=DEVICE_ID, max_length=64)
    public_key: str = Field(pattern=PUBLIC_KEY_HEX, description="the new SM2 public key, 04‖x‖y in hex")
    fingerprint_hash: str = Field(pattern=HASH)
    app_version: str = Field(min_length=1, max_length=32)
    nonce: str = Field(pattern=NONCE_HEX, description="16 random bytes in hex")
    ts: AwareDatetime


class CheckInBody(_Signed):
    device_id: str = Field(pattern=DEVICE_ID, max_length=64)
    epoch: int = Field(ge=1, description="the enrolment generation whose key signs")
    nonce: str = Field(pattern=NONCE_HEX)
    ts: AwareDatetime


class ReceiptBody(_Signed):
    cmd_id: str = Field(pattern=r"^[0-9a-f-]{36}$")
    device_id: str = Field(pattern=DEVICE_ID, max_length=64)
    epoch: int = Field(ge=0)
    seq: int = Field(ge=1)
    status: Literal["DONE", "FAILED", "REJECTED", "DEFERRED"] = Field(
        description="DEFERRED: busy with a customer, the command stays open and is sent again"
    )
    reason: str | None = Field(default=None, max_length=500)
    at: AwareDatetime


class Signature(_Signed):
    signature: str = Field(min_length=8, max_length=200, description="base64 DER SM2 signature")


def refused(kind: type[FieldBankError], code: str, message: str) -> FieldBankError:
    error = kind(message, {"reason": code})
    error.code = code
    return error


def signature_bytes(signature: str) -> bytes:
    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise refused(Unauthenticated, "sig_invalid", "the signature is not base64") from exc


def verify(public_key_hex: str, body: BaseModel, signature: str) -> None:
    """Raises `sig_invalid` unless `signature` is the key's SM2 signature over the body's canonical bytes."""
    try:
        key = SM2PublicKey.from_bytes(bytes.fromhex(public_key_hex))
        sm2_verify(key, canonical(body.model_dump(mode="json")), signature_bytes(signature))
    except (BadSignature, MalformedInput, ValueError) as exc:
        raise refused(Unauthenticated, "sig_invalid", "the device's signature does not verify") from exc


def require_fresh(ts: datetime, now: datetime) -> None:
    if abs(now - ts) > FRESHNESS:
        raise refused(
            Unauthenticated,
            "ts_skew",
            f"the message's time is more than {FRESHNESS.seconds // 60} minutes from the server's "
            f"({now.isoformat()}): correct the clock from server_time and send again",
        )


def epoch_stale(current: int) -> FieldBankError:
    return refused(Conflict, "epoch_stale", f"the device has enrolled again since (generation {current})")
