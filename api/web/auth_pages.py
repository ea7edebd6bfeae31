"""Sign-in and sign-out pages; the session is the API's token in an HttpOnly cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import AuthDep, SettingsDep
from api.web.pages import WebSessionDep, home_path, redirect, render
from api.web.session import (
    DEVICE_COOKIE,
    DEVICE_COOKIE_SECONDS,
    SESSION_COOKIE,
    cookie_secure,
    new_device_id,
)
from engine.errors import Throttled, Unauthenticated

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


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    auth: AuthDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    error, status = None, 200
    if not username or not password:
        error, status = "请输入工号和密码", 422
    else:
        try:
            client = request.client.host if request.client else ""
            issued = auth.login(username, password, request.cookies.get(DEVICE_COOKIE), client)
        except Unauthenticated:
            error, status = "工号或密码错误", 401
        except Throttled:
            error, status = "密码错误次数过多，请10分钟后再试", 429
    if error is not None:
        context = {"next": _safe_next(next) or "", "error": error, "username": username}
        return render(request, "login.html", context, status_code=status)
    response = redirect(request, _safe_next(next) or home_path(issued.actor))
    response.set_cookie(
        SESSION_COOKIE,
        issued.access_token,
        max_age=settings.token_ttl_seconds,
        httponly=True,
        samesite="strict",
        secure=cookie_secure(request),
    )
    return response


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
