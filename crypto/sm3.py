"""SM3 hash and HMAC-SM3 (GB/T 32905), backed by `cryptography` (OpenSSL), the fastest measured here."""

from __future__ import annotations

from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as _hmac

from crypto.errors import BadSignature

SM3_DIGEST_SIZE = 32


class Digest(Protocol):
    """An incremental hash or MAC: feed it with `update`, read it once with `finalize`."""

    def update(self, data: bytes, /) -> None: ...

    def finalize(self) -> bytes: ...


def sm3(data: bytes) -> bytes:
    """Return the 32-byte SM3 digest of `data`."""
    hasher = hashes.Hash(hashes.SM3())
    hasher.update(data)
    return hasher.finalize()


def sm3_hasher() -> Digest:
    """Return an incremental SM3 hash, for files too large to hold in memory (evidence blobs)."""
    return hashes.Hash(hashes.SM3())


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """Return the 32-byte HMAC-SM3 of `data` under `key` (MAK, blind indexes, blob addresses)."""
    mac = _hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def hmac_sm3_hasher(key: bytes) -> Digest:
    """Return an incremental HMAC-SM3, for streaming large blobs."""
    return _hmac.HMAC(key, hashes.SM3())


def verify_hmac_sm3(key: bytes, data: bytes, mac: bytes) -> None:
    """Check a HMAC-SM3 tag in constant time; raise `BadSignature` if it does not match."""
    checker = _hmac.HMAC(key, hashes.SM3())
    checker.update(data)
    try:
        checker.verify(mac)
    except InvalidSignature as exc:
        raise BadSignature("HMAC-SM3 tag does not match") from exc
