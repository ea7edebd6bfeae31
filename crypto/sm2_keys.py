"""SM2 key pairs: generation, byte forms, PEM (PKCS#8 / SubjectPublicKeyInfo) and key ids.

PEM is encoded here because `cryptography` rejects the SM2 curve and gmssl-pyx has no SM2 PEM. The
layout is what OpenSSL 3 and GmSSL emit (algorithm id-ecPublicKey with parameters sm2p256v1), so
`openssl pkey -in key.pem -text -noout` reads our files and we read theirs.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

import gmssl_pyx

from crypto import _der
from crypto._sm2_curve import N, decompress, is_on_curve, scalar_base_mult
from crypto.errors import CryptoError, MalformedInput
from crypto.sm3 import sm3

_EC_PUBLIC_KEY = _der.encode_oid("1.2.840.10045.2.1")
_SM2P256V1 = _der.encode_oid("1.2.156.10197.1.301")
_OID_EC_PUBLIC_KEY = _EC_PUBLIC_KEY[2:]  # bodies, as DerReader.read_oid returns them
_OID_SM2P256V1 = _SM2P256V1[2:]
_ALGORITHM = _der.encode_sequence(_EC_PUBLIC_KEY, _SM2P256V1)
_PEM_RE = re.compile(rb"-----BEGIN ([A-Z ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----")


@dataclass(frozen=True, slots=True)
class SM2PublicKey:
    """An SM2 public key, always a valid curve point; canonical bytes are 04 || x || y (65 bytes)."""

    xy: bytes  # x || y, 64 bytes: the form gmssl-pyx takes

    def __post_init__(self) -> None:
        if len(self.xy) != 64:
            raise MalformedInput("SM2 public key x || y must be 64 bytes")
        if not is_on_curve(int.from_bytes(self.xy[:32], "big"), int.from_bytes(self.xy[32:], "big")):
            raise MalformedInput("SM2 public key is not a point of the curve")

    @classmethod
    def from_bytes(cls, data: bytes) -> SM2PublicKey:
        """Accept 04 || x || y (65), bare x || y (64, gmssl and gmssl-pyx) or compressed (33) forms."""
        if len(data) == 65 and data[0] == 4:
            return cls(data[1:])
        if len(data) == 64:
            return cls(data)
        if len(data) == 33 and data[0] in (2, 3):
            point = decompress(data[0], int.from_bytes(data[1:], "big"))
            if point is None:
                raise MalformedInput("compressed SM2 public key is not on the curve")
            return cls(point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big"))
        raise MalformedInput("SM2 public key must be 65 (04||x||y), 64 (x||y) or 33 (compressed) bytes")

    def to_bytes(self) -> bytes:
        return b"\x04" + self.xy

    @property
    def key_id(self) -> str:
        """Short stable id: the first 8 bytes of SM3(04 || x || y), in hex."""
        return sm3(self.to_bytes())[:8].hex()

    def to_der(self) -> bytes:
        bits = _der.encode_tlv(_der.BIT_STRING, b"\x00" + self.to_bytes())
        return _der.encode_sequence(_ALGORITHM, bits)

    @classmethod
    def from_der(cls, der: bytes) -> SM2PublicKey:
        outer = _der.DerReader(der, "SubjectPublicKeyInfo")
        spki = _der.DerReader(outer.read(_der.SEQUENCE), "SubjectPublicKeyInfo")
        outer.finish()
        _read_algorithm(spki)
        bits = spki.read(_der.BIT_STRING)
        spki.finish()
        if not bits or bits[0] != 0:
            raise MalformedInput("SM2 public key BIT STRING has unused bits")
        return cls.from_bytes(bits[1:])

    def to_pem(self) -> bytes:
        return _pem_encode("PUBLIC KEY", self.to_der())

    @classmethod
    def from_pem(cls, pem: bytes | str) -> SM2PublicKey:
        return cls.from_der(_pem_decode(pem, "PUBLIC KEY"))


class SM2PrivateKey:
    """An SM2 private key with its public key; the secret never appears in repr or equality."""

    __slots__ = ("_secret", "public_key")

    def __init__(self, secret: bytes, public_key: SM2PublicKey | None = None) -> None:
        if len(secret) != 32:
            raise MalformedInput("SM2 private key must be 32 bytes")
        d = int.from_bytes(secret, "big")
        if not 1 <= d <= N - 2:  # GB/T 32918.1: d in [1, n-2], since signing divides by 1 + d
            raise MalformedInput("SM2 private key is out of range")
        x, y = scalar_base_mult(d)
        derived = SM2PublicKey(x.to_bytes(32, "big") + y.to_bytes(32, "big"))
        if public_key is not None and public_key != derived:
            raise MalformedInput("SM2 public key does not belong to the private key")
        self._secret = secret
        self.public_key = derived

    @classmethod
    def generate(cls) -> SM2PrivateKey:
        """Generate a key pair with GmSSL's CSPRNG."""
        try:
            xy, secret = gmssl_pyx.sm2_key_generate()
        except gmssl_pyx.GmsslInnerError as exc:
            raise CryptoError("SM2 key generation failed") from exc
        return cls(secret, SM2PublicKey(xy))

    def __repr__(self) -> str:
        return f"SM2PrivateKey(key_id={self.public_key.key_id!r})"

    def to_bytes(self) -> bytes:
        """The 32-byte secret scalar: handle as a secret."""
        return self._secret

    @property
    def key_id(self) -> str:
        return self.public_key.key_id

    def to_der(self) -> bytes:
        """PKCS#8 PrivateKeyInfo wrapping an ECPrivateKey with the public key, as OpenSSL 3 writes it."""
        point = _der.encode_tlv(_der.BIT_STRING, b"\x00" + self.public_key.to_bytes())
        public = _der.encode_tlv(_der.context_tag(1), point)
        ec_key = _der.encode_sequence(
            _der.encode_integer(1), _der.encode_tlv(_der.OCTET_STRING, self._secret), public
        )
        return _der.encode_sequence(
            _der.encode_integer(0), _ALGORITHM, _der.encode_tlv(_der.OCTET_STRING, ec_key)
        )

    @classmethod
    def from_der(cls, der: bytes) -> SM2PrivateKey:
        outer = _der.DerReader(der, "PKCS#8 private key")
        info = _der.DerReader(outer.read(_der.SEQUENCE), "PKCS#8 private key")
        outer.finish()
        if info.read_integer() != 0:
            raise MalformedInput("unsupported PKCS#8 version")
        _read_algorithm(info)
        ec_key = info.read(_der.OCTET_STRING)
        # optional [0] attributes / [1] public key of PKCS#8 v2 are not used for SM2 keys
        info.finish()
        return cls._from_ec_private_key(ec_key)

    @classmethod
    def _from_ec_private_key(cls, der: bytes) -> SM2PrivateKey:
        """Parse RFC 5915 ECPrivateKey (also the body of a SEC1 'EC PRIVATE KEY' PEM)."""
        outer = _der.DerReader(der, "ECPrivateKey")
        body = _der.DerReader(outer.read(_der.SEQUENCE), "ECPrivateKey")
        outer.finish()
        if body.read_integer() != 1:
            raise MalformedInput("unsupported ECPrivateKey version")
        secret = body.read(_der.OCTET_STRING)
        public: SM2PublicKey | None = None
        if body.peek_tag() == _der.context_tag(0):
            params = _der.DerReader(body.read(_der.context_tag(0)), "ECPrivateKey parameters")
            if params.read_oid() != _OID_SM2P256V1:
                raise MalformedInput("EC private key is not on the SM2 curve")
            params.finish()
        if body.peek_tag() == _der.context_tag(1):
            field = _der.DerReader(body.read(_der.context_tag(1)), "ECPrivateKey public key")
            bits = field.read(_der.BIT_STRING)
            field.finish()
            if not bits or bits[0] != 0:
                raise MalformedInput("SM2 public key BIT STRING has unused bits")
            public = SM2PublicKey.from_bytes(bits[1:])
        body.finish()
        return cls(secret.rjust(32, b"\x00"), public)  # some encoders drop leading zero bytes

    def to_pem(self) -> bytes:
        return _pem_encode("PRIVATE KEY", self.to_der())

    @classmethod
    def from_pem(cls, pem: bytes | str) -> SM2PrivateKey:
        """Read a PKCS#8 'PRIVATE KEY' or a SEC1 'EC PRIVATE KEY' PEM (unencrypted)."""
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        if b"ENCRYPTED" in data:  # GmSSL's sm2keygen writes these by default
            raise MalformedInput("encrypted SM2 keys are not supported; decrypt with `openssl pkey` first")
        match = _PEM_RE.search(data)
        if match is not None and match.group(1) == b"EC PRIVATE KEY":
            return cls._from_ec_private_key(_pem_decode(data, "EC PRIVATE KEY"))
        return cls.from_der(_pem_decode(data, "PRIVATE KEY"))


def _read_algorithm(reader: _der.DerReader) -> None:
    algorithm = _der.DerReader(reader.read(_der.SEQUENCE), "AlgorithmIdentifier")
    if algorithm.read_oid() != _OID_EC_PUBLIC_KEY:
        raise MalformedInput("key algorithm is not id-ecPublicKey")
    if algorithm.read_oid() != _OID_SM2P256V1:
        raise MalformedInput("key curve is not sm2p256v1 (1.2.156.10197.1.301)")
    algorithm.finish()


def _pem_encode(label: str, der: bytes) -> bytes:
    body = binascii.b2a_base64(der, newline=False)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return b"\n".join([f"-----BEGIN {label}-----".encode(), *lines, f"-----END {label}-----".encode(), b""])


def _pem_decode(pem: bytes | str, label: str) -> bytes:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    for match in _PEM_RE.finditer(data):
        if match.group(1).decode() == label:
            try:
                return binascii.a2b_base64(b"".join(match.group(2).split()), strict_mode=True)
            except binascii.Error as exc:
                raise MalformedInput(f"bad base64 in PEM {label}") from exc
    raise MalformedInput(f"no PEM block labelled {label!r}")
