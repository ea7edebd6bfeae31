"""`SandboxStore` / `OtpStore` on the database: shared by API and worker processes, survives crashes.

Each call is its own short transaction: simulator and OTP state belongs to the (simulated) external
system, not to the journey transaction that happens to be open around it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.persistence.records import KeyValueRecord


class SqlKeyValueStore:
    def __init__(self, sessions: sessionmaker[Session], prefix: str = "") -> None:
        self._sessions = sessions
        self._prefix = prefix

    def _ns(self, namespace: str) -> str:
        return self._prefix + namespace

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        with self._sessions() as session:
            row = session.get(KeyValueRecord, (self._ns(namespace), key))
            return dict(row.value) if row is not None else None

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        with self._sessions() as session:
            row = session.get(KeyValueRecord, (self._ns(namespace), key))
            if row is None:
                session.add(
                    KeyValueRecord(namespace=self._ns(namespace), key=key, value=value, created_at=_now())
                )
            else:
                row.value = value
            session.commit()

    def put_if_absent(self, namespace: str, key: str, value: dict[str, Any]) -> bool:
        with self._sessions() as session:
            session.add(
                KeyValueRecord(namespace=self._ns(namespace), key=key, value=value, created_at=_now())
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True

    def items(self, namespace: str) -> list[tuple[str, dict[str, Any]]]:
        with self._sessions() as session:
            rows = session.scalars(
                select(KeyValueRecord)
                .where(KeyValueRecord.namespace == self._ns(namespace))
                .order_by(KeyValueRecord.key)
            )
            return [(r.key, dict(r.value)) for r in rows]


def _now() -> datetime:
    return datetime.now(UTC)
