"""The only place engine errors become HTTP: one shape, `{"code", "message", "details"}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.errors import device_refused_page, error_page, login_redirect, wants_page
from api.web.pages import here
from api.web.session import CsrfRejected, LoginRequired
from engine.errors import (
    Conflict,
    DeviceRefused,
    FieldBankError,
    Forbidden,
    JourneyHeld,
    NotFound,
    ProcessDefinitionError,
    ProcessStepFailed,
    Throttled,
    Unauthenticated,
    ValidationFailed,
)

log = logging.getLogger("fieldbank.api")

_STATUS = {
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthenticated: 401,
    Throttled: 429,
    ValidationFailed: 422,
    ProcessDefinitionError: 422,
    ProcessStepFailed: 409,  # the deployed model failed, not the input: the instance is an incident
}


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    return {"code": code, "message": message, "details": details}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    def _login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_page(request):
            return login_redirect(request, exc.next_url)
        return JSONResponse(error_body("unauthenticated", "sign in again"), status_code=401)

    @app.exception_handler(CsrfRejected)
    def _csrf(request: Request, _exc: CsrfRejected) -> Response:
        if wants_page(request):
            return error_page(request, 403)
        return JSONResponse(error_body("forbidden", "the form is stale; reload the page"), status_code=403)

    @app.exception_handler(FieldBankError)
    def _fieldbank(request: Request, exc: FieldBankError) -> Response:
        status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 503)
        if wants_page(request):
            if status == 401:
                return login_redirect(request, here(request))
            if isinstance(exc, DeviceRefused):
                return device_refused_page(request, exc)
            if isinstance(exc, JourneyHeld):
                return error_page(request, status, exc.screen_message)
            return error_page(request, status)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    def _request_validation(request: Request, exc: RequestValidationError) -> Response:
        if wants_page(request):
            return error_page(request, 422)
        details = [{"field": _field(err), "code": err["type"], "message": err["msg"]} for err in exc.errors()]
        return JSONResponse(
            error_body("validation_failed", "the request has errors", details), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if wants_page(request):
            return error_page(request, exc.status_code)
        if exc.status_code == 400:  # FastAPI's "error parsing the body": a field error like any other
            details = [{"field": "body", "code": "unparseable", "message": "the body could not be parsed"}]
            return JSONResponse(
                error_body("validation_failed", "the request has errors", details), status_code=422
            )
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}.get(
            exc.status_code, "http_error"
        )
        headers = dict(exc.headers or {})  # keeps `WWW-Authenticate` on a 401
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        body = error_body(code, str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code, headers=headers)


class UnexpectedErrorMiddleware:
    """The catch-all for exceptions no handler maps, placed just inside `RequestIdMiddleware`.

    An `exception_handler(Exception)` would run in Starlette's `ServerErrorMiddleware`, outside every
    middleware: its 500 got no `X-Request-Id`, its log line no request id, and it re-raised the exception
    to the server, which logged the traceback a second time. Here it is logged once, with the id, and
    answered; nothing reaches the server."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
            if started:  # part of the answer is on its way: the server ends the broken response
                return
            request = Request(scope, receive)
            response = (
                error_page(request, 500)
                if wants_page(request)
                else JSONResponse(
                    error_body("internal_error", "an unexpected error occurred"), status_code=500
                )
            )
            await response(scope, receive, send)


def _field(error: dict[str, object]) -> str:
    """`body.data.name` → `data.name`; a body that is not JSON at all is the field `body`."""
    location = [str(p) for p in error["loc"]] if isinstance(error["loc"], tuple | list) else ["body"]
    if error["type"] == "json_invalid":
        return "body"
    return ".".join(location[1:]) or location[0]


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path takes (RFC 9110 §15.5.6); Starlette names only one route's."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]
    return ", ".join(allowed)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
