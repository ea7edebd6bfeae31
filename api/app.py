"""The FastAPI application factory; settings and services are built here, never at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.bootstrap import Services, build_services
from api.errors import install_error_handlers
from api.routes import attachments, audit, auth, evidence, journeys, sandbox, staff
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
    ):
        app.include_router(router, prefix="/api/v1")
    if built.sandbox is not None:
        app.include_router(sandbox.router, prefix="/api/v1")
    return app
