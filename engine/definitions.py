"""Deployment: validate the catalogue, then store each changed process as a new immutable version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine.catalogue import validate_directory
from engine.errors import ProcessDefinitionError
from engine.operations.registry import OperationRegistry
from engine.persistence.database import SessionFactory
from engine.persistence.definitions import DefinitionRepository
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
        sessions: SessionFactory,
        operations: OperationRegistry,
        forms: FormCatalogue,
        processes_dir: Path,
        now: Callable[[], datetime],
    ) -> None:
        self._definitions = DefinitionRepository(sessions)
        self._operations = operations
        self._forms = forms
        self._dir = processes_dir
        self._now = now

    def validate(self) -> list[str]:
        report = validate_directory(self._dir, self._forms, self._operations, self._operations.decisions)
        return [str(p) for p in report.problems]

    def deploy_all(self, deployed_by: str) -> list[DeployResult]:
        """Unchanged processes keep their version; changed ones get the next number. All or nothing."""
        report = validate_directory(self._dir, self._forms, self._operations, self._operations.decisions)
        if report.problems:
            raise ProcessDefinitionError(report.problems)
        results = []
        with self._definitions.transaction() as tx:
            for parsed in report.processes:
                existing = tx.version_with_sha(parsed.process_id, parsed.sha)
                if existing is not None:
                    results.append(DeployResult(parsed.process_id, existing, parsed.sha, False))
                    continue
                version = tx.latest_version(parsed.process_id) + 1
                tx.add(
                    ProcessDefinitionRecord(
                        process_id=parsed.process_id,
                        name=parsed.name,
                        version=version,
                        sha=parsed.sha,
                        bpmn_file=parsed.file,
                        bpmn_xml=parsed.xml,
                        spec_json=spec_to_json(parsed.spec, parsed.subprocess_specs),
                        forms=parsed.forms,
                        lane_roles=parsed.lane_roles,
                        start_qualification=parsed.start_qualification,
                        deployed_at=self._now(),
                        deployed_by=deployed_by,
                    )
                )
                results.append(DeployResult(parsed.process_id, version, parsed.sha, True))
            tx.commit()
        return results

    def list_latest(self) -> list[DefinitionView]:
        seen: dict[str, DefinitionView] = {}
        for r in self._definitions.newest_first():
            view = DefinitionView(
                r.process_id, r.name, r.version, r.sha, r.deployed_at, r.start_qualification
            )
            seen.setdefault(r.process_id, view)
        return list(seen.values())
