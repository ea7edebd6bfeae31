"""What a machine rule may know of a package's images without reading pixels itself: each image's size
and how much it varies, so a journey's rule can tell a legible photo from a thumbnail or a blank frame
(a lens cap, a photo of a white page). Measured once per review from the verified package."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image, ImageStat

# the time + GPS watermark strip (engine/watermark_image.py) runs along the bottom of an on-the-spot
# photo and always varies; the part above it is what was photographed
PHOTOGRAPHED_PART = 0.75
MAX_PIXELS = 40_000_000  # as at upload: never decode a decompression bomb


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    spread: float
    """Standard deviation of the grey levels above the watermark strip (0 = one flat colour)."""


def image_facts(entries: Mapping[str, bytes]) -> dict[str, ImageFacts]:
    """Package file name -> its facts, for every `images/` file Pillow can read; an unreadable one is
    absent, which a rule reads as not legible."""
    found = {}
    for name, content in entries.items():
        if name.startswith("images/"):
            facts = _measured(content)
            if facts is not None:
                found[name] = facts
    return found


def _measured(content: bytes) -> ImageFacts | None:
    try:
        image = Image.open(io.BytesIO(content))
        if image.width * image.height > MAX_PIXELS:
            return None
        grey = image.convert("L")
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    top = grey.crop((0, 0, grey.width, max(1, round(grey.height * PHOTOGRAPHED_PART))))
    return ImageFacts(grey.width, grey.height, float(ImageStat.Stat(top).stddev[0]))
