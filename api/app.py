"""The FastAPI application factory; settings and services are built here, never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from api.body_limit import BodyLimitMiddleware
from api.bootstrap import Services, build_services
from api.errors import UnexpectedErrorMiddleware, install_error_handlers
from api.logging_setup import configure_logging
from api.request_id import RequestIdMiddleware
from api.routes import (
    attachments,
    audit,
    auth,
    device_commands,
    device_events,
    device_risk,
    device_step_grants,
    devices,
    evidence,
    journeys,
    messages,
    sandbox,
    staff,
)
from api.web import analyst, auth_pages, desk, media, phone, regions, sandbox_sms, tablet
from api.web import devices as device_pages
from api.web.pages import STATIC_DIR, CachedStaticFiles
from engine.settings import Settings


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or Settings()
    built = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        built.start_background()
        try:
            yield
        finally:
            built.stop_background()

    app = FastAPI(
        title="FieldBank",
        version="0.1.0",
        lifespan=lifespan,
        description="Mobile outreach banking: BPMN journeys, evidence, devices.",
    )
    app.state.services = built
    install_error_handlers(app)
    for router in (
        auth.router,
        journeys.router,
        attachments.router,
        evidence.router,
        audit.router,
        staff.router,
        devices.router,
        device_risk.router,
        device_commands.router,
        device_events.router,
        device_step_grants.router,
        messages.router,
    ):
        app.include_router(router, prefix="/api/v1")
    if built.sandbox is not None:
        app.include_router(sandbox.router, prefix="/api/v1")
    for router in (
        auth_pages.router,
        tablet.router,
        sandbox_sms.router,
        phone.router,
        desk.router,
        analyst.router,
        device_pages.router,
        media.router,
        regions.router,
    ):
        app.include_router(router)
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    # weak 4G: pages, scripts and JSON travel compressed (the spike measured 27 KB for a first form)
    app.add_middleware(GZipMiddleware, minimum_size=600)
    # outermost: an oversized body is refused before anything reads it
    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=built.settings.request_body_max_bytes,
        upload_limit=built.attachments.largest_upload,
    )
    # just inside the request id: an unexpected exception's 500 and its log line carry the id
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(RequestIdMiddleware)  # outermost of all: even a refused body's lines carry the id
    return app


def app_from_environment() -> FastAPI:
    """The factory each process of `fieldbank serve --workers N` calls: its own settings, engine and pool."""
    configure_logging()
    return create_app(Settings())
