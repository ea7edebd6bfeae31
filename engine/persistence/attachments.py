"""The index rows of uploaded evidence images; the blobs themselves live in the blob folder."""

from __future__ import annotations

from engine.persistence.database import SessionFactory
from engine.persistence.records import AttachmentRecord


class AttachmentRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def add(self, record: AttachmentRecord) -> None:
        """Committed at once: the blob it indexes is already written."""
        with self._sessions() as session:
            session.add(record)
            session.commit()

    def get(self, attachment_id: str) -> AttachmentRecord | None:
        with self._sessions() as session:
            return session.get(AttachmentRecord, attachment_id)
