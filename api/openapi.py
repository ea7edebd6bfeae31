"""The error answers each route documents: every non-2xx body has the one shape `api/errors.py` writes,
so a client (and the schemathesis run in ./check) can rely on the OpenAPI for failures too."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorOut(BaseModel):
    code: str
    message: str
    details: Any = None


_DESCRIPTIONS = {
    401: "Not signed in, or the token expired or was revoked",
    403: "Signed in, but this role, branch, device or qualification may not do this",
    404: "No such resource, or none the caller may see",
    409: "The resource is in a state that does not allow this (already done, claimed or changed)",
    413: "The body is larger than the limit",
    422: "The request has errors; `details` names each field",
    429: "Too many failed sign-ins from this client or for this user; try again later",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorOut, "description": _DESCRIPTIONS[s]} for s in statuses}


SIGNED_IN = error_responses(401, 403, 413, 422)
MISSING = error_responses(404)
MISSING_OR_STALE = error_responses(404, 409)
