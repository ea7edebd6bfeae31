"""The §7.1 watermark: what the strip says (server time in Beijing time, the position as reported, who
and which device), how the upload's fields are refused, and that the strip is burnt into a JPEG."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from PIL import Image, ImageChops

from api.journey_driver import tiny_png
from engine.errors import ValidationFailed
from engine.watermark import (
    NO_POSITION,
    WatermarkRequest,
    parse_watermark_request,
    watermark_facts,
    watermark_lines,
)
from engine.watermark_image import MAX_PIXELS, draw_watermark

CLOCK = datetime(2026, 12, 5, 2, 3, 4, 567_000, tzinfo=UTC)  # 10:03:04 in Beijing


def image_bytes(size: tuple[int, int], fmt: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    colour = (40, 120, 200, 128)[: len(mode)] if mode != "P" else 3
    Image.new(mode, size, colour).save(out, format=fmt)
    return out.getvalue()


# --- the text ----------------------------------------------------------------------------------------------


def test_the_strip_says_the_clocks_beijing_time_the_position_and_who():
    facts = watermark_facts(WatermarkRequest(30.5471234, 114.3426543, 12.4), CLOCK, "fo001", "web-ab12")
    assert watermark_lines(facts) == (
        "2026-12-05 10:03:04 北京时间",
        "GPS 30.547123, 114.342654 ±12米",
        "工号 fo001  设备 web-ab12",
    )
    assert facts.as_json() == {
        "captured_at": "2026-12-05T10:03:04+08:00",
        "lat": 30.5471234,
        "lon": 114.3426543,
        "accuracy_m": 12.4,
        "staff_id": "fo001",
        "device_id": "web-ab12",
    }


def test_any_clock_zone_is_shown_in_beijing_time_and_a_naive_clock_is_utc():
    seattle = CLOCK.astimezone(timezone(timedelta(hours=-8)))
    for now in (seattle, CLOCK.replace(tzinfo=None)):
        facts = watermark_facts(WatermarkRequest(), now, "fo001", None)
        assert watermark_lines(facts)[0] == "2026-12-05 10:03:04 北京时间"


def test_without_a_position_the_strip_says_so_and_without_a_device_too():
    facts = watermark_facts(WatermarkRequest(), CLOCK, "fo001", None)
    assert watermark_lines(facts)[1:] == (NO_POSITION, "工号 fo001  设备 未登记")
    no_accuracy = watermark_facts(WatermarkRequest(-33.9, -18.4), CLOCK, "fo001", None)
    assert watermark_lines(no_accuracy)[1] == "GPS -33.900000, -18.400000"


# --- the upload's fields -----------------------------------------------------------------------------------


def test_the_fields_parse_into_a_request_or_none():
    assert parse_watermark_request(None, None, None, None) is None
    assert parse_watermark_request("false", "", "", "") is None
    assert parse_watermark_request("true", None, None, None) == WatermarkRequest()
    assert parse_watermark_request("TRUE", "30.5", "-114", "0") == WatermarkRequest(30.5, -114.0, 0.0)
    assert parse_watermark_request("1", "90", "180", "10000") == WatermarkRequest(90.0, 180.0, 10000.0)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (("yes", None, None, None), {("watermark", "invalid")}),
        (("true", "90.01", "0", None), {("lat", "out_of_range")}),
        (("true", "0", "-180.5", None), {("lon", "out_of_range")}),
        (("true", "0", "0", "10001"), {("accuracy_m", "out_of_range")}),
        (("true", "0", "0", "-1"), {("accuracy_m", "out_of_range")}),
        (("true", "nan", "inf", None), {("lat", "invalid"), ("lon", "invalid")}),
        (("true", "1e2", "1_0", "12m"), {("lat", "invalid"), ("lon", "invalid"), ("accuracy_m", "invalid")}),
        (("true", "30.5", None, None), {("lon", "required")}),
        (("true", None, None, "12"), {("accuracy_m", "unexpected")}),
        ((None, "30.5", "114.3", None), {("lat", "unexpected"), ("lon", "unexpected")}),
    ],
)
def test_bad_fields_are_field_errors_in_chinese(fields, expected):
    with pytest.raises(ValidationFailed) as caught:
        parse_watermark_request(*fields)
    assert {(e.field, e.code) for e in caught.value.errors} == expected
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.message) for e in caught.value.errors)


# --- the drawing -------------------------------------------------------------------------------------------

LINES = watermark_lines(watermark_facts(WatermarkRequest(30.5, 114.3, 8.0), CLOCK, "fo001", "web-ab12"))


def test_a_jpeg_keeps_its_size_and_only_its_bottom_strip_changes():
    source = image_bytes((1280, 960), "JPEG")
    out = draw_watermark(source, LINES)
    assert out.startswith(b"\xff\xd8\xff")
    before, after = Image.open(io.BytesIO(source)).convert("RGB"), Image.open(io.BytesIO(out))
    assert after.format == "JPEG" and after.size == (1280, 960)
    bottom = (0, 880, 1280, 960)
    diff = ImageChops.difference(before.crop(bottom), after.convert("RGB").crop(bottom))
    assert max(high for _low, high in diff.getextrema()) > 100  # darkened, with white text on it
    top = (0, 0, 1280, 600)
    untouched = ImageChops.difference(before.crop(top), after.convert("RGB").crop(top))
    assert max(high for _low, high in untouched.getextrema()) < 16  # only JPEG re-encoding noise
    assert "exif" not in after.info


def test_a_png_becomes_a_jpeg_and_a_tiny_one_is_enlarged_to_stay_legible():
    for source in (tiny_png(5), image_bytes((300, 200), "PNG", "RGBA"), image_bytes((64, 64), "PNG", "P")):
        after = Image.open(io.BytesIO(draw_watermark(source, LINES)))
        assert after.format == "JPEG" and after.width >= 640 and after.height >= 480


def test_an_unreadable_or_oversized_image_is_the_officers_to_retake():
    with pytest.raises(ValidationFailed) as caught:
        draw_watermark(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, LINES)
    assert caught.value.errors[0].code == "unreadable"
    side = int(MAX_PIXELS**0.5) + 10
    huge = image_bytes((side, side), "PNG", "L")  # compresses to a few KB
    with pytest.raises(ValidationFailed) as caught:
        draw_watermark(huge, LINES)
    assert caught.value.errors[0].code == "too_many_pixels"
