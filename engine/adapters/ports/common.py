"""What every port shares: the echo each answer carries for the evidence trail, and results as JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, kw_only=True)
class Echo:
    """What every answer carries for the evidence trail."""

    request_id: str
    responded_at: datetime


def result_record(result: Any) -> dict[str, Any]:
    """A JSON-ready dict of any result dataclass, for workflow data and the evidence package."""
    return _plain(dataclasses.asdict(result))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal):  # money travels as a string with its 2 decimals (§0)
        return str(value)
    return value
