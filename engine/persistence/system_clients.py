"""System clients: the external systems allowed to deliver messages, found by their token digest."""

from __future__ import annotations

from sqlalchemy import select

from engine.persistence.database import SessionFactory
from engine.persistence.records import SystemClientRecord


class SystemClientRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def by_token(self, token_hash: str) -> SystemClientRecord | None:
        with self._sessions() as session:
            return session.scalars(
                select(SystemClientRecord).where(SystemClientRecord.token_hash == token_hash)
            ).first()

    def get(self, client_id: str) -> SystemClientRecord | None:
        with self._sessions() as session:
            return session.get(SystemClientRecord, client_id)

    def save(self, record: SystemClientRecord) -> None:
        """Adds a new client or replaces an existing one's name, messages and token (a rotation)."""
        with self._sessions() as session:
            session.merge(record)
            session.commit()
