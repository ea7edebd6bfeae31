"""What every page shares: the template environment, the signed-in session as a dependency, rendering
with the common context, and the areas (tablet, phone, desk, analyst) a member of staff may open."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from api.deps import AuthDep, KeysDep
from api.web import bank_time
from api.web.labels import ending_facts, journey_title, label, outcome_heading, staff_label
from api.web.session import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    LoginRequired,
    WebSession,
    check_csrf,
    csrf_token_for,
)
from crypto import KeyStore, hmac_sm3
from engine.errors import Unauthenticated
from engine.views import Actor

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"

# (area, path, Chinese name, roles that open it) — the nav shows the areas a member of staff holds
AREAS: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("tablet", "/tablet", "展业", frozenset({"field_officer", "second_officer"})),
    ("phone", "/phone", "审批", frozenset({"authorizer", "branch_manager", "aml_officer", "loan_approver"})),
    ("desk", "/desk", "事后监督", frozenset({"post_supervisor", "aml_officer"})),
    ("analyst", "/analyst", "流程", frozenset({"analyst"})),
    ("devices", "/devices", "设备", frozenset({"device_admin", "security_officer", "branch_manager"})),
)


# Pages run only our own scripts (no inline script, no eval), frame only themselves (the desk's PDFs)
# and are never cached: they carry personal data on shared tablets.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' blob: data:; media-src 'self' blob:; "
        "frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def areas_for(actor: Actor) -> list[tuple[str, str, str]]:
    return [(key, path, name) for key, path, name, roles in AREAS if actor.roles & roles]


def home_path(actor: Actor) -> str:
    areas = areas_for(actor)
    return areas[0][1] if areas else "/account"


@cache
def static_version(name: str) -> str:
    """Content hash in the URL, so a file can be cached for a year and still change on deploy."""
    path = STATIC_DIR / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10] if path.is_file() else "missing"


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_version(name)}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(("html",)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    env.filters["label"] = label
    env.filters["journey_title"] = journey_title
    env.filters["bank_time"] = bank_time.shown
    env.filters["waited"] = bank_time.waited
    env.globals["staff_label"] = staff_label
    env.globals["outcome_heading"] = outcome_heading
    env.globals["ending_facts"] = ending_facts
    return env


ENV = _environment()


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    session: WebSession | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    base: dict[str, Any] = {
        "request": request,
        "session": session,
        "actor": session.actor if session else None,
        "csrf_token": session.csrf_token if session else "",
        "areas": areas_for(session.actor) if session else [],
        "partial": request.headers.get("hx-request") == "true",
        "handover": False,
    }
    html = ENV.get_template(template).render({**base, **context})
    response = HTMLResponse(html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})})
    return response


def redirect(request: Request, url: str) -> Response:
    """A redirect htmx follows as a full navigation (HX-Redirect) and a browser as a 303."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def here(request: Request) -> str:
    """Path and query, so signing in returns to the same filtered list."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def csrf_key(keys: KeyStore) -> bytes:
    return hmac_sm3(keys.index_key, b"fieldbank/csrf-key/v1")


async def web_session(request: Request, auth: AuthDep, keys: KeysDep) -> WebSession:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired(here(request))
    try:
        actor = auth.authenticate(token)
    except Unauthenticated:
        raise LoginRequired(here(request)) from None
    key = csrf_key(keys)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        presented = request.headers.get(CSRF_HEADER)
        if presented is None and "form" in request.headers.get("content-type", ""):
            value = (await request.form()).get(CSRF_FIELD)
            presented = value if isinstance(value, str) else None
        check_csrf(key, token, presented)
    return WebSession(actor, token, csrf_token_for(key, token))


WebSessionDep = Annotated[WebSession, Depends(web_session)]


class CachedStaticFiles(StaticFiles):
    """Versioned URLs (`?v=<hash>`) are immutable; anything else revalidates."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
