"""The engine's collaborators, wired once by the composition root (`api/bootstrap.py`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from engine.hot_instances import HotInstances
from engine.operations.registry import Adapters, OperationRegistry, OtpPort
from engine.projections import ProcessProjection


class StateCipher(Protocol):
    """Encrypts serialized engine state (it holds every value a user ever typed, §7.4)."""

    def encrypt(self, plaintext: str | bytes, *, context: bytes) -> str: ...

    def decrypt(self, ciphertext: str, *, context: bytes) -> bytes: ...

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
    hot_instances: HotInstances = field(default_factory=HotInstances)
    outbox_handlers: dict[str, Callable[[int], None]] = field(default_factory=dict)
    """Handlers of outbox kinds other than `service_calls`, registered by the composition root; each
    marks its row done in the transaction that does the work."""
    operation_extensions: dict[str, Any] = field(default_factory=dict)
    """Passed to operations as `OperationContext.extensions` (e.g. the supervision service)."""
    instance_projections: list[Callable[[Session, Any, dict[str, Any]], None]] = field(default_factory=list)
    """Called in the saving transaction of every instance with (session, record, data): side tables of
    outer packages (e.g. the evidence package status) stay in step with the engine state."""
    projections: Mapping[str, ProcessProjection] = field(default_factory=dict)
    """What each process adds to the generic save (`engine/journeys/`); others get `GENERIC`."""
