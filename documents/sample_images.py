"""Deterministic stand-ins for tablet captures in the journeys' sample packages: a grey+alpha PNG of a
pen stroke whose path the caller gives, and a photographed page of text lines, so every sample has its
own bytes (and SM3) and a re-render is byte-identical."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable


def stroke_png(path: Callable[[int], float], width: int = 360, height: int = 120) -> bytes:
    """`path(x)` is the stroke's offset from the middle line at column x, in pixels."""
    rows = [bytearray(width * 2) for _ in range(height)]
    for x in range(20, width - 20):
        y = int(height / 2 + path(x))
        for dy in (-1, 0, 1):
            rows[y + dy][2 * x : 2 * x + 2] = b"\x10\xff"
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    return _png(width, height, 4, raw)


def document_png(seed: int, width: int = 960, height: int = 720) -> bytes:
    """A photo of a printed page as a grey PNG: a light sheet with dark lines of "text" whose lengths
    follow `seed`, the size of a tablet capture, so legibility rules see a real document's spread."""
    rows = []
    for y in range(height):
        row = bytearray(b"\xf0" * width)
        line, within = divmod(y - 60, 36)
        if 60 <= y < height - 60 and within < 14:
            end = width - 60 - (line * 53 + seed * 31) % (width // 3)
            row[60:end] = b"\x28" * (end - 60)
        rows.append(row)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)
    return _png(width, height, 0, raw)


def _png(width: int, height: int, colour_type: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
