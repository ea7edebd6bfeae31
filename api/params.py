"""Path parameter types shared by the JSON API and the pages: an id outside its column's range is a
422, never a database error (PostgreSQL `integer` and SQLite `INTEGER` both stop somewhere)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2_147_483_647  # PostgreSQL `integer`, the narrowest id column we have
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a positive row id")]
