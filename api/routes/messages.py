"""Messages from external systems (ARCHITECTURE: async replies arrive as BPMN messages), authenticated
as a system client, never as a member of staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials

from api.deps import BearerDep, MessagesDep, SystemClientsDep
from api.openapi import error_responses
from api.schemas import MessageIn, MessageOut
from engine.errors import Unauthenticated
from engine.people.system_clients import SystemClient

router = APIRouter(tags=["messages"])


def system_client(clients: SystemClientsDep, credentials: BearerDep) -> SystemClient:
    if not isinstance(credentials, HTTPAuthorizationCredentials) or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("a system-client bearer token is required")
    return clients.authenticate(credentials.credentials)


SystemClientDep = Annotated[SystemClient, Depends(system_client)]


@router.post("/messages", response_model=MessageOut, responses=error_responses(401, 403, 404, 409, 413, 422))
def deliver_message(body: MessageIn, client: SystemClientDep, messages: MessagesDep) -> MessageOut:
    """Delivered at most once: a `message_id` this client sent before answers `duplicate` and changes
    nothing; a correlation key no instance waits for is 404 (retry later if you answered early)."""
    delivery = messages.deliver(client, body.message_id, body.name, body.correlation_key, body.payload)
    return MessageOut(message_id=delivery.message_id, status=delivery.status)  # type: ignore[arg-type]
