"""Errors on pages are pages: a signed-out browser goes to sign-in, a refused form shows why, and an
engine error becomes a readable screen, never JSON or a stack trace. JSON paths keep the API's shape."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import Response

from api.web.pages import csrf_key, redirect, render
from api.web.session import SESSION_COOKIE, csrf_token_for
from crypto import KeyStore
from devices.gate import STEP_UP
from devices.restriction import CODE as RESTRICTED
from engine.errors import DeviceRefused

# Chinese headline and message per status; the engine's own message is English and for the log
_TEXT = {
    401: ("请重新登录", "登录已失效。"),
    403: ("无权操作", "您的角色不能打开本页或执行此操作。"),
    404: ("未找到", "要找的内容不存在，或不在您的权限范围内。"),
    409: ("已被处理", "该任务已被完成或业务已继续，请刷新后查看最新状态。"),
    422: ("输入有误", "请检查填写的内容。"),
    429: ("操作过于频繁", "请稍后再试。"),
    503: ("外部系统暂不可用", "请稍后重试；已填写的信息不会丢失。"),
}


def wants_page(request: Request) -> bool:
    """A browser page or htmx request (not the JSON API, not a script's fetch of JSON)."""
    path = request.url.path
    if path.startswith(("/api/", "/docs", "/openapi", "/media/", "/diagrams/")):
        return False
    return request.headers.get("hx-request") == "true" or "text/html" in request.headers.get("accept", "")


def login_redirect(request: Request, next_url: str) -> Response:
    return redirect(request, f"/login?next={quote(next_url, safe='/')}")


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    """`message`: the error's own Chinese sentence, where it has one (a held journey's)."""
    heading, standard = _TEXT.get(status, ("出错了", "请稍后重试。"))
    message = message or standard
    headers = {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"} if request.headers.get("hx-request") else {}
    return render(
        request, "error.html", {"heading": heading, "message": message}, status_code=status, headers=headers
    )


def device_refused_page(request: Request, exc: DeviceRefused) -> Response:
    """The device gate's refusal as a whole screen (an htmx partial replaces the page with it too).
    A step-up is not a dead end: the screen asks for the password and goes back to the page."""
    headers = {"HX-Retarget": "#main", "HX-Reswap": "innerHTML"} if request.headers.get("hx-request") else {}
    context: dict[str, Any] = {
        "heading": "设备不可用",
        "message": exc.screen_message,
        "device_code": exc.code,
    }
    token = request.cookies.get(SESSION_COOKIE)
    if exc.code == RESTRICTED:
        context |= {"heading": "需要授权", "back": _page_of(request)}
    if exc.code == STEP_UP.code and token:
        keys = request.app.state.services.keys
        context |= {"heading": "请重新验证身份"} | step_up_context(request, token, keys, _page_of(request))
    return render(request, "error.html", context, status_code=403, headers=headers)


def step_up_context(request: Request, token: str, keys: KeyStore, back: str) -> dict[str, Any]:
    """What the step-up form needs: the session's CSRF token and the page to go back to."""
    return {
        "heading": "请重新验证身份",
        "message": STEP_UP.message,
        "device_code": STEP_UP.code,
        "step_up_csrf": csrf_token_for(csrf_key(keys), token),
        "step_up_next": back,
    }


def _page_of(request: Request) -> str:
    """The page the officer was on: htmx says which; a plain GET is that page; a form post goes back to
    the page that sent it."""
    for candidate in (request.headers.get("hx-current-url"), request.headers.get("referer")):
        if candidate:
            parts = urlsplit(candidate)
            return parts.path + (f"?{parts.query}" if parts.query else "")
    if request.method == "GET":
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/"
