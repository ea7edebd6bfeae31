"""The engine's collaborators, wired once by the composition root (`api/bootstrap.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from engine.operations.registry import Adapters, OperationRegistry, OtpPort


class StateCipher(Protocol):
    """Encrypts serialized engine state (it holds every value a user ever typed, §7.4)."""

    def encrypt(self, plaintext: str, *, context: bytes) -> str: ...

    def decrypt_text(self, ciphertext: str, *, context: bytes) -> str: ...

    def blind_index(self, value: str) -> str: ...


class FormSource(Protocol):
    def get(self, schema_filename: str, ui_filename: str | None = None) -> Any: ...


@dataclass
class EngineDeps:
    sessions: sessionmaker[Session]
    operations: OperationRegistry
    adapters: Adapters
    otp: OtpPort
    cipher: StateCipher
    now: Callable[[], datetime]
    notify_outbox: Callable[[], None] = lambda: None
    retry_backoff_scale: float = 1.0
    outbox_lease_seconds: int = 60
    worker_threads: int = 8
