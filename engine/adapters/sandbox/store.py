"""Where the sandbox keeps its state, so API and worker processes see one simulated bank.

Inserts are atomic (`put_if_absent`), so the simulators never read-modify-write a shared key:
every claim (a serial, a card binding, an account slot, an OTP attempt) is its own key, and `put` is
used only by the one writer that owns a key (the winner of its `put_if_absent`). Where a simulated
system changes several keys as one business act (the core claims a serial and books its account),
it does so inside `transaction()`: all of it lands or none, as in the real system, so a crash cannot
leave a claim without its result. Values are JSON-serialisable dicts so a SQL store holds them unchanged.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol


class SandboxView(Protocol):
    """Namespaced key → JSON dict reads and writes; `items` may return entries in any order."""

    def get(self, namespace: str, key: str) -> dict[str, Any] | None: ...

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None: ...

    def put_if_absent(self, namespace: str, key: str, value: dict[str, Any]) -> bool: ...

    def items(self, namespace: str) -> list[tuple[str, dict[str, Any]]]: ...


class SandboxStore(SandboxView, Protocol):
    """A view whose single calls each commit, plus transactions. Implementations must make
    `put_if_absent` atomic across every thread and process that shares the store, also inside a
    transaction (a twin's insert of the same key waits for, then loses to, the open transaction)."""

    def transaction(self) -> AbstractContextManager[SandboxView]: ...


class InMemorySandboxStore:
    """Thread-safe store for one process (tests, benches, the embedded single-process server).

    Values are kept as JSON text so a non-serialisable value fails here, not later in the SQL store,
    and callers can never mutate stored state through a returned dict.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._data: dict[str, dict[str, str]] = {}

    @contextmanager
    def transaction(self) -> Iterator[SandboxView]:
        """Holds the store for the transaction and applies its writes only if the block succeeds."""
        with self._lock:
            staged = _StagedView(self)
            yield staged
            for (namespace, key), raw in staged.writes.items():
                self._data.setdefault(namespace, {})[key] = raw

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            raw = self._data.get(namespace, {}).get(key)
        return None if raw is None else _decode(raw)

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        raw = _encode(value)
        with self._lock:
            self._data.setdefault(namespace, {})[key] = raw

    def put_if_absent(self, namespace: str, key: str, value: dict[str, Any]) -> bool:
        raw = _encode(value)
        with self._lock:
            entries = self._data.setdefault(namespace, {})
            if key in entries:
                return False
            entries[key] = raw
            return True

    def items(self, namespace: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            entries = sorted(self._data.get(namespace, {}).items())
        return [(key, _decode(raw)) for key, raw in entries]


class _StagedView:
    """Writes of one in-memory transaction, read through before the committed data."""

    def __init__(self, store: InMemorySandboxStore) -> None:
        self._store = store
        self.writes: dict[tuple[str, str], str] = {}

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        raw = self.writes.get((namespace, key))
        return self._store.get(namespace, key) if raw is None else _decode(raw)

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        self.writes[(namespace, key)] = _encode(value)

    def put_if_absent(self, namespace: str, key: str, value: dict[str, Any]) -> bool:
        if self.get(namespace, key) is not None:
            return False
        self.put(namespace, key, value)
        return True

    def items(self, namespace: str) -> list[tuple[str, dict[str, Any]]]:
        merged = dict(self._store.items(namespace))
        merged.update({k: _decode(raw) for (ns, k), raw in self.writes.items() if ns == namespace})
        return sorted(merged.items())


def claim_next(store: SandboxView, namespace: str, prefix: str, value: dict[str, Any]) -> int:
    """Insert `value` under the first free `prefix:<n>` (n from 1) and return n.

    Claims are contiguous (no gaps), so `n` orders concurrent claimers and a reader can walk the
    sequence with `get` until the first missing key.
    """
    n = len(walk(store, namespace, prefix)) + 1
    while not store.put_if_absent(namespace, f"{prefix}:{n}", value):
        n += 1
    return n


def walk(store: SandboxView, namespace: str, prefix: str) -> list[dict[str, Any]]:
    """The values at `prefix:1`, `prefix:2`, … up to the first missing key."""
    found: list[dict[str, Any]] = []
    while (value := store.get(namespace, f"{prefix}:{len(found) + 1}")) is not None:
        found.append(value)
    return found


def _encode(value: dict[str, Any]) -> str:
    if not isinstance(value, dict):
        raise TypeError("sandbox store values must be dicts")
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _decode(raw: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw)
    return value
