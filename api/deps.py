"""Annotated dependencies that keep route signatures short and authentication visible."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.bootstrap import Services
from engine.errors import Unauthenticated
from engine.views import Actor

_bearer = HTTPBearer(auto_error=False)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_actor(
    services: ServicesDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a bearer token is required")
    return services.auth.authenticate(credentials.credentials)


CurrentActorDep = Annotated[Actor, Depends(get_actor)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
