"""A package image's size and spread as the legibility rules read them: a photographed page varies, a
blank frame and a pen stroke on nothing barely do, an unreadable file is absent."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from documents.sample_images import document_png
from documents.supervision.image_facts import image_facts


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def test_a_photographed_page_varies_and_a_blank_frame_does_not() -> None:
    blank = Image.new("RGB", (1280, 960), (250, 250, 250))
    facts = image_facts({"images/page.png": document_png(3), "images/blank.jpg": _jpeg(blank)})
    assert (facts["images/page.png"].width, facts["images/page.png"].height) == (960, 720)
    assert facts["images/page.png"].spread > 20
    assert facts["images/blank.jpg"].spread < 1


def test_the_watermark_strip_along_the_bottom_does_not_make_a_blank_frame_legible() -> None:
    stamped = Image.new("RGB", (640, 480), (255, 255, 255))
    draw = ImageDraw.Draw(stamped)
    draw.rectangle((0, 400, 640, 480), fill=(0, 0, 0))
    draw.text((10, 420), "2025-06-02 14:05 30.5,114.3 fo001", fill=(255, 255, 255))
    assert image_facts({"images/x.jpg": _jpeg(stamped)})["images/x.jpg"].spread < 1


def test_only_images_are_measured_and_unreadable_ones_are_absent() -> None:
    facts = image_facts({"images/broken.png": b"not an image", "data.json": document_png(1)})
    assert facts == {}
