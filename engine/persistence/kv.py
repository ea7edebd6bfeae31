"""`SandboxStore` / `OtpStore` on the database: shared by API and worker processes, survives crashes.

Each call is its own short transaction: simulator and OTP state belongs to the (simulated) external
system, not to the journey transaction that happens to be open around it. `transaction()` groups the
calls of one simulated business act (a serial claimed and its account booked) into one commit.
Inserts are `INSERT … ON CONFLICT DO NOTHING`, so a lost race inside a transaction does not abort it
(PostgreSQL makes the twin wait for the open transaction and then report the key as taken).

Keys and values may hold personal data (a simulator keys its records by ID number, an OTP send count
by mobile), so neither is stored in clear: the row key is a keyed SM3 of namespace + key, and the
value is SM4-encrypted together with its original key, bound to the row it belongs to.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
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
        self._sealer = _Sealer(cipher, key_secret, prefix)

    @contextmanager
    def transaction(self) -> Iterator[SqlKeyValueView]:
        """One commit for everything done through the view; nothing of it if the block raises."""
        with self._sessions() as session, session.begin():
            yield SqlKeyValueView(session, self._sealer)

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        with self.transaction() as view:
            return view.get(namespace, key)

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        with self.transaction() as view:
            view.put(namespace, key, value)

    def put_if_absent(self, namespace: str, key: str, value: dict[str, Any]) -> bool:
        with self.transaction() as view:
            return view.put_if_absent(namespace, key, value)

    def items(self, namespace: str) -> list[tuple[str, dict[str, Any]]]:
        with self.transaction() as view:
            return view.items(namespace)


class SqlKeyValueView:
    """The store's calls inside one open session; the session's owner commits."""

    def __init__(self, session: Session, sealer: _Sealer) -> None:
        self._session = session
        self._sealer = sealer

    # writes are Core statements, so reads reload rows (populate_existing) instead of trusting the session

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        ns = self._sealer.namespace(namespace)
        primary_key = (ns, self._sealer.row_key(namespace, key))
        row = self._session.get(KeyValueRecord, primary_key, populate_existing=True)
        return self._sealer.open(namespace, row)[1] if row is not None else None

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        insert = self._insert(namespace, key, value)
        self._session.execute(
            insert.on_conflict_do_update(index_elements=_PRIMARY_KEY, set_={"value": insert.excluded.value})
        )

    def put_if_absent(self, namespace: str, key: str, value: dict[str, Any]) -> bool:
        insert = self._insert(namespace, key, value).on_conflict_do_nothing(index_elements=_PRIMARY_KEY)
        return self._session.execute(insert.returning(KeyValueRecord.key)).first() is not None

    def items(self, namespace: str) -> list[tuple[str, dict[str, Any]]]:
        ns = self._sealer.namespace(namespace)
        query = select(KeyValueRecord).where(KeyValueRecord.namespace == ns)
        rows = self._session.scalars(query.execution_options(populate_existing=True))
        return sorted(self._sealer.open(namespace, r) for r in rows)

    def _insert(self, namespace: str, key: str, value: dict[str, Any]) -> postgresql.Insert | sqlite.Insert:
        row_key = self._sealer.row_key(namespace, key)
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        return dialect.insert(KeyValueRecord).values(
            namespace=self._sealer.namespace(namespace),
            key=row_key,
            value=self._sealer.seal(namespace, row_key, key, value),
            created_at=_now(),
        )


_PRIMARY_KEY = ["namespace", "key"]


class _Sealer:
    """Row keys blinded with HMAC-SM3; values SM4-sealed with their original key, bound to their row."""

    def __init__(self, cipher: StateCipher, key_secret: bytes, prefix: str) -> None:
        self._cipher = cipher
        self._key_secret = key_secret
        self._prefix = prefix

    def namespace(self, namespace: str) -> str:
        return self._prefix + namespace

    def row_key(self, namespace: str, key: str) -> str:
        message = b"fieldbank/kv-key/v1|" + self.namespace(namespace).encode() + b"|" + key.encode("utf-8")
        return hmac_sm3(self._key_secret, message).hex()

    def seal(self, namespace: str, row_key: str, key: str, value: dict[str, Any]) -> dict[str, Any]:
        plain = json.dumps({"key": key, "value": value}, ensure_ascii=False, separators=(",", ":"))
        return {"sealed": self._cipher.encrypt(plain, context=self._context(namespace, row_key))}

    def open(self, namespace: str, row: KeyValueRecord) -> tuple[str, dict[str, Any]]:
        text = self._cipher.decrypt_text(row.value["sealed"], context=self._context(namespace, row.key))
        entry = json.loads(text)
        return entry["key"], dict(entry["value"])

    def _context(self, namespace: str, row_key: str) -> bytes:
        return f"kv:{self.namespace(namespace)}:{row_key}".encode()


def _now() -> datetime:
    return datetime.now(UTC)
