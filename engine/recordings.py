"""What the server reads off an uploaded 双录 recording (audio + video of a wealth sale, domain J3 step 7):
that it is an MP4 with a sound track, and how long it runs.

The duration comes from the container (mutagen reads the sound track's `mdhd`), never from the client, so
post-supervision can judge whether the recording is plausible for what it should cover. Whether the
picture shows the disclosure being read is for the reviewer who plays it.
"""

from __future__ import annotations

import io

__all__ = ["MP4_MEDIA_TYPE", "is_mp4", "recording_duration_ms"]

from mutagen import MutagenError
from mutagen.mp4 import MP4

from forms.ui_lint import RECORDING_MEDIA_TYPE as MP4_MEDIA_TYPE


def is_mp4(content: bytes) -> bool:
    """An ISO base media file opens with its `ftyp` box."""
    return content[4:8] == b"ftyp"


def recording_duration_ms(content: bytes) -> int | None:
    """The sound track's length in whole milliseconds; None when the file has no readable sound track
    or runs for no time at all (a 双录 without sound records nothing the customer said)."""
    try:
        info = MP4(io.BytesIO(content)).info
    except (MutagenError, ValueError, OverflowError):
        return None
    duration_ms = int(info.length * 1000) if info is not None else 0
    return duration_ms if duration_ms > 0 else None
