"""The bank's clock for people: every time a page shows or a filter box takes is Beijing time (UTC+8,
no daylight saving), while storage and the API stay in UTC with their offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from engine.errors import FieldError, ValidationFailed

BANK_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


def from_local_input(text: str, field: str) -> datetime | None:
    """A datetime-local box's value read as Beijing time, in UTC (SQLite compares naive UTC, so the
    store is asked in UTC); an empty box is no bound."""
    if not text:
        return None
    try:
        local = datetime.strptime(text[:16], LOCAL_INPUT)
    except ValueError:  # the shape passed the route's pattern but the date does not exist (02-30)
        raise ValidationFailed("not a date", [FieldError(field, "invalid_date", "日期无效")]) from None
    return local.replace(tzinfo=BANK_TIME).astimezone(UTC)


def shown(value: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    """The `bank_time` filter every template uses: a stored instant in Beijing time. A naive value is
    UTC (what SQLite hands back)."""
    if value is None:
        return "—"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(BANK_TIME).strftime(fmt)


def waited(since: datetime, now: datetime | None = None) -> str:
    """How long something has waited, as an approver reads it (刚刚, 12分钟, 3小时5分钟, 2天)."""
    start = since if since.tzinfo else since.replace(tzinfo=UTC)
    minutes = max(0, int(((now or datetime.now(UTC)) - start).total_seconds() // 60))
    if minutes < 1:
        return "刚刚"
    if minutes < 60:
        return f"{minutes}分钟"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours}小时{rest}分钟" if rest else f"{hours}小时"
    return f"{minutes // (24 * 60)}天"
