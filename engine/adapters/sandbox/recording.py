"""The sandbox tablet's 双录 recorder: a structurally valid MP4 of a given length.

It holds an `ftyp`, a `moov` with a video and a sound track (H.264 / AAC handlers, 1280x720) and an
`mdat` of deterministic filler, but no playable samples. Everything the server reads from a recording
(container, sound track, duration, size, SM3) is real; only a media player would notice. [Sim]
"""

from __future__ import annotations

import hashlib
import struct

TIMESCALE = 1000
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def sandbox_recording(duration_ms: int, *, seed: str = "", filler_bytes: int = 4096) -> bytes:
    """An MP4 that runs `duration_ms`; equal arguments give equal bytes (so equal SM3)."""
    if duration_ms <= 0:
        raise ValueError("a recording runs for some time")
    movie = _box(
        b"moov", _mvhd(duration_ms) + _track(1, b"vide", duration_ms) + _track(2, b"soun", duration_ms)
    )
    return _ftyp() + movie + _box(b"mdat", _filler(seed, duration_ms, filler_bytes))


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full_box(kind: bytes, payload: bytes, flags: int = 0) -> bytes:
    return _box(kind, struct.pack(">I", flags) + payload)


def _ftyp() -> bytes:
    return _box(b"ftyp", b"isom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41")


def _mvhd(duration_ms: int) -> bytes:
    body = struct.pack(">IIII", 0, 0, TIMESCALE, duration_ms)
    body += struct.pack(">IH", 0x10000, 0x100) + bytes(10) + _MATRIX + bytes(24) + struct.pack(">I", 3)
    return _full_box(b"mvhd", body)


def _track(track_id: int, handler: bytes, duration_ms: int) -> bytes:
    video = handler == b"vide"
    width, height = (1280 << 16, 720 << 16) if video else (0, 0)
    tkhd = struct.pack(">IIIII", 0, 0, track_id, 0, duration_ms) + bytes(8)
    tkhd += struct.pack(">hhhH", 0, 0, 0 if video else 0x100, 0) + _MATRIX + struct.pack(">II", width, height)
    mdhd = struct.pack(">IIIIHH", 0, 0, TIMESCALE, duration_ms, 0x55C4, 0)  # language "und"
    name = b"VideoHandler\0" if video else b"SoundHandler\0"
    hdlr = struct.pack(">I", 0) + handler + bytes(12) + name
    media = _full_box(b"mdhd", mdhd) + _full_box(b"hdlr", hdlr)
    return _box(b"trak", _full_box(b"tkhd", tkhd, flags=3) + _box(b"mdia", media))


def _filler(seed: str, duration_ms: int, size: int) -> bytes:
    out = bytearray()
    block = hashlib.sha256(f"{seed}:{duration_ms}".encode()).digest()
    while len(out) < size:
        out += block
        block = hashlib.sha256(block).digest()
    return bytes(out[:size])
