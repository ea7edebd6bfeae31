"""Sign-in and sign-out pages; the session is the API's token in an HttpOnly cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import AuthDep, DeviceGateDep, KeysDep, SettingsDep
from api.web.errors import step_up_context
from api.web.pages import WebSessionDep, csrf_key, here, home_path, redirect, render
from api.web.session import (
    CSRF_FIELD,
    DEVICE_COOKIE,
    DEVICE_COOKIE_SECONDS,
    SESSION_COOKIE,
    LoginRequired,
    check_csrf,
    cookie_secure,
    new_device_id,
)
from devices.gate import NO_DEVICE, NOT_BOUND, UNKNOWN
from engine.errors import DeviceRefused, Throttled, Unauthenticated, ValidationFailed
from engine.people.auth import AuthService, IssuedToken
from engine.settings import Settings

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str | None:
    """Only a path on this site: never an absolute or protocol-relative URL (open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


@router.get("/", response_class=HTMLResponse)
def root(request: Request, session: WebSessionDep) -> Response:
    return redirect(request, home_path(session.actor))


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    response = render(request, "login.html", {"next": _safe_next(next) or "", "error": None, "username": ""})
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            new_device_id(),
            max_age=DEVICE_COOKIE_SECONDS,
            httponly=True,
            samesite="strict",
            secure=cookie_secure(request),
        )
    return response


def _sign_in(
    auth: AuthService,
    settings: Settings,
    devices_of: Callable[[str], list[str]],
    username: str,
    password: str,
    device_id: str | None,
    client: str,
) -> IssuedToken:
    """Production: the device is the browser's `fb_device` cookie, set by the enrolled app, and nothing
    else. Elsewhere (the embedded default, tests) a browser that is no tablet of the officer's — the
    cookie unknown or bound to someone else — signs in on the officer's first ACTIVE bound device, so a
    demo officer gets in from any browser; a locked or lost device of theirs is still refused."""
    try:
        return auth.login(username, password, device_id, client)
    except DeviceRefused as refused:
        if settings.environment == "production" or refused.code not in (
            NO_DEVICE.code,
            UNKNOWN.code,
            NOT_BOUND.code,
        ):
            raise
        bound = devices_of(username)
        if not bound or bound[0] == device_id:
            raise
        return auth.login(username, password, bound[0], client)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    auth: AuthDep,
    settings: SettingsDep,
    gate: DeviceGateDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    error, status, code = None, 200, None
    if not username or not password:
        error, status = "请输入工号和密码", 422
    else:
        try:
            client = request.client.host if request.client else ""
            device_id = request.cookies.get(DEVICE_COOKIE)
            issued = _sign_in(auth, settings, gate.devices_of, username, password, device_id, client)
        except Unauthenticated:
            error, status = "工号或密码错误", 401
        except Throttled:
            error, status = "密码错误次数过多，请10分钟后再试", 429
        except DeviceRefused as refused:
            error, status, code = refused.screen_message, 403, refused.code
    if error is not None:
        context = {"next": _safe_next(next) or "", "error": error, "username": username, "code": code}
        return render(request, "login.html", context, status_code=status)
    response = redirect(request, _safe_next(next) or home_path(issued.actor))
    if issued.actor.device_id and issued.actor.device_id != request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            issued.actor.device_id,
            max_age=DEVICE_COOKIE_SECONDS,
            httponly=True,
            samesite="strict",
            secure=cookie_secure(request),
        )
    response.set_cookie(
        SESSION_COOKIE,
        issued.access_token,
        max_age=settings.token_ttl_seconds,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request),
    )
    return response


@router.post("/step-up", response_class=HTMLResponse)
async def step_up(request: Request, auth: AuthDep, keys: KeysDep) -> Response:
    """The step-up screen's form (§9.3): the device gate answered `step_up_required`; the officer types
    their password again (the face is matched on the tablet) and goes back to where they were."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(here(request))
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    check_csrf(csrf_key(keys), token, values.get(CSRF_FIELD))
    back = _safe_next(values.get("next")) or "/"
    try:
        auth.step_up(token, values.get("password", "")[:256], request.client.host if request.client else "")
    except Unauthenticated:
        return redirect(request, "/login?next=" + quote(back))
    except (ValidationFailed, Throttled) as refused:
        wrong = "密码错误次数过多，请10分钟后再试" if isinstance(refused, Throttled) else "密码错误"
        context = step_up_context(request, token, keys, back) | {"step_up_error": wrong}
        return render(request, "error.html", context, status_code=422 if wrong == "密码错误" else 429)
    return redirect(request, back)


@router.post("/logout", response_class=HTMLResponse)
def logout(request: Request, auth: AuthDep, session: WebSessionDep) -> Response:
    auth.logout(session.token)
    response = redirect(request, "/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, session: WebSessionDep) -> Response:
    """For staff whose roles open no page area (security officers use the API and CLI)."""
    return render(request, "account.html", {}, session=session)
