"""`SandboxStore` / `OtpStore` on the database: shared by API and worker processes, survives crashes.

Each call is its own short transaction: simulator and OTP state belongs to the (simulated) external
system, not to the journey transaction that happens to be open around it.

Keys and values may hold personal data (a simulator keys its records by ID number, an OTP send count
by mobile), so neither is stored in clear: the row key is a keyed SM3 of namespace + key, and the
value is SM4-encrypted together with its original key, bound to the row it belongs to.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from crypto import hmac_sm3
from engine.deps import StateCipher
from engine.persistence.records import KeyValueRecord


class SqlKeyValueStore:
    def __init__(
        self, sessions: sessionmaker[Session], cipher: StateCipher, key_secret: bytes, prefix: str = ""
    ) -> None:
        if len(key_secret) < 16:
            raise ValueError("the key-blinding secret must be at least 16 bytes")
        self._sessions = sessions
        self._cipher = cipher
        self._key_secret = key_secret
        self._prefix = prefix

    def _ns(self, namespace: str) -> str:
        return self._prefix + namespace

    def _row_key(self, namespace: str, key: str) -> str:
        message = b"fieldbank/kv-key/v1|" + self._ns(namespace).encode() + b"|" + key.encode("utf-8")
        return hmac_sm3(self._key_secret, message).hex()

    def _seal(self, namespace: str, row_key: str, key: str, value: dict[str, Any]) -> dict[str, Any]:
        plain = json.dumps({"key": key, "value": value}, ensure_ascii=False, separators=(",", ":"))
        return {"sealed": self._cipher.encrypt(plain, context=self._context(namespace, row_key))}

    def _open(self, namespace: str, row: KeyValueRecord) -> tuple[str, dict[str, Any]]:
        text = self._cipher.decrypt_text(row.value["sealed"], context=self._context(namespace, row.key))
        entry = json.loads(text)
        return entry["key"], dict(entry["value"])

    def _context(self, namespace: str, row_key: str) -> bytes:
        return f"kv:{self._ns(namespace)}:{row_key}".encode()

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        with self._sessions() as session:
            row = session.get(KeyValueRecord, (self._ns(namespace), self._row_key(namespace, key)))
            return self._open(namespace, row)[1] if row is not None else None

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        row_key = self._row_key(namespace, key)
        sealed = self._seal(namespace, row_key, key, value)
        with self._sessions() as session:
            row = session.get(KeyValueRecord, (self._ns(namespace), row_key))
            if row is None:
                session.add(
                    KeyValueRecord(
                        namespace=self._ns(namespace), key=row_key, value=sealed, created_at=_now()
                    )
                )
            else:
                row.value = sealed
            session.commit()

    def put_if_absent(self, namespace: str, key: str, value: dict[str, Any]) -> bool:
        row_key = self._row_key(namespace, key)
        sealed = self._seal(namespace, row_key, key, value)
        with self._sessions() as session:
            session.add(
                KeyValueRecord(namespace=self._ns(namespace), key=row_key, value=sealed, created_at=_now())
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
                select(KeyValueRecord).where(KeyValueRecord.namespace == self._ns(namespace))
            )
            return sorted(self._open(namespace, r) for r in rows)


def _now() -> datetime:
    return datetime.now(UTC)
