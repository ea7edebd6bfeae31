"""The choices of a `region` widget's next select: the GB/T 2260 divisions under one code (public
data, but only for signed-in staff like every page; cached by the browser)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from api.web.pages import WebSessionDep
from forms.regions import divisions

router = APIRouter(include_in_schema=False)


@router.get("/regions/{code}")
def region_children(
    code: Annotated[str, Path(pattern=r"^[0-9]{6}$")], session: WebSessionDep
) -> JSONResponse:
    """`[[code, name], …]` under a province (its cities) or a city (its counties); `[]` for anything else."""
    del session  # signed in is enough
    return JSONResponse(divisions().options(code), headers={"Cache-Control": "private, max-age=86400"})
