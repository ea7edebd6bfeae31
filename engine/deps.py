"""The engine's collaborators, wired in one pass by the composition root (`api/bootstrap.py`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from engine.hot_instances import HotInstances
from engine.journeys.registry import JourneyRegistry
from engine.operations.registry import Adapters, OperationRegistry, OtpPort
from engine.outbox_bell import OutboxBell
from engine.persistence.database import SessionFactory, Transaction


class StateCipher(Protocol):
    """Encrypts serialized engine state (it holds every value a user ever typed, §7.4)."""

    def encrypt(self, plaintext: str | bytes, *, context: bytes) -> str: ...

    def decrypt(self, ciphertext: str, *, context: bytes) -> bytes: ...

    def decrypt_text(self, ciphertext: str, *, context: bytes) -> str: ...

    def blind_index(self, value: str) -> str: ...


class FormSource(Protocol):
    def get(self, schema_filename: str, ui_filename: str | None = None) -> Any: ...


@dataclass(frozen=True)
class EngineDeps:
    sessions: SessionFactory
    operations: OperationRegistry
    adapters: Adapters
    otp: OtpPort
    cipher: StateCipher
    now: Callable[[], datetime]
    bell: OutboxBell = field(default_factory=OutboxBell)
    retry_backoff_scale: float = 1.0
    outbox_lease_seconds: int = 60
    worker_threads: int = 8
    hot_instances: HotInstances = field(default_factory=HotInstances)
    instance_projections: tuple[Callable[[Transaction, Any, dict[str, Any]], None], ...] = ()
    """Called in the saving transaction of every instance with (session, record, data): side tables of
    outer packages (e.g. the evidence package status) stay in step with the engine state."""
    start_variables: Callable[[str], Mapping[str, Any]] = lambda _process_id: {}
    """Per process id, the variables its start data takes from the settings (the journey's declared
    `start_variables`, bound to the settings by the composition root); they override the caller's."""
    journeys: JourneyRegistry = field(default_factory=JourneyRegistry)
    """The declared journeys (`engine/journeys/<journey>/`): what each adds to the generic save, its
    words, labels and approval facts; an undeclared process gets the generic behaviour."""

    def notify_outbox(self) -> None:
        """After a commit that wrote outbox rows."""
        self.bell.ring()
