"""External systems that talk to FieldBank by message (the card centre's decision, hrss, ...).

A client holds one bearer token (stored as a SHA-256 digest, like staff tokens) and a list of the
message names it may deliver: a card centre cannot deliver a loan decision.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from engine.errors import FieldError, Forbidden, Unauthenticated, ValidationFailed
from engine.persistence.records import SystemClientRecord
from engine.persistence.system_clients import SystemClientRepository

TOKEN_PREFIX = "fbsc_"  # noqa: S105  # a prefix, not a secret: tells system tokens from staff ones
CLIENT_ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
MESSAGE_NAME = re.compile(r"^[a-z][a-z0-9_]{1,99}$")


@dataclass(frozen=True)
class SystemClient:
    client_id: str
    name: str
    message_names: frozenset[str]

    def check_may_deliver(self, message_name: str) -> None:
        if message_name not in self.message_names:
            raise Forbidden(f"client {self.client_id} may not deliver {message_name!r}")


class SystemClients:
    def __init__(self, repository: SystemClientRepository, now: Callable[[], datetime]) -> None:
        self._clients = repository
        self._now = now

    def authenticate(self, token: str) -> SystemClient:
        record = self._clients.by_token(_digest(token)) if token.startswith(TOKEN_PREFIX) else None
        if record is None or record.status != "active":
            raise Unauthenticated("a valid system-client token is required")
        return SystemClient(record.client_id, record.name, frozenset(record.message_names))

    def register(self, client_id: str, name: str, message_names: Iterable[str]) -> str:
        """Creates the client (or rotates its token); the token is shown once and never stored."""
        names = sorted(set(message_names))
        problems = []
        if not CLIENT_ID.match(client_id):
            problems.append(FieldError("client_id", "pattern", "lower-case letters, digits and _"))
        if not names or not all(MESSAGE_NAME.match(n) for n in names):
            problems.append(FieldError("message_names", "pattern", "one or more message names"))
        if problems:
            raise ValidationFailed("the client is not valid", problems)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self._clients.save(
            SystemClientRecord(
                client_id=client_id,
                name=name or client_id,
                token_hash=_digest(token),
                message_names=names,
                status="active",
                created_at=self._now(),
            )
        )
        return token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
