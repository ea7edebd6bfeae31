"""Deployment: validate the catalogue, then store each changed process as a new immutable version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.catalogue import validate_directory
from engine.errors import ProcessDefinitionError
from engine.operations.registry import OperationRegistry
from engine.persistence.records import ProcessDefinitionRecord
from engine.views import DefinitionView
from engine.workflow.spiff import spec_to_json
from forms.catalogue import FormCatalogue


@dataclass(frozen=True)
class DeployResult:
    process_id: str
    version: int
    sha: str
    new: bool


class DefinitionService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        operations: OperationRegistry,
        forms: FormCatalogue,
        processes_dir: Path,
        now: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._operations = operations
        self._forms = forms
        self._dir = processes_dir
        self._now = now

    def validate(self) -> list[str]:
        report = validate_directory(self._dir, self._forms, self._operations)
        return [str(p) for p in report.problems]

    def deploy_all(self, deployed_by: str) -> list[DeployResult]:
        """Unchanged processes keep their version; changed ones get the next number. All or nothing."""
        report = validate_directory(self._dir, self._forms, self._operations)
        if report.problems:
            raise ProcessDefinitionError(report.problems)
        results = []
        with self._sessions() as session:
            for parsed in report.processes:
                existing = session.scalars(
                    select(ProcessDefinitionRecord).where(
                        ProcessDefinitionRecord.process_id == parsed.process_id,
                        ProcessDefinitionRecord.sha == parsed.sha,
                    )
                ).first()
                if existing is not None:
                    results.append(DeployResult(parsed.process_id, existing.version, parsed.sha, False))
                    continue
                latest = (
                    session.scalar(
                        select(func.max(ProcessDefinitionRecord.version)).where(
                            ProcessDefinitionRecord.process_id == parsed.process_id
                        )
                    )
                    or 0
                )
                session.add(
                    ProcessDefinitionRecord(
                        process_id=parsed.process_id,
                        name=parsed.name,
                        version=latest + 1,
                        sha=parsed.sha,
                        bpmn_file=parsed.file,
                        bpmn_xml=parsed.xml,
                        spec_json=spec_to_json(parsed.spec, parsed.subprocess_specs),
                        forms=parsed.forms,
                        lane_roles=parsed.lane_roles,
                        deployed_at=self._now(),
                        deployed_by=deployed_by,
                    )
                )
                results.append(DeployResult(parsed.process_id, latest + 1, parsed.sha, True))
            session.commit()
        return results

    def list_latest(self) -> list[DefinitionView]:
        with self._sessions() as session:
            rows = session.scalars(
                select(ProcessDefinitionRecord).order_by(
                    ProcessDefinitionRecord.process_id, ProcessDefinitionRecord.version.desc()
                )
            )
            seen: dict[str, DefinitionView] = {}
            for r in rows:
                seen.setdefault(
                    r.process_id, DefinitionView(r.process_id, r.name, r.version, r.sha, r.deployed_at)
                )
            return list(seen.values())
