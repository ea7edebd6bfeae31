"""Fixtures for the sandbox adapter tests: a controlled clock, a recording sleep, a fresh store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from engine.adapters.ports import SHANGHAI, OpenAccountRequest
from engine.adapters.sandbox import (
    InMemorySandboxStore,
    SandboxAdapters,
    SandboxKnobs,
    build_sandbox_adapters,
)
from engine.adapters.sandbox.timing import Pacer

HAPPY_ID, HAPPY_NAME = "420106199003071238", "张伟"
CARD_1, CARD_2, CARD_PREBOUND = "6219994201000000010", "6219994201000000028", "6219994201000000036"


class FakeClock:
    """Shanghai wall clock that only moves when told to (or when the fake sleep sleeps)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def set(self, hour: int, minute: int) -> None:
        self.now = self.now.replace(hour=hour, minute=minute, second=0)


class RecordingSleep:
    """Records every requested sleep instead of sleeping; moves the fake clock on."""

    def __init__(self, clock: FakeClock) -> None:
        self.calls: list[float] = []
        self._clock = clock
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.calls.append(seconds)
            self._clock.advance(seconds)


class SlowStore(InMemorySandboxStore):
    """Widens race windows: every read yields the GIL for a moment."""

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        time.sleep(0.0002)
        return super().get(namespace, key)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def sleeps(clock: FakeClock) -> RecordingSleep:
    return RecordingSleep(clock)


@pytest.fixture
def slow_store() -> SlowStore:
    return SlowStore()


@pytest.fixture
def store() -> InMemorySandboxStore:
    return InMemorySandboxStore()


@pytest.fixture
def make_adapters(
    store: InMemorySandboxStore, clock: FakeClock, sleeps: RecordingSleep
) -> Callable[..., SandboxAdapters]:
    """Adapters over the shared store; knobs default to the `zero` latency profile."""

    def make(**knobs: Any) -> SandboxAdapters:
        knobs.setdefault("latency_profile", "zero")
        return build_sandbox_adapters(store, SandboxKnobs(**knobs), clock=clock, sleep=sleeps)

    return make


@pytest.fixture
def adapters(make_adapters: Callable[..., SandboxAdapters]) -> SandboxAdapters:
    return make_adapters()


@pytest.fixture
def make_pacer(clock: FakeClock, sleeps: RecordingSleep) -> Callable[..., Pacer]:
    def make(profile: str = "normal", **chaos: Any) -> Pacer:
        return Pacer(profile, sleep=sleeps, clock=clock, **chaos)  # type: ignore[arg-type]

    return make


@pytest.fixture
def open_request() -> Callable[..., OpenAccountRequest]:
    """A clean Class I opening for the happy-path customer; override any field."""

    def make(**fields: Any) -> OpenAccountRequest:
        base: dict[str, Any] = {
            "channel_serial_no": "FB20250612-0001",
            "id_number": HAPPY_ID,
            "name": HAPPY_NAME,
            "mobile": "13900001234",
            "account_class": "I",
            "product_code": "DEBIT_STD",
            "card_no": CARD_1,
            "branch_code": "420101",
            "operator_id": "fo-001",
        }
        return OpenAccountRequest(**{**base, **fields})

    return make
