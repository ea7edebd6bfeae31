"""SM2 signatures and encryption (GB/T 32918) over gmssl-pyx, with Z_A computed here.

Canonical forms: signature = DER SEQUENCE{r, s}; ciphertext = GM/T 0009 DER
SEQUENCE{x, y, C3, C2} (C1C3C2 order). Raw r||s and raw C1C3C2 exist only as converters for peers.

gmssl-pyx's own `sm2_sign(message)` recomputes Z_A on every call and is about 10x slower than its
digest API; we hash e = SM3(Z_A || M) ourselves with Z_A cached per (public key, user id).

GmSSL prints an error trace to stderr (fd 2) whenever a verification or decryption fails inside the
C library. Redirecting fd 2 per call would be slow and unsafe with threads, so inputs are validated
here first (strict DER, ranges, curve points): malformed input never reaches GmSSL, and only a
well-formed but wrong signature or ciphertext still prints its one trace. That is rare and worth
logging anyway; route the process's stderr to the log collector in deployments.
"""

from __future__ import annotations

from functools import lru_cache

import gmssl_pyx

from crypto import _der
from crypto._sm2_curve import GX, GY, A, B, N, is_on_curve
from crypto.errors import BadSignature, CryptoError, DecryptionFailed, MalformedInput
from crypto.sm2_keys import SM2PrivateKey, SM2PublicKey
from crypto.sm3 import sm3, sm3_hasher

DEFAULT_USER_ID = b"1234567812345678"
MAX_PLAINTEXT_SIZE = 255  # GmSSL's SM2 limit; SM2 only ever wraps keys here
_CURVE_BYTES = b"".join(v.to_bytes(32, "big") for v in (A, B, GX, GY))


@lru_cache(maxsize=4096)
def sm2_za(public_key: SM2PublicKey, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA), cached per (key, user id)."""
    if len(user_id) >= 8192:
        raise MalformedInput("SM2 user id must be shorter than 8192 bytes")
    return sm3((len(user_id) * 8).to_bytes(2, "big") + user_id + _CURVE_BYTES + public_key.xy)


def _message_digest(public_key: SM2PublicKey, user_id: bytes, message: bytes) -> bytes:
    hasher = sm3_hasher()
    hasher.update(sm2_za(public_key, user_id))
    hasher.update(message)
    return hasher.finalize()


def sm2_sign(private_key: SM2PrivateKey, message: bytes, *, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """Sign `message` (SM3 with Z_A); return a DER signature. The nonce comes from GmSSL's CSPRNG."""
    digest = _message_digest(private_key.public_key, user_id, message)
    try:
        return gmssl_pyx.sm2_sign_sm3_digest(private_key.to_bytes(), digest)
    except gmssl_pyx.GmsslInnerError as exc:
        raise CryptoError("SM2 signing failed") from exc


def sm2_verify(
    public_key: SM2PublicKey, message: bytes, signature: bytes, *, user_id: bytes = DEFAULT_USER_ID
) -> None:
    """Return if `signature` (DER) is valid for `message`; otherwise raise `BadSignature`."""
    try:
        _decode_signature(signature)
    except MalformedInput as exc:
        raise BadSignature(str(exc)) from exc
    digest = _message_digest(public_key, user_id, message)
    try:
        valid = gmssl_pyx.sm2_verify_sm3_digest(public_key.xy, digest, signature)
    except gmssl_pyx.GmsslInnerError as exc:
        raise BadSignature("SM2 signature rejected") from exc
    if not valid:
        raise BadSignature("SM2 signature does not verify")


def sm2_encrypt(public_key: SM2PublicKey, plaintext: bytes) -> bytes:
    """Encrypt 1-255 bytes (a content key) to `public_key`; return GM/T 0009 DER C1C3C2."""
    if not 1 <= len(plaintext) <= MAX_PLAINTEXT_SIZE:
        raise MalformedInput(f"SM2 plaintext must be 1-{MAX_PLAINTEXT_SIZE} bytes; wrap a key, not data")
    try:
        return gmssl_pyx.sm2_encrypt(public_key.xy, plaintext)
    except gmssl_pyx.GmsslInnerError as exc:
        raise CryptoError("SM2 encryption failed") from exc


def sm2_decrypt(private_key: SM2PrivateKey, ciphertext: bytes) -> bytes:
    """Decrypt GM/T 0009 DER C1C3C2; raise `DecryptionFailed` if tampered, malformed or for another key."""
    try:
        _decode_ciphertext(ciphertext)
    except MalformedInput as exc:
        raise DecryptionFailed(str(exc)) from exc
    try:
        return gmssl_pyx.sm2_decrypt(private_key.to_bytes(), ciphertext)
    except gmssl_pyx.GmsslInnerError as exc:
        raise DecryptionFailed("SM2 decryption failed: C3 mismatch or wrong key") from exc


def _decode_signature(der: bytes) -> tuple[int, int]:
    outer = _der.DerReader(der, "SM2 signature")
    body = _der.DerReader(outer.read(_der.SEQUENCE), "SM2 signature")
    outer.finish()
    r, s = body.read_integer(), body.read_integer()
    body.finish()
    if not (1 <= r < N and 1 <= s < N):
        raise MalformedInput("SM2 signature r or s out of range")
    return r, s


def _decode_ciphertext(der: bytes) -> tuple[int, int, bytes, bytes]:
    outer = _der.DerReader(der, "SM2 ciphertext")
    body = _der.DerReader(outer.read(_der.SEQUENCE), "SM2 ciphertext")
    outer.finish()
    x, y = body.read_integer(), body.read_integer()
    c3, c2 = body.read(_der.OCTET_STRING), body.read(_der.OCTET_STRING)
    body.finish()
    if not is_on_curve(x, y):
        raise MalformedInput("SM2 ciphertext C1 is not a curve point")
    if len(c3) != 32 or not 1 <= len(c2) <= MAX_PLAINTEXT_SIZE:
        raise MalformedInput("SM2 ciphertext C3 or C2 has a wrong length")
    return x, y, c3, c2


def sm2_signature_to_raw(signature: bytes) -> bytes:
    """DER signature -> raw r || s (64 bytes), for peers such as sm-crypto or gmssl."""
    r, s = _decode_signature(signature)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def sm2_signature_from_raw(raw: bytes) -> bytes:
    """Raw r || s (64 bytes) -> DER signature."""
    if len(raw) != 64:
        raise MalformedInput("raw SM2 signature must be 64 bytes (r || s)")
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    if not (1 <= r < N and 1 <= s < N):
        raise MalformedInput("SM2 signature r or s out of range")
    return _der.encode_sequence(_der.encode_integer(r), _der.encode_integer(s))


def sm2_ciphertext_to_raw(ciphertext: bytes, *, point_prefix: bool) -> bytes:
    """DER C1C3C2 -> raw C1 || C3 || C2, C1 = [04 ||] x || y.

    `point_prefix` must be stated: peers disagree (gmssl mode=1 and sm-crypto omit 04, others add it)
    and the bytes alone cannot tell, since x itself may start with 04 (it does in the GB/T vector).
    """
    x, y, c3, c2 = _decode_ciphertext(ciphertext)
    return (b"\x04" if point_prefix else b"") + x.to_bytes(32, "big") + y.to_bytes(32, "big") + c3 + c2


def sm2_ciphertext_from_raw(raw: bytes, *, point_prefix: bool) -> bytes:
    """Raw C1 || C3 || C2 (C1 with or without 04, as stated) -> DER C1C3C2. C1C2C3 is not accepted."""
    if point_prefix:
        if not raw or raw[0] != 4:
            raise MalformedInput("raw SM2 ciphertext does not start with 04")
        raw = raw[1:]
    if len(raw) < 64 + 32 + 1:
        raise MalformedInput("raw SM2 ciphertext is too short")
    x, y = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big")
    if not is_on_curve(x, y):
        raise MalformedInput("raw SM2 ciphertext C1 is not a curve point (wrong point_prefix or order?)")
    c3, c2 = raw[64:96], raw[96:]
    if len(c2) > MAX_PLAINTEXT_SIZE:
        raise MalformedInput("raw SM2 ciphertext C2 is too long")
    return _der.encode_sequence(
        _der.encode_integer(x),
        _der.encode_integer(y),
        _der.encode_tlv(_der.OCTET_STRING, c3),
        _der.encode_tlv(_der.OCTET_STRING, c2),
    )
