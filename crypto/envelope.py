"""Digital envelope (数字信封), format FBEV version 1: see crypto/README.md for the byte layout.

A random SM4 content key encrypts the content with SM4-GCM; SM2 wraps that key for each recipient;
the sender may sign everything before the signature with SM2. Opening checks, in this order:
framing, sender signature, freshness, recipient, decryption, and last the nonce (so that a forged
envelope can never use up a genuine nonce).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from crypto.errors import (
    DecryptionFailed,
    EnvelopeExpired,
    EnvelopeNotForRecipient,
    EnvelopeReplayed,
    MalformedInput,
    UntrustedSender,
)
from crypto.nonces import SeenNonceStore
from crypto.sm2 import sm2_decrypt, sm2_encrypt, sm2_sign, sm2_verify
from crypto.sm2_keys import SM2PrivateKey, SM2PublicKey
from crypto.sm4 import SM4_KEY_SIZE, generate_sm4_key, sm4_gcm_decrypt, sm4_gcm_encrypt

MAGIC = b"FBEV"
FORMAT_VERSION = 1
SUITE = "SM2-SM4GCM-SM3"
NONCE_SIZE = 16
_FIXED = len(MAGIC) + 1 + 4  # magic, version, header length
_MAX_HEADER = 1 << 20
_KEY_ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_HEADER_KEYS = {"suite", "ts", "nonce", "sender", "recipients"}


@dataclass(frozen=True, slots=True)
class OpenedEnvelope:
    """What a successfully opened envelope contains; `sender_key_id` is set only if it was verified."""

    content: bytes
    sender_key_id: str | None
    nonce: bytes
    timestamp: datetime


def seal(
    content: bytes,
    recipients: Sequence[tuple[str, SM2PublicKey]],
    sender: tuple[str, SM2PrivateKey] | None = None,
    *,
    now: datetime | None = None,
) -> bytes:
    """Encrypt `content` for every (key id, public key) in `recipients`, signed by `sender` if given."""
    if not recipients:
        raise ValueError("an envelope needs at least one recipient")
    kids = [kid for kid, _ in recipients]
    if len(set(kids)) != len(kids):
        raise ValueError("recipient key ids must be unique")
    for kid in [*kids, *([sender[0]] if sender else [])]:
        _check_key_id(kid)
    timestamp = _aware(now or datetime.now(UTC))
    cek = generate_sm4_key()
    header = {
        "suite": SUITE,
        "ts": int(timestamp.timestamp()),
        "nonce": secrets.token_bytes(NONCE_SIZE).hex(),
        "sender": sender[0] if sender else None,
        "recipients": [{"kid": kid, "ek": _b64(sm2_encrypt(key, cek))} for kid, key in recipients],
    }
    header_bytes = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    prefix = MAGIC + bytes([FORMAT_VERSION]) + len(header_bytes).to_bytes(4, "big") + header_bytes
    body = sm4_gcm_encrypt(cek, content, associated_data=prefix)
    signed = prefix + len(body).to_bytes(8, "big") + body
    signature = sm2_sign(sender[1], signed) if sender else b""
    return signed + len(signature).to_bytes(2, "big") + signature


def open_envelope(
    data: bytes,
    recipient_key_id: str,
    recipient_private_key: SM2PrivateKey,
    *,
    trusted_senders: Mapping[str, SM2PublicKey] | None,
    seen_nonces: SeenNonceStore | None,
    window_seconds: float | None = 300,
    now: datetime | None = None,
) -> OpenedEnvelope:
    """Check and decrypt an envelope addressed to `recipient_key_id`.

    `trusted_senders`: the envelope must be signed by one of these keys; None accepts any envelope,
    signed or not, without checking the signature (and reports no sender). `seen_nonces`: replay
    store, None to skip the replay check. `window_seconds`: allowed clock difference either way,
    None to skip the freshness check (archives); a replay check needs a window.
    """
    if seen_nonces is not None and window_seconds is None:
        raise ValueError("a replay check needs a freshness window")
    parsed = _parse(data)
    sender_key_id = None
    if trusted_senders is not None:
        sender_key_id = _check_sender(parsed, trusted_senders)
    timestamp = datetime.fromtimestamp(parsed.header["ts"], UTC)
    current = _aware(now or datetime.now(UTC))
    if window_seconds is not None and abs((current - timestamp).total_seconds()) > window_seconds:
        raise EnvelopeExpired(f"envelope time {timestamp.isoformat()} is outside the freshness window")
    wrapped = next((r["ek"] for r in parsed.header["recipients"] if r["kid"] == recipient_key_id), None)
    if wrapped is None:
        raise EnvelopeNotForRecipient(f"envelope has no key for recipient {recipient_key_id!r}")
    cek = sm2_decrypt(recipient_private_key, wrapped)
    if len(cek) != SM4_KEY_SIZE:
        raise DecryptionFailed("wrapped content key has a wrong length")
    content = sm4_gcm_decrypt(cek, parsed.body, associated_data=parsed.prefix)
    nonce = bytes.fromhex(parsed.header["nonce"])
    if seen_nonces is not None and window_seconds is not None:
        expires_at = timestamp + timedelta(seconds=window_seconds)
        if not seen_nonces.check_and_remember(nonce, expires_at):
            raise EnvelopeReplayed("envelope nonce was already used")
    return OpenedEnvelope(content, sender_key_id, nonce, timestamp)


@dataclass(frozen=True, slots=True)
class _Parsed:
    prefix: bytes  # magic .. header: the SM4-GCM associated data
    signed: bytes  # everything the signature covers
    header: dict[str, Any]
    body: bytes
    signature: bytes


def _parse(data: bytes) -> _Parsed:
    if len(data) < _FIXED or data[:4] != MAGIC:
        raise MalformedInput("not a FieldBank envelope")
    if data[4] != FORMAT_VERSION:
        raise MalformedInput(f"unsupported envelope version {data[4]}")
    header_len = int.from_bytes(data[5:9], "big")
    if header_len > _MAX_HEADER or len(data) < _FIXED + header_len + 8 + 2:
        raise MalformedInput("envelope is truncated")
    prefix_end = _FIXED + header_len
    body_len = int.from_bytes(data[prefix_end : prefix_end + 8], "big")
    signed_end = prefix_end + 8 + body_len
    if len(data) < signed_end + 2:
        raise MalformedInput("envelope is truncated")
    sig_len = int.from_bytes(data[signed_end : signed_end + 2], "big")
    if len(data) != signed_end + 2 + sig_len:
        raise MalformedInput("envelope length does not match its fields")
    header = _parse_header(data[_FIXED:prefix_end])
    if (header["sender"] is None) != (sig_len == 0):
        raise MalformedInput("envelope sender and signature must be present together")
    return _Parsed(
        prefix=data[:prefix_end],
        signed=data[:signed_end],
        header=header,
        body=data[prefix_end + 8 : signed_end],
        signature=data[signed_end + 2 :],
    )


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise MalformedInput("envelope header has duplicate keys")
    return result


def _reject_constant(name: str) -> Any:
    raise MalformedInput(f"envelope header contains {name}")


def _parse_header(raw: bytes) -> dict[str, Any]:
    try:
        header = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise MalformedInput("envelope header is not JSON") from exc
    if not isinstance(header, dict) or set(header) != _HEADER_KEYS or header["suite"] != SUITE:
        raise MalformedInput("envelope header fields are not those of version 1")
    if type(header["ts"]) is not int or not 0 <= header["ts"] < 2**40:
        raise MalformedInput("envelope timestamp is not an integer number of seconds")
    nonce = header["nonce"]
    if not isinstance(nonce, str) or not re.fullmatch(f"[0-9a-f]{{{2 * NONCE_SIZE}}}", nonce):
        raise MalformedInput("envelope nonce is not 16 bytes of lower-case hex")
    if header["sender"] is not None:
        _check_key_id(header["sender"])
    recipients = header["recipients"]
    if not isinstance(recipients, list) or not recipients:
        raise MalformedInput("envelope has no recipients")
    for entry in recipients:
        if not isinstance(entry, dict) or set(entry) != {"kid", "ek"} or not isinstance(entry["ek"], str):
            raise MalformedInput("envelope recipient entry is malformed")
        _check_key_id(entry["kid"])
        entry["ek"] = _unb64(entry["ek"])
    if len({entry["kid"] for entry in recipients}) != len(recipients):
        raise MalformedInput("envelope names a recipient twice")
    return header


def _check_sender(parsed: _Parsed, trusted_senders: Mapping[str, SM2PublicKey]) -> str:
    sender = parsed.header["sender"]
    if sender is None:
        raise UntrustedSender("envelope is not signed")
    key = trusted_senders.get(sender)
    if key is None:
        raise UntrustedSender(f"envelope sender {sender!r} is not trusted")
    sm2_verify(key, parsed.signed, parsed.signature)
    return str(sender)


def _check_key_id(kid: object) -> None:
    if not isinstance(kid, str) or not _KEY_ID_RE.fullmatch(kid):
        raise MalformedInput("key ids are 1-64 characters of A-Z a-z 0-9 . _ : -")


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("pass an aware datetime (UTC)")
    return moment


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise MalformedInput("envelope field is not base64") from exc
