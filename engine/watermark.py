"""What an evidence photo's time + GPS watermark says (§7.1 三亲见: the officer photographs the applicant
and each original on the spot; the strip proves when, where and by whom).

The time is the server's clock, never the device's: a tablet's clock can be set back, the server's
cannot be by the officer. The position is what the tablet reported, drawn as reported (with its
accuracy) or as unavailable; whether it lies inside the activity's geofence is post-supervision's
question, not the upload's. Parsing lives here so the API and the tablet's upload refuse the same
values with the same field messages.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.errors import FieldError, ValidationFailed

BEIJING = ZoneInfo("Asia/Shanghai")
NO_POSITION = "位置不可用"
_DECIMAL = re.compile(r"^[+-]?[0-9]{1,6}(\.[0-9]{1,12})?$")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0", ""})
# field -> (lowest, highest, message when outside)
_RANGES = {
    "lat": (-90.0, 90.0, "纬度须在-90到90之间"),
    "lon": (-180.0, 180.0, "经度须在-180到180之间"),
    "accuracy_m": (0.0, 10_000.0, "定位精度须在0到10000米之间"),
}


@dataclass(frozen=True)
class WatermarkRequest:
    """The upload asked for a watermark; the position the tablet reported, if it had one."""

    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None


@dataclass(frozen=True)
class WatermarkFacts:
    """What was drawn, kept on the attachment row so a reviewer need not read it off the pixels."""

    captured_at: datetime  # Beijing time, as drawn
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    staff_id: str
    device_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "captured_at": self.captured_at.isoformat(),
            "lat": self.lat,
            "lon": self.lon,
            "accuracy_m": self.accuracy_m,
            "staff_id": self.staff_id,
            "device_id": self.device_id,
        }


def parse_watermark_request(
    watermark: str | None, lat: str | None, lon: str | None, accuracy_m: str | None
) -> WatermarkRequest | None:
    """The multipart fields as sent; every bad one is a field error (422), never a 500."""
    errors: list[FieldError] = []
    wanted = False
    flag = (watermark or "").strip().lower()
    if flag in _TRUE:
        wanted = True
    elif flag not in _FALSE:
        errors.append(FieldError("watermark", "invalid", "watermark须为true或false"))
    raw = {"lat": lat, "lon": lon, "accuracy_m": accuracy_m}
    values: dict[str, float | None] = {}
    for name, text in raw.items():
        values[name] = _number(name, text, errors)
    given = {name for name, text in raw.items() if text not in (None, "")}
    if ("lat" in given) != ("lon" in given):
        missing = "lon" if "lat" in given else "lat"
        errors.append(FieldError(missing, "required", "纬度与经度须同时提供"))
    if "accuracy_m" in given and not {"lat", "lon"} & given:
        errors.append(FieldError("accuracy_m", "unexpected", "没有位置时不能提供定位精度"))
    if given and not wanted and flag in _FALSE:
        # a position neither drawn nor recorded would be collected for nothing (PIPL minimum necessary)
        for name in sorted(given):
            errors.append(FieldError(name, "unexpected", "位置仅随水印照片上传（watermark=true）"))
    if errors:
        raise ValidationFailed("the watermark fields have errors", errors)
    if not wanted:
        return None
    return WatermarkRequest(values["lat"], values["lon"], values["accuracy_m"])


def _number(name: str, text: str | None, errors: list[FieldError]) -> float | None:
    if text is None or text == "":
        return None
    low, high, out_of_range = _RANGES[name]
    if not _DECIMAL.match(text.strip()):
        errors.append(FieldError(name, "invalid", "须为十进制数字"))
        return None
    value = float(text)
    if not (math.isfinite(value) and low <= value <= high):
        errors.append(FieldError(name, "out_of_range", out_of_range))
        return None
    return value


def watermark_facts(
    request: WatermarkRequest, now: datetime, staff_id: str, device_id: str | None
) -> WatermarkFacts:
    """The server's `now` in Beijing time (a naive clock value is UTC, like the database's)."""
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return WatermarkFacts(
        captured_at=aware.astimezone(BEIJING).replace(microsecond=0),
        lat=request.lat,
        lon=request.lon,
        accuracy_m=request.accuracy_m,
        staff_id=staff_id,
        device_id=device_id,
    )


def watermark_lines(facts: WatermarkFacts) -> tuple[str, str, str]:
    """The strip's three lines: when (Beijing time), where (as reported), who and with which device."""
    when = f"{facts.captured_at:%Y-%m-%d %H:%M:%S} 北京时间"
    if facts.lat is None or facts.lon is None:
        where = NO_POSITION
    else:
        where = f"GPS {facts.lat:.6f}, {facts.lon:.6f}"
        if facts.accuracy_m is not None:
            where += f" ±{facts.accuracy_m:.0f}米"
    who = f"工号 {facts.staff_id}  设备 {facts.device_id or '未登记'}"
    return when, where, who
