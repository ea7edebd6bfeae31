"""What a machine rule may know of a package's 双录 recordings: how long each runs, read from the sealed
bytes themselves (not from what the tablet or the upload said), once per review."""

from __future__ import annotations

from collections.abc import Mapping

from engine.recordings import recording_duration_ms


def recording_lengths(entries: Mapping[str, bytes]) -> dict[str, int]:
    """Package file name -> milliseconds, for every `recordings/` file whose length can be read; an
    unreadable one is absent, which a rule reads as no usable recording."""
    found = {}
    for name, content in entries.items():
        if name.startswith("recordings/"):
            duration_ms = recording_duration_ms(content)
            if duration_ms is not None:
                found[name] = duration_ms
    return found
