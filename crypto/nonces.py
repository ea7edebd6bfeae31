"""Seen-nonce stores for envelope replay protection: the port and an in-memory implementation."""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol


class SeenNonceStore(Protocol):
    """Remembers envelope nonces until they expire.

    `check_and_remember` must be atomic: return False if `nonce` is already remembered and not yet
    expired, otherwise remember it until `expires_at` (aware UTC) and return True. Shared across
    processes it needs shared storage, e.g. Redis `SET key 1 NX EXAT <expires_at>`; nonces are 16
    random bytes, so they can be used as keys directly.
    """

    def check_and_remember(self, nonce: bytes, expires_at: datetime) -> bool: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


class InMemorySeenNonces:
    """A thread-safe `SeenNonceStore` for tests and single-process use; forgets on restart.

    It forgets entries whose expiry is before `clock()`. Tests that open envelopes with a fixed
    `now` must pass the same clock, or entries will be forgotten against the wall clock.
    """

    def __init__(self, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[bytes, datetime] = {}
        self._queue: list[tuple[datetime, bytes]] = []

    def check_and_remember(self, nonce: bytes, expires_at: datetime) -> bool:
        with self._lock:
            self._forget_expired(self._clock())
            if nonce in self._expiry:
                return False
            self._expiry[nonce] = expires_at
            heapq.heappush(self._queue, (expires_at, nonce))
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)

    def _forget_expired(self, now: datetime) -> None:
        while self._queue and self._queue[0][0] < now:
            _, nonce = heapq.heappop(self._queue)
            del self._expiry[nonce]
