"""Display helpers shared by the context builders: the dash, Chinese dates, Shanghai times, images.

Templates print what these return and nothing else, so a journey that ended early (no core result, no
signature) renders "—" instead of failing, and no value from the instance data is ever interpreted as
markup, a URL or a file path.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from documents.evidence.facts import EvidenceFacts, EvidenceImage

DASH = "—"
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Only raster formats whose magic bytes we check: an SVG "image" could pull in further resources.
_IMAGE_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def show(value: Any) -> str:
    """The printable text of a value, or the dash when the journey never recorded it."""
    if value is None or value == "" or value == [] or value == {}:
        return DASH
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def text(value: Any) -> str | None:
    """A recorded value as a string for the masking functions (which expect str), None when absent."""
    return None if value is None else str(value)


def get(data: Mapping[str, Any] | None, *path: str) -> Any:
    """`data[a][b]...`, or None as soon as a level is missing or not a mapping."""
    current: Any = data
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def as_datetime(value: Any) -> datetime | None:
    """An aware datetime from a datetime or an ISO string; naive values are taken as UTC (the DB's)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(SHANGHAI)


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def cn_date(value: Any) -> str:
    """`2025年06月01日` (a datetime is first moved to Asia/Shanghai)."""
    day = as_date(value)
    return f"{day.year:04d}年{day.month:02d}月{day.day:02d}日" if day else DASH


def cn_datetime(value: Any) -> str:
    """`2025年06月01日 14:03:05` in Asia/Shanghai."""
    moment = as_datetime(value)
    return f"{cn_date(moment)} {moment:%H:%M:%S}" if moment else DASH


def iso_seconds(moment: datetime) -> str:
    """W3C date-time for the PDF metadata, whole seconds so the PDF date string is exact."""
    shanghai = moment.astimezone(SHANGHAI).replace(microsecond=0)
    return shanghai.isoformat()


def money(amount: Decimal | int | str) -> str:
    return f"{Decimal(amount).quantize(Decimal('0.01')):,}"


def image_data_uri(image: EvidenceImage | None) -> str | None:
    """A base64 `data:` URI for a PNG/JPEG capture, or None when absent or not what it claims to be."""
    if image is None:
        return None
    magic = _IMAGE_MAGIC.get(image.media_type)
    if magic is None or not image.content.startswith(magic):
        return None
    return f"data:{image.media_type};base64,{base64.b64encode(image.content).decode('ascii')}"


def image_for(facts: EvidenceFacts, role: str) -> EvidenceImage | None:
    """The last capture in `role` (a retaken signature replaces the earlier one)."""
    found = [image for image in facts.images if image.role == role]
    return found[-1] if found else None


def last_event(facts: EvidenceFacts, kind: str, task_spec: str) -> Mapping[str, Any] | None:
    """The latest trail event of `kind` for `task_spec` (retries leave several; the last one counted)."""
    for event in reversed(facts.trail):
        if event.get("kind") == kind and event.get("task_spec") == task_spec:
            return event
    return None


def event_detail(event: Mapping[str, Any] | None, key: str) -> Any:
    """A field of an event, looked up in the event and then in its `detail` (the store keeps both)."""
    if event is None:
        return None
    if key in event:
        return event[key]
    return get(event.get("detail"), key)
