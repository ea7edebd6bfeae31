"""The platform's keys: SM2 signing and encryption key pairs, the key-encryption key, the index key.

Keys live in a directory outside the repository (layout in crypto/README.md) or arrive as explicit
overrides from the settings object; this module reads no environment and no settings itself.
Rotation adds a key and makes it current; retired keys stay loaded for verification and decryption.
Production keys belong in a certified crypto module (domain.md §9.6): this store is the software
fallback for development, the embedded default and small installs.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from crypto.errors import KeyStoreError, MalformedInput, UnknownKeyId
from crypto.sm2_keys import SM2PrivateKey, SM2PublicKey
from crypto.sm3 import sm3
from crypto.sm4 import SM4_KEY_SIZE, generate_sm4_key, sm4_encrypt_block

MANIFEST = "keys.json"
INDEX_KEY_FILE = "index-key.hex"
INDEX_KEY_SIZE = 32
_FORMAT = 1
_SM2_KINDS = ("signing", "encryption")


def kek_key_id(kek: bytes) -> str:
    """Short stable id of a KEK: the first 8 bytes of SM3 of its check block SM4(kek, 0^16), in hex."""
    return sm3(sm4_encrypt_block(kek, bytes(16)))[:8].hex()


@dataclass(frozen=True)
class _Ring:
    """One kind of key: the current id and every key still kept (current and retired)."""

    current: str
    keys: Mapping[str, object] = field(default_factory=dict)

    def add(self, kid: str, key: object) -> _Ring:
        return _Ring(kid, {**self.keys, kid: key})


@dataclass(frozen=True)
class _State:
    signing: _Ring
    encryption: _Ring
    kek: _Ring
    index_key: bytes


class KeyStore:
    """Loaded platform keys. Thread-safe: readers see one consistent snapshot, rotation swaps it."""

    def __init__(self, state: _State, directory: Path | None, *, overridden: bool) -> None:
        self._state = state
        self._directory = directory
        self._overridden = overridden
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        s = self._state
        ids = f"signing={s.signing.current!r}, encryption={s.encryption.current!r}, kek={s.kek.current!r}"
        return f"KeyStore({ids})"

    @property
    def signing_key_id(self) -> str:
        return self._state.signing.current

    @property
    def signing_key(self) -> SM2PrivateKey:
        """The current platform signing key (evidence packages, commands, outgoing envelopes)."""
        return self._sm2(self._state.signing, self._state.signing.current)

    @property
    def encryption_key_id(self) -> str:
        return self._state.encryption.current

    @property
    def encryption_key(self) -> SM2PrivateKey:
        """The current platform encryption key: devices wrap envelope content keys to it."""
        return self._sm2(self._state.encryption, self._state.encryption.current)

    def encryption_private_key(self, key_id: str) -> SM2PrivateKey:
        """Any kept encryption key, so envelopes sealed to a retired key still open."""
        return self._sm2(self._state.encryption, key_id)

    def verification_keys(self) -> dict[str, SM2PublicKey]:
        """Public keys of every kept signing key, by key id (use as `trusted_senders`)."""
        ring = self._state.signing
        return {kid: self._sm2(ring, kid).public_key for kid in ring.keys}

    @property
    def kek_id(self) -> str:
        return self._state.kek.current

    def current_kek(self) -> tuple[str, bytes]:
        ring = self._state.kek
        return ring.current, self.kek(ring.current)

    def kek(self, key_id: str) -> bytes:
        key = self._state.kek.keys.get(key_id)
        if not isinstance(key, bytes):
            raise UnknownKeyId(f"no key-encryption key {key_id!r} in the key store")
        return key

    @property
    def index_key(self) -> bytes:
        """Key of the blind indexes: never rotated with the KEK, since stored indexes depend on it."""
        return self._state.index_key

    def rotate_signing_key(self) -> str:
        """Create a new signing key pair, make it current, keep the old one for verification."""
        return self._rotate("signing")

    def rotate_encryption_key(self) -> str:
        return self._rotate("encryption")

    def rotate_kek(self) -> str:
        """Create a new KEK for new ciphertexts; old KEKs stay for decryption and re-wrapping."""
        return self._rotate("kek")

    def _rotate(self, kind: str) -> str:
        if self._directory is None or self._overridden:
            raise KeyStoreError("keys given as overrides are rotated where they are stored, not here")
        with self._lock:
            kid, key = _new_key(kind)
            _write_key(self._directory, kind, kid, key)
            state = replace(self._state, **{kind: getattr(self._state, kind).add(kid, key)})
            _write_manifest(self._directory, state)
            self._state = state
        return kid

    @staticmethod
    def _sm2(ring: _Ring, key_id: str) -> SM2PrivateKey:
        key = ring.keys.get(key_id)
        if not isinstance(key, SM2PrivateKey):
            raise UnknownKeyId(f"no SM2 key {key_id!r} in the key store")
        return key


def init_key_store(directory: str | Path) -> KeyStore:
    """Create every key for a new install (directory 0700, secret files 0600); refuse to overwrite."""
    path = Path(directory)
    if (path / MANIFEST).exists():
        raise KeyStoreError(f"a key store already exists in {path}; refusing to overwrite it")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    rings = {}
    for kind in (*_SM2_KINDS, "kek"):
        kid, key = _new_key(kind)
        _write_key(path, kind, kid, key)
        rings[kind] = _Ring(kid, {kid: key})
    index_key = secrets.token_bytes(INDEX_KEY_SIZE)
    _write_secret(path / INDEX_KEY_FILE, index_key.hex().encode() + b"\n")
    state = _State(rings["signing"], rings["encryption"], rings["kek"], index_key)
    _write_manifest(path, state)
    return KeyStore(state, path, overridden=False)


def load_key_store(
    directory: str | Path | None,
    *,
    signing_key_pem: bytes | str | None = None,
    encryption_key_pem: bytes | str | None = None,
    kek: bytes | None = None,
    index_key: bytes | None = None,
) -> KeyStore:
    """Load the key store; an override becomes the current key of its kind.

    Keys in `directory` (if given and initialised) stay available as retired keys next to the
    overrides. Without a directory, all four keys must be given.
    """
    path = Path(directory) if directory is not None else None
    loaded = _load_directory(path) if path is not None and (path / MANIFEST).exists() else None
    if path is not None and loaded is None and None in (signing_key_pem, encryption_key_pem, kek, index_key):
        raise KeyStoreError(f"no key store in {path}; create one with `fieldbank keys init`")
    if loaded is None and None in (signing_key_pem, encryption_key_pem, kek, index_key):
        raise KeyStoreError("without a key directory, give the signing, encryption, KEK and index keys")
    rings: dict[str, _Ring] = {}
    for kind, pem in (("signing", signing_key_pem), ("encryption", encryption_key_pem)):
        base = getattr(loaded, kind) if loaded else None
        rings[kind] = _override(base, None if pem is None else _parse_sm2(pem, f"{kind} key override"))
    if kek is not None and len(kek) != SM4_KEY_SIZE:
        raise KeyStoreError("the KEK override must be 16 bytes")
    rings["kek"] = _override(loaded.kek if loaded else None, kek)
    if index_key is not None and loaded is not None and index_key != loaded.index_key:
        raise KeyStoreError("the index key override differs from the key store's index key")
    final_index = index_key if index_key is not None else loaded.index_key if loaded else b""
    if len(final_index) < 16:
        raise KeyStoreError("the index key must be at least 16 bytes")
    state = _State(rings["signing"], rings["encryption"], rings["kek"], final_index)
    overridden = any(v is not None for v in (signing_key_pem, encryption_key_pem, kek, index_key))
    return KeyStore(state, path, overridden=overridden)


def load_or_init_key_store(directory: str | Path) -> KeyStore:
    """Embedded default: load the store in `directory`, creating it on first run."""
    path = Path(directory)
    return load_key_store(path) if (path / MANIFEST).exists() else init_key_store(path)


def _override(base: _Ring | None, key: SM2PrivateKey | bytes | None) -> _Ring:
    if key is None:
        if base is None:
            raise KeyStoreError("a key is missing")  # unreachable: load_key_store checks first
        return base
    kid = key.key_id if isinstance(key, SM2PrivateKey) else kek_key_id(key)
    return base.add(kid, key) if base else _Ring(kid, {kid: key})


def _new_key(kind: str) -> tuple[str, SM2PrivateKey | bytes]:
    if kind == "kek":
        kek = generate_sm4_key()
        return kek_key_id(kek), kek
    key = SM2PrivateKey.generate()
    return key.key_id, key


def _key_file(directory: Path, kind: str, kid: str) -> Path:
    return directory / (f"kek-{kid}.hex" if kind == "kek" else f"{kind}-{kid}.pem")


def _write_key(directory: Path, kind: str, kid: str, key: SM2PrivateKey | bytes) -> None:
    if isinstance(key, SM2PrivateKey):
        _write_secret(_key_file(directory, kind, kid), key.to_pem())
        (directory / f"{kind}-{kid}.pub.pem").write_bytes(key.public_key.to_pem())
    else:
        _write_secret(_key_file(directory, kind, kid), key.hex().encode() + b"\n")


def _write_secret(path: Path, content: bytes) -> None:
    """Create `path` 0600; never overwrite (O_EXCL), and sync before the manifest names it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise KeyStoreError(f"{path} already exists; refusing to overwrite a key") from exc
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _write_manifest(directory: Path, state: _State) -> None:
    manifest: dict[str, object] = {"format": _FORMAT}
    for kind in (*_SM2_KINDS, "kek"):
        ring: _Ring = getattr(state, kind)
        manifest[kind] = {"current": ring.current, "keys": list(ring.keys)}
    temporary = directory / f".{MANIFEST}.{secrets.token_hex(4)}"
    _write_secret(temporary, json.dumps(manifest, indent=2).encode() + b"\n")
    os.replace(temporary, directory / MANIFEST)  # atomic: readers see the old or the new manifest


def _load_directory(path: Path) -> _State:
    try:
        manifest = json.loads(_read_secret(path / MANIFEST))
        if manifest.get("format") != _FORMAT:
            raise KeyStoreError(f"unsupported key store format in {path / MANIFEST}")
        rings = {}
        for kind in (*_SM2_KINDS, "kek"):
            entry = manifest[kind]
            keys = {kid: _read_key(path, kind, kid) for kid in entry["keys"]}
            if entry["current"] not in keys:
                raise KeyStoreError(f"current {kind} key is not among the kept keys")
            rings[kind] = _Ring(entry["current"], keys)
        index_key = bytes.fromhex(_read_secret(path / INDEX_KEY_FILE).decode().strip())
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise KeyStoreError(f"key store in {path} is damaged: {exc}") from exc
    return _State(rings["signing"], rings["encryption"], rings["kek"], index_key)


def _read_key(path: Path, kind: str, kid: str) -> SM2PrivateKey | bytes:
    content = _read_secret(_key_file(path, kind, kid))
    key: SM2PrivateKey | bytes
    if kind == "kek":
        key = bytes.fromhex(content.decode().strip())
        actual = kek_key_id(key) if len(key) == SM4_KEY_SIZE else "bad length"
    else:
        key = _parse_sm2(content, f"{kind} key {kid}")
        actual = key.key_id
    if actual != kid:
        raise KeyStoreError(f"{kind} key file for {kid} holds a different key ({actual})")
    return key


def _read_secret(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise KeyStoreError(f"key file {path} is missing") from exc
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyStoreError(f"{path} is accessible to group or others; chmod 600 it")
    return path.read_bytes()


def _parse_sm2(pem: bytes | str, what: str) -> SM2PrivateKey:
    try:
        return SM2PrivateKey.from_pem(pem)
    except MalformedInput as exc:
        raise KeyStoreError(f"{what} is not an SM2 private key PEM: {exc}") from exc
