"""Deployed process-definition versions: found by content hash, numbered per process, never changed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from engine.persistence.database import SessionFactory, Transaction
from engine.persistence.records import ProcessDefinitionRecord


class DefinitionRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @contextmanager
    def transaction(self) -> Iterator[DefinitionTransaction]:
        """One session for a deployment; nothing is kept unless the use case calls `commit()`."""
        with self._sessions() as session:
            yield DefinitionTransaction(session)

    def version(self, process_id: str, version: int) -> ProcessDefinitionRecord | None:
        with self._sessions() as session:
            return session.scalars(
                select(ProcessDefinitionRecord).where(
                    ProcessDefinitionRecord.process_id == process_id,
                    ProcessDefinitionRecord.version == version,
                )
            ).first()

    def newest_first(self) -> list[ProcessDefinitionRecord]:
        """Every version, grouped by process id, the highest version of each first."""
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(ProcessDefinitionRecord).order_by(
                        ProcessDefinitionRecord.process_id, ProcessDefinitionRecord.version.desc()
                    )
                )
            )


class DefinitionTransaction:
    """The repository's calls inside one open session; the use case commits."""

    def __init__(self, session: Transaction) -> None:
        self._session = session

    def commit(self) -> None:
        self._session.commit()

    def version_with_sha(self, process_id: str, sha: str) -> int | None:
        """The version already deployed with exactly these sources, if any."""
        return self._session.scalars(
            select(ProcessDefinitionRecord.version).where(
                ProcessDefinitionRecord.process_id == process_id, ProcessDefinitionRecord.sha == sha
            )
        ).first()

    def latest_version(self, process_id: str) -> int:
        """0 for a process never deployed."""
        return (
            self._session.scalar(
                select(func.max(ProcessDefinitionRecord.version)).where(
                    ProcessDefinitionRecord.process_id == process_id
                )
            )
            or 0
        )

    def add(self, record: ProcessDefinitionRecord) -> None:
        self._session.add(record)
