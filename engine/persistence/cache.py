"""Process-local caches of rows that never (definitions) or rarely (branches) change.

Definitions are immutable versions, so a snapshot is valid forever; branch paths change only when the
bank reorganises, so they are re-read after a minute. Instance state is never cached here.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.persistence.records import BranchRecord, ProcessDefinitionRecord


@dataclass(frozen=True)
class DefinitionSnapshot:
    id: int
    process_id: str
    name: str
    version: int
    sha: str
    spec_json: str
    forms: dict[str, Any]
    lane_roles: dict[str, str]
    start_qualification: str | None = None


class DefinitionCache:
    def __init__(self) -> None:
        self._items: dict[int, DefinitionSnapshot] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, definition_id: int) -> DefinitionSnapshot | None:
        snapshot = self._items.get(definition_id)
        if snapshot is None:
            record = session.get(ProcessDefinitionRecord, definition_id)
            if record is None:
                return None
            snapshot = DefinitionSnapshot(
                record.id,
                record.process_id,
                record.name,
                record.version,
                record.sha,
                record.spec_json,
                dict(record.forms),
                dict(record.lane_roles),
                record.start_qualification,
            )
            with self._lock:
                self._items[definition_id] = snapshot
        return snapshot

    def clear(self) -> None:
        """For a database that was emptied and refilled (tests): its ids mean other versions now."""
        with self._lock:
            self._items.clear()


class BranchPathCache:
    def __init__(self, ttl_seconds: float = 60.0) -> None:
        self._ttl = ttl_seconds
        self._items: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def path(self, session: Session, code: str) -> str | None:
        hit = self._items.get(code)
        now = time.monotonic()
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        record = session.get(BranchRecord, code)
        path = record.path if record is not None else None
        with self._lock:
            self._items[code] = (now, path)
        return path

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


DEFINITIONS = DefinitionCache()
BRANCH_PATHS = BranchPathCache()
