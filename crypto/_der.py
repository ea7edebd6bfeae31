"""The little DER we need for SM2 keys, signatures and ciphertexts, strict on input.

`cryptography` refuses SM2 keys ("Curve 1.2.156.10197.1.301 is not supported") and gmssl-pyx has no
SM2 PEM, so keys, signatures and GM/T 0009 ciphertexts are encoded here. Decoding accepts DER only
(definite, minimal lengths; minimal non-negative integers; no trailing bytes), so that each value has
exactly one encoding and a flipped bit cannot slip through as an alternative encoding.
"""

from __future__ import annotations

from crypto.errors import MalformedInput

INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
OBJECT_IDENTIFIER = 0x06
SEQUENCE = 0x30


def context_tag(number: int) -> int:
    """Tag byte of an explicit, constructed context-specific field `[number]`."""
    return 0xA0 | number


def encode_tlv(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    length_bytes = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length_bytes)]) + length_bytes + content


def encode_integer(value: int) -> bytes:
    if value < 0:
        raise ValueError("negative integers are not used here")
    # bit_length // 8 + 1 bytes is the minimal length that keeps the sign bit clear
    return encode_tlv(INTEGER, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def encode_oid(dotted: str) -> bytes:
    arcs = [int(part) for part in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return encode_tlv(OBJECT_IDENTIFIER, bytes(body))


def encode_sequence(*items: bytes) -> bytes:
    return encode_tlv(SEQUENCE, b"".join(items))


class DerReader:
    """Reads consecutive TLVs from one buffer; every method raises `MalformedInput` on bad input."""

    def __init__(self, data: bytes, what: str) -> None:
        self._data = data
        self._pos = 0
        self._what = what

    def _fail(self, reason: str) -> MalformedInput:
        return MalformedInput(f"malformed {self._what}: {reason}")

    def read(self, tag: int) -> bytes:
        """Return the content of the next TLV, which must carry `tag`."""
        data, pos = self._data, self._pos
        if pos + 2 > len(data):
            raise self._fail("truncated")
        if data[pos] != tag:
            raise self._fail(f"expected tag 0x{tag:02x}, found 0x{data[pos]:02x}")
        first = data[pos + 1]
        pos += 2
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            if count == 0 or count > 4 or pos + count > len(data):
                raise self._fail("bad length")
            length = int.from_bytes(data[pos : pos + count], "big")
            if length < 0x80 or data[pos] == 0:
                raise self._fail("non-minimal length")
            pos += count
        if pos + length > len(data):
            raise self._fail("truncated")
        self._pos = pos + length
        return data[pos : pos + length]

    def read_integer(self) -> int:
        body = self.read(INTEGER)
        if not body:
            raise self._fail("empty integer")
        if body[0] & 0x80:
            raise self._fail("negative integer")
        if len(body) > 1 and body[0] == 0 and body[1] < 0x80:
            raise self._fail("non-minimal integer")
        return int.from_bytes(body, "big")

    def read_oid(self) -> bytes:
        """Return the encoded OID body; callers compare it with `encode_oid(...)` bytes."""
        return self.read(OBJECT_IDENTIFIER)

    def peek_tag(self) -> int | None:
        return self._data[self._pos] if self._pos < len(self._data) else None

    def finish(self) -> None:
        if self._pos != len(self._data):
            raise self._fail("trailing bytes")
