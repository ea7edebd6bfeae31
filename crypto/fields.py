"""Field encryption for personal data at rest, and blind indexes to look values up without storing them.

Each value gets its own random SM4 data key (DEK), wrapped by the current key-encryption key (KEK)
with SM4-GCM; the KEK id travels with the ciphertext, so after a KEK rotation old values still
decrypt and `rewrap` can move them to the new KEK without touching the data. The data is SM4-GCM
encrypted under the DEK with the caller's `context` (e.g. b"customer.id_number:<customer id>") as
associated data: a value copied into another column or row does not decrypt. Formats: README.md.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, overload

from crypto.errors import DecryptionFailed
from crypto.sm3 import hmac_sm3
from crypto.sm4 import (
    GCM_NONCE_SIZE,
    GCM_TAG_SIZE,
    SM4_KEY_SIZE,
    generate_sm4_key,
    sm4_gcm_decrypt,
    sm4_gcm_encrypt,
)

TEXT_PREFIX = "fb1"
BLOB_MAGIC = b"FBF\x01"
_WRAPPED_SIZE = GCM_NONCE_SIZE + SM4_KEY_SIZE + GCM_TAG_SIZE
_KEK_ID_RE = re.compile(r"[0-9a-f]{1,64}")
_B64URL_RE = re.compile(r"[A-Za-z0-9_-]+")


class FieldKeys(Protocol):
    """Where `FieldCipher` gets its keys (implemented by `KeyStore`).

    `kek(key_id)` raises `UnknownKeyId` for a key it does not hold; `index_key` never changes for the
    life of the data, because stored blind indexes depend on it.
    """

    def current_kek(self) -> tuple[str, bytes]: ...

    def kek(self, key_id: str) -> bytes: ...

    @property
    def index_key(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class _Sealed:
    kek_id: str
    wrapped_dek: bytes
    data: bytes  # nonce || ciphertext || tag under the DEK


def _normalise_id_number(value: str) -> str:
    return "".join(value.split()).upper()


def _normalise_mobile(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value)
    return re.sub(r"^(?:\+86|0086|86)(?=1\d{10}$)", "", digits)


_NORMALISERS: dict[str, Callable[[str], str]] = {
    "id_number": _normalise_id_number,
    "mobile": _normalise_mobile,
    "card_number": lambda value: re.sub(r"[\s-]", "", value),
    "account_number": lambda value: re.sub(r"[\s-]", "", value),
    "email": lambda value: value.strip().lower(),
    # a journey's canonical summary of its own data (an answer pattern): already normalised by the journey
    "fingerprint": lambda value: value,
}
BLIND_INDEX_KINDS = frozenset(_NORMALISERS)


class FieldCipher:
    """Encrypts and decrypts personal-data fields; computes their blind indexes."""

    def __init__(self, keys: FieldKeys) -> None:
        self._keys = keys

    def encrypt(self, plaintext: str | bytes, *, context: bytes) -> str:
        """Encrypt a column value; return the compact text form for a DB column."""
        return _to_text(self._seal(plaintext, context))

    def decrypt(self, token: str, *, context: bytes) -> bytes:
        return self._open(_from_text(token), context)

    def decrypt_text(self, token: str, *, context: bytes) -> str:
        """Decrypt a value that was encrypted from a `str`."""
        try:
            return self.decrypt(token, context=context).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecryptionFailed("field value is not UTF-8 text") from exc

    def encrypt_bytes(self, plaintext: bytes, *, context: bytes) -> bytes:
        """Encrypt a blob (ID photo, face image, document); return the binary form."""
        return _to_bytes(self._seal(plaintext, context))

    def decrypt_bytes(self, blob: bytes, *, context: bytes) -> bytes:
        return self._open(_from_bytes(blob), context)

    def needs_rewrap(self, token: str | bytes) -> bool:
        """True if the value's DEK is wrapped by a KEK other than the current one."""
        sealed = _from_text(token) if isinstance(token, str) else _from_bytes(token)
        return sealed.kek_id != self._keys.current_kek()[0]

    @overload
    def rewrap(self, token: str) -> str: ...

    @overload
    def rewrap(self, token: bytes) -> bytes: ...

    def rewrap(self, token: str | bytes) -> str | bytes:
        """Re-wrap the DEK under the current KEK (after a rotation); the data part is unchanged."""
        sealed = _from_text(token) if isinstance(token, str) else _from_bytes(token)
        kek_id, kek = self._keys.current_kek()
        dek = self._unwrap(sealed)
        rewrapped = _Sealed(kek_id, sm4_gcm_encrypt(kek, dek, associated_data=_wrap_aad(kek_id)), sealed.data)
        return _to_text(rewrapped) if isinstance(token, str) else _to_bytes(rewrapped)

    def blind_index(self, value: str, *, kind: str = "id_number") -> str:
        """Keyed SM3 (HMAC) of the normalised value: equal values give equal indexes, nothing else leaks.

        The ID number is normalised first (whitespace removed, x upper-cased); `kind` also separates
        the index spaces, so a mobile number and an ID never share an index.
        """
        normalise = _NORMALISERS.get(kind)
        if normalise is None:
            raise ValueError(f"unknown blind index kind {kind!r}; known: {sorted(BLIND_INDEX_KINDS)}")
        normalised = normalise(unicodedata.normalize("NFC", value))
        message = b"fieldbank/blind-index/v1|" + kind.encode() + b"|" + normalised.encode("utf-8")
        return hmac_sm3(self._keys.index_key, message)[:16].hex()

    def _seal(self, plaintext: str | bytes, context: bytes) -> _Sealed:
        if not context:
            raise ValueError("field encryption needs a context (column and record) to bind the value to")
        data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
        kek_id, kek = self._keys.current_kek()
        dek = generate_sm4_key()
        wrapped = sm4_gcm_encrypt(kek, dek, associated_data=_wrap_aad(kek_id))
        return _Sealed(kek_id, wrapped, sm4_gcm_encrypt(dek, data, associated_data=_data_aad(context)))

    def _open(self, sealed: _Sealed, context: bytes) -> bytes:
        return sm4_gcm_decrypt(self._unwrap(sealed), sealed.data, associated_data=_data_aad(context))

    def _unwrap(self, sealed: _Sealed) -> bytes:
        kek = self._keys.kek(sealed.kek_id)
        return sm4_gcm_decrypt(kek, sealed.wrapped_dek, associated_data=_wrap_aad(sealed.kek_id))


def _wrap_aad(kek_id: str) -> bytes:
    return b"fieldbank/field/v1/dek|" + kek_id.encode()


def _data_aad(context: bytes) -> bytes:
    return b"fieldbank/field/v1/data|" + context


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not _B64URL_RE.fullmatch(text):
        raise DecryptionFailed("field ciphertext is not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise DecryptionFailed("field ciphertext is not base64url") from exc
    if _b64url(data) != text:  # one encoding per value: no silently ignored trailing bits
        raise DecryptionFailed("field ciphertext has non-canonical base64url")
    return data


def _check(kek_id: str, wrapped: bytes, data: bytes) -> _Sealed:
    if not _KEK_ID_RE.fullmatch(kek_id):
        raise DecryptionFailed("field ciphertext has a malformed key id")
    if len(wrapped) != _WRAPPED_SIZE or len(data) < GCM_NONCE_SIZE + GCM_TAG_SIZE:
        raise DecryptionFailed("field ciphertext is truncated")
    return _Sealed(kek_id, wrapped, data)


def _to_text(sealed: _Sealed) -> str:
    return ".".join((TEXT_PREFIX, sealed.kek_id, _b64url(sealed.wrapped_dek), _b64url(sealed.data)))


def _from_text(token: str) -> _Sealed:
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != TEXT_PREFIX:
        raise DecryptionFailed("not a fb1 field ciphertext")
    return _check(parts[1], _unb64url(parts[2]), _unb64url(parts[3]))


def _to_bytes(sealed: _Sealed) -> bytes:
    kid = sealed.kek_id.encode("ascii")
    return BLOB_MAGIC + bytes([len(kid)]) + kid + sealed.wrapped_dek + sealed.data


def _from_bytes(blob: bytes) -> _Sealed:
    if blob[:4] != BLOB_MAGIC or len(blob) < 5:
        raise DecryptionFailed("not a FBF1 encrypted blob")
    end = 5 + blob[4]
    try:
        kek_id = blob[5:end].decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecryptionFailed("encrypted blob has a malformed key id") from exc
    return _check(kek_id, blob[end : end + _WRAPPED_SIZE], blob[end + _WRAPPED_SIZE :])
