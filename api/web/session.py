"""Browser sign-in: the API's bearer token kept in an HttpOnly cookie, plus a CSRF token for every form.

Pages call the same AuthService as the JSON API; only the transport differs. The cookie is SameSite=Strict
and the CSRF token (HMAC-SM3 of the session token) is checked on every unsafe request as well, so a page
on another origin can neither read nor ride the session.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request

from crypto import hmac_sm3
from engine.views import Actor

SESSION_COOKIE = "fb_session"
DEVICE_COOKIE = "fb_device"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
DEVICE_COOKIE_SECONDS = 400 * 24 * 3600


class LoginRequired(Exception):
    """No valid session: the page sends the browser to the sign-in page, then back to `next_url`."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfRejected(Exception):
    """An unsafe request without the session's CSRF token."""


@dataclass(frozen=True)
class WebSession:
    actor: Actor
    token: str
    csrf_token: str


def csrf_token_for(key: bytes, session_token: str) -> str:
    return hmac_sm3(key, b"fieldbank/csrf/v1:" + session_token.encode()).hex()[:40]


def check_csrf(key: bytes, session_token: str, presented: str | None) -> None:
    if not presented or not hmac.compare_digest(presented, csrf_token_for(key, session_token)):
        raise CsrfRejected()


def new_device_id() -> str:
    """A browser's stable identity until the device registry binds real devices (see README)."""
    return "web-" + secrets.token_hex(8)


def cookie_secure(request: Request) -> bool:
    return request.url.scheme == "https"
