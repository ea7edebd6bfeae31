"""One command, one transaction: the unit of work in the cosmicpython sense.

A use case opens a `UnitOfWork`, takes the instance aggregates it changes from it (`journey`, `adopt`),
and calls `commit()` once. Leaving the block without a commit rolls everything back, so no command can
half-apply. After a commit each engine object the command used is kept warm for this process's next
command on that instance (`engine/hot_instances.py`), and the outbox worker is woken only if the
command left work for it (a woken relay costs two queries; most commands leave none).
"""

from __future__ import annotations

from types import TracebackType

from engine.deps import EngineDeps
from engine.errors import NotFound
from engine.persistence.database import Transaction
from engine.persistence.instances import InstanceTables
from engine.persistence.records import ProcessInstanceRecord
from engine.store import JourneyInstance


class UnitOfWork:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps
        self._journeys: list[JourneyInstance] = []
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.tables = InstanceTables(self.deps.sessions())
        self.session: Transaction = self.tables.session  # for repositories that join this transaction
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if not self._committed:
            self.tables.rollback()
        self.tables.close()

    def journey(self, instance_id: str) -> JourneyInstance:
        """The instance with its state, for a command that changes it."""
        record = self.tables.instance(instance_id, with_state=True)
        if record is None:
            raise NotFound("no such instance")
        return self.adopt(record)

    def adopt(self, record: ProcessInstanceRecord) -> JourneyInstance:
        """An instance row this transaction already holds (just created, or read with its state)."""
        journey = JourneyInstance(self.deps, self.tables, record)
        self._journeys.append(journey)
        return journey

    def commit(self) -> None:
        """Commit (a concurrent writer's win is `WriteConflict`); then keep the engine objects warm and,
        if the command left outbox work, ring for it."""
        self.tables.commit()
        self._committed = True
        for journey in self._journeys:
            journey.keep_warm()
        if any(journey.wrote_outbox for journey in self._journeys):
            self.deps.notify_outbox()

    def rollback(self) -> None:
        self.tables.rollback()
