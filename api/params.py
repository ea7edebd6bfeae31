"""Parameter types shared by the JSON API and the pages: an id outside its column's range is a 422,
never a database error (PostgreSQL `integer` and SQLite `INTEGER` both stop somewhere); an instant is
what its OpenAPI `date-time` says (RFC 3339 with an offset), not a number read as a Unix time."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Path
from pydantic import AwareDatetime, BeforeValidator

MAX_ROW_ID = 2_147_483_647  # PostgreSQL `integer`, the narrowest id column we have
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a positive row id")]


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value: object) -> object:
    if isinstance(value, str) and _RFC3339.fullmatch(value):
        return value
    raise ValueError("an RFC 3339 date-time with its offset, e.g. 2026-12-04T09:30:00+08:00")


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
