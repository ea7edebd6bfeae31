"""Draws the watermark strip onto an evidence photo (Pillow) and re-encodes it as JPEG.

The strip is burnt into the pixels, not kept beside them, so the photo carries its own when / where /
who wherever it is copied (evidence package, card centre, a printed file), and the SM3 the upload
answers is of exactly what was watermarked. Re-encoding also drops any EXIF (device serials, the
camera's own GPS) the tablet did not already strip.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from engine.errors import FieldError, ValidationFailed

# fonts-noto-cjk (scripts/setup installs it; the PDFs embed the same family). Index 2 of the
# collection is Simplified Chinese, so 时/间/设 take their mainland forms.
FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_INDEX = 2
# A photo smaller than this is enlarged first, so the strip's text stays legible on any upload.
MIN_WIDTH, MIN_HEIGHT = 640, 480
# Refused before decoding: a few KB of PNG can claim a gigapixel canvas (decompression bomb).
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 88
STRIP_OPACITY = 0.6  # the photo still shows through faintly; white text stays readable on any scene
LINE_SPACING = 1.3


def draw_watermark(content: bytes, lines: tuple[str, ...]) -> bytes:
    """`content` (JPEG or PNG) with `lines` in a dark strip along its bottom, as a JPEG."""
    image = _decoded(content)
    scale = max(MIN_WIDTH / image.width, MIN_HEIGHT / image.height, 1.0)
    if scale > 1.0:
        image = image.resize(
            (round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC
        )
    width, height = image.size
    size = _font_size(lines, width, height)
    font = _font(size)
    pad = max(6, size // 2)
    line_height = round(size * LINE_SPACING)
    strip_top = height - (line_height * len(lines) + 2 * pad)
    strip = image.crop((0, strip_top, width, height))
    image.paste(Image.blend(strip, Image.new("RGB", strip.size, (0, 0, 0)), STRIP_OPACITY), (0, strip_top))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((pad, strip_top + pad + i * line_height), line, font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _decoded(content: bytes) -> Image.Image:
    """The upload as upright RGB; anything Pillow cannot read is the officer's to retake (422)."""
    unreadable = ValidationFailed(
        "unreadable image", [FieldError("file", "unreadable", "图片无法读取，请重新拍摄")]
    )
    try:
        image = Image.open(io.BytesIO(content))
        if image.width * image.height > MAX_PIXELS:
            raise ValidationFailed(
                "image too large", [FieldError("file", "too_many_pixels", "图片尺寸过大，请重新拍摄")]
            )
        image.load()
        upright = ImageOps.exif_transpose(image) or image  # EXIF orientation is dropped on re-encoding
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise unreadable from exc
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        # a transparent PNG (a pasted screenshot) is flattened on white, as it would be printed
        background = Image.new("RGB", upright.size, (255, 255, 255))
        background.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
        return background
    return upright.convert("RGB")


def _font_size(lines: tuple[str, ...], width: int, height: int) -> int:
    """About a fortieth of the width (32 px on a 1280 px tablet photo), smaller when a long line or a
    short photo needs it, never below 10 px."""
    size = max(16, min(48, width // 40, int(height * 0.08)))
    while size > 10 and max(_font(size).getlength(line) for line in lines) > width - size:
        size -= 1
    return size


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    if not FONT_FILE.is_file():
        raise RuntimeError(f"{FONT_FILE} is missing: install fonts-noto-cjk (scripts/setup does)")
    return ImageFont.truetype(str(FONT_FILE), size, index=FONT_INDEX)
