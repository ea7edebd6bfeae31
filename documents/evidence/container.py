"""The package's ZIP container, written in exactly one form and read back only in that form.

Entries are STORED, not deflated: a DEFLATE stream has bits its decoder ignores (block padding), so a
changed byte there would leave every file intact and go unnoticed. With stored entries every byte of
the archive is either a header field that must equal its canonical value here, or file content that
the manifest's SM3 digests cover, so any changed byte is found. The PDFs and images are compressed
already, and the JSON files are small.

No ZIP64, no comments, no extra fields, no data descriptors: a package is far below 4 GiB.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
END_RECORD = struct.Struct("<IHHHHIIH")
LOCAL_SIGNATURE = 0x04034B50
CENTRAL_SIGNATURE = 0x02014B50
END_SIGNATURE = 0x06054B50

VERSION = 20  # 2.0: what Info-ZIP and Python write; a reader needs no more for stored entries
MADE_BY = (3 << 8) | VERSION  # host system 3 = Unix, so the permissions below are meaningful
EXTERNAL_ATTR = 0o100644 << 16  # regular file, rw-r--r--
MAX_ENTRIES = 10_000
_LIMIT_32 = 0xFFFFFFFF

# One path segment: starts with a letter or digit (so never "." or ".."), ASCII only (no UTF-8 flag).
ENTRY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){0,3}")


class ContainerError(ValueError):
    """The bytes are not a canonical evidence ZIP; `name` is the entry concerned, if one is."""

    def __init__(self, detail: str, name: str | None = None) -> None:
        super().__init__(f"{name}: {detail}" if name else detail)
        self.detail = detail
        self.name = name


@dataclass(frozen=True)
class Entry:
    name: str
    crc32: int
    dos_stamp: tuple[int, int]
    content: memoryview


def dos_stamp(moment: datetime) -> tuple[int, int]:
    """(time, date) in MS-DOS form from the wall clock of `moment`, clamped to DOS's 1980-2107."""
    year = min(max(moment.year, 1980), 2107)
    if year != moment.year:
        moment = datetime(year, 1, 1) if year == 1980 else datetime(2107, 12, 31, 23, 59, 58)
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    date = ((year - 1980) << 9) | (moment.month << 5) | moment.day
    return time, date


def write_zip(entries: Sequence[tuple[str, bytes]], stamp: tuple[int, int]) -> bytes:
    """The canonical archive of `entries`, in the order given. Names are not checked here."""
    if len(entries) > MAX_ENTRIES:
        raise ValueError(f"at most {MAX_ENTRIES} entries")
    time, date = stamp
    body = bytearray()
    central = bytearray()
    for name, content in entries:
        raw_name = name.encode("ascii")
        crc, size, offset = zlib.crc32(content), len(content), len(body)
        if size > _LIMIT_32 or offset > _LIMIT_32:
            raise ValueError("evidence packages are limited to 4 GiB (no ZIP64)")
        body += LOCAL_HEADER.pack(
            LOCAL_SIGNATURE, VERSION, 0, 0, time, date, crc, size, size, len(raw_name), 0
        )
        body += raw_name
        body += content
        central += CENTRAL_HEADER.pack(
            CENTRAL_SIGNATURE, MADE_BY, VERSION, 0, 0, time, date, crc, size, size,
            len(raw_name), 0, 0, 0, 0, EXTERNAL_ATTR, offset,
        )  # fmt: skip
        central += raw_name
    if len(body) + len(central) > _LIMIT_32:
        raise ValueError("evidence packages are limited to 4 GiB (no ZIP64)")
    count = len(entries)
    end = END_RECORD.pack(END_SIGNATURE, 0, 0, count, count, len(central), len(body), 0)
    return bytes(body + central + end)


def read_zip(data: bytes) -> list[Entry]:
    """Parse a canonical archive; raise `ContainerError` at the first byte that is not canonical."""
    view = memoryview(data)
    count, central_offset = _read_end(view)
    central = _read_central(view, central_offset, count)
    entries: list[Entry] = []
    seen: set[str] = set()
    position = 0
    for name, time, date, crc, size, offset in central:
        if name in seen:
            raise ContainerError("duplicate entry name", name)
        seen.add(name)
        if offset != position:
            raise ContainerError("entry does not start where the previous one ends", name)
        expected = LOCAL_HEADER.pack(
            LOCAL_SIGNATURE, VERSION, 0, 0, time, date, crc, size, size, len(name), 0
        ) + name.encode("ascii")
        start = offset + len(expected)
        if view[offset:start] != expected:
            raise ContainerError("local header differs from the central directory", name)
        if start + size > central_offset:
            raise ContainerError("entry runs into the central directory", name)
        entries.append(Entry(name, crc, (time, date), view[start : start + size]))
        position = start + size
    if position != central_offset:
        raise ContainerError("bytes between the last entry and the central directory")
    return entries


def _read_end(view: memoryview) -> tuple[int, int]:
    if len(view) < END_RECORD.size:
        raise ContainerError("too short for a ZIP archive")
    end_offset = len(view) - END_RECORD.size
    sig, disk, cd_disk, on_disk, count, cd_size, cd_offset, comment = END_RECORD.unpack_from(view, end_offset)
    if sig != END_SIGNATURE:
        raise ContainerError("no end-of-archive record at the end (truncated, appended to, or not a ZIP)")
    if disk or cd_disk or comment or on_disk != count:
        raise ContainerError("end-of-archive record is not canonical (multi-disk or comment)")
    if cd_offset + cd_size != end_offset:
        raise ContainerError("central directory size or offset does not match the archive length")
    return count, cd_offset


def _read_central(view: memoryview, offset: int, count: int) -> list[tuple[str, int, int, int, int, int]]:
    end = len(view) - END_RECORD.size
    rows = []
    for _ in range(count):
        if offset + CENTRAL_HEADER.size > end:
            raise ContainerError("central directory is shorter than its entry count")
        fields = CENTRAL_HEADER.unpack_from(view, offset)
        sig, made_by, version, flags, method, time, date, crc, csize, usize = fields[:10]
        name_len, extra_len, comment_len, disk, internal, external, local_offset = fields[10:]
        name = _decode_name(view[offset + CENTRAL_HEADER.size : offset + CENTRAL_HEADER.size + name_len])
        fixed = (made_by, version, flags, method, extra_len, comment_len, disk, internal, external)
        if sig != CENTRAL_SIGNATURE or fixed != (MADE_BY, VERSION, 0, 0, 0, 0, 0, 0, EXTERNAL_ATTR):
            raise ContainerError("central directory header is not canonical", name or None)
        if csize != usize:
            raise ContainerError("stored entry with differing sizes", name or None)
        rows.append((name, time, date, crc, csize, local_offset))
        offset += CENTRAL_HEADER.size + name_len
        if offset > end:
            raise ContainerError("central directory overruns the end record", name)
    if offset != end:
        raise ContainerError("central directory holds more than its entry count")
    return rows


def _decode_name(raw: memoryview) -> str:
    try:
        name = bytes(raw).decode("ascii")
    except UnicodeDecodeError:
        raise ContainerError("entry name is not ASCII") from None
    if not ENTRY_NAME.fullmatch(name):
        raise ContainerError("unsafe entry name (absolute, '..', backslash or odd characters)", name)
    return name
