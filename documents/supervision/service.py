"""Post-supervision services behind the `post_supervision` journey: starting a review for each stored
package, machine review over the package's own content, notices, and the package status projection."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crypto import FieldCipher, KeyStore
from documents.evidence.container import read_zip
from documents.evidence.service import BlobStore
from documents.evidence.verify import verify_package
from documents.supervision.rules import ReviewInput, machine_review
from engine.deps import EngineDeps
from engine.errors import NotFound
from engine.instances import InstanceService
from engine.operations.registry import Operation, OperationContext
from engine.persistence.cache import BRANCH_PATHS
from engine.persistence.records import (
    EvidencePackageRecord,
    OutboxRecord,
    ProcessInstanceRecord,
    ReviewRecord,
)
from engine.views import Actor

log = logging.getLogger("fieldbank.supervision")
REVIEW_PROCESS = "post_supervision"
RECTIFICATION_WORKING_DAYS = 3  # [Sim] domain §2.11


@dataclass
class SupervisionService:
    deps: EngineDeps
    keys: KeyStore
    cipher: FieldCipher
    blobs: BlobStore
    instances: InstanceService

    # ------------------------------------------------------------------ the review journey

    def start_review_for_outbox(self, outbox_id: int) -> None:
        """Exactly once per package: the review instance and the outbox row commit together."""
        with self.deps.sessions() as session:
            row = session.get(OutboxRecord, outbox_id)
            if row is None or row.done_at is not None:
                return
            package = session.get(EvidencePackageRecord, row.payload["package_id"])
            if package is None or package.review_instance_id is not None:
                _done(session, outbox_id, self.deps.now())
                session.commit()
                return
            journey = session.get(ProcessInstanceRecord, package.instance_id)
            assert journey is not None
            path = BRANCH_PATHS.path(session, package.branch_code) or "/"
            facts = (package.id, package.instance_id, package.process_id, package.outcome, package.staff_id)
        system = Actor("system", "FieldBank", frozenset(), package.branch_code, path, None)

        def link(tx: Session, review_id: str) -> None:
            tx.execute(
                update(EvidencePackageRecord)
                .where(EvidencePackageRecord.id == facts[0])
                .values(review_instance_id=review_id)
            )
            _done(tx, outbox_id, self.deps.now())

        self.instances.start(
            system,
            REVIEW_PROCESS,
            facts[0],
            {
                "package_id": facts[0],
                "journey_instance_id": facts[1],
                "journey_process_id": facts[2],
                "journey_outcome": facts[3],
                "originator_id": facts[4],
                "lane_assignees": {"field_officer": facts[4]},
            },
            subject_instance_id=facts[1],
            in_transaction=link,
        )

    def project_status(self, session: Session, record: ProcessInstanceRecord, data: dict[str, Any]) -> None:
        """The package's status follows its review journey (the queue and search read it)."""
        status = data.get("package_status")
        if record.process_id == REVIEW_PROCESS and isinstance(status, str) and data.get("package_id"):
            session.execute(
                update(EvidencePackageRecord)
                .where(EvidencePackageRecord.id == data["package_id"])
                .values(status=status)
            )

    # ------------------------------------------------------------------ operations

    def machine_review(self, package_id: str) -> dict[str, Any]:
        with self.deps.sessions() as session:
            package = session.get(EvidencePackageRecord, package_id)
            if package is None:
                raise NotFound("no such package")
            content = self.blobs.get(package.blob_key)
            report = verify_package(content, self.keys.verification_keys(), source=package_id)
            entries = {e.name: bytes(e.content) for e in read_zip(content)} if report.ok else {}
            data = json.loads(entries.get("data.json", b"{}"))
            trail = json.loads(entries.get("trail.json", b"[]"))
            review = ReviewInput(
                data=data,
                trail=trail,
                manifest=report.manifest or package.manifest,
                package_problems=[f"{p.kind} {p.file or ''}".strip() for p in report.problems],
                subject_index=self.cipher.blind_index(data["id_number"]) if data.get("id_number") else None,
                core_record=self._core_record(data),
                openings_by_staff_last_hour=self._openings_last_hour(session, package),
            )
            results = machine_review(review)
            now = self.deps.now()
            for r in results:
                session.add(
                    ReviewRecord(
                        package_id=package_id,
                        kind="machine_rule",
                        actor_id=None,
                        code=r.code,
                        passed=r.result != "FLAG",
                        detail={"result": r.result, "reason": r.reason},
                        at=now,
                    )
                )
            session.commit()
        flagged = [r.code for r in results if r.result == "FLAG"]
        return {"flagged": bool(flagged), "flags": flagged, "results": [asdict(r) for r in results]}

    def notify(self, package_id: str, kind: str, reason: str | None, severity: str | None) -> dict[str, Any]:
        """An error notice (差错通知书) to the originating staff member, or a risk alert to AML."""
        now = self.deps.now()
        due = add_working_days(now, RECTIFICATION_WORKING_DAYS) if kind == "ERROR_NOTICE" else None
        with self.deps.sessions() as session:
            if session.get(EvidencePackageRecord, package_id) is None:
                raise NotFound("no such package")
            session.add(
                ReviewRecord(
                    package_id=package_id,
                    kind="notice",
                    actor_id=None,
                    code=kind,
                    passed=None,
                    detail={
                        "reason": reason,
                        "severity": severity,
                        "due_at": due.isoformat() if due else None,
                    },
                    at=now,
                )
            )
            session.commit()
        return {"kind": kind, "due_at": due.isoformat() if due else None}

    def _core_record(self, data: dict[str, Any]) -> dict[str, Any] | None:
        serial = (data.get("core_result") or {}).get("request_id")
        if not serial:
            return None
        status = self.deps.adapters.core.query_status(serial, serial + ":supervision")
        if status.status != "OPENED" or status.result is None:
            return {}
        r = status.result
        return {
            "cif_no": r.cif_no,
            "account_no": r.account_no,
            "card_no": r.card_no,
            "core_serial_no": r.core_serial_no,
        }

    def _openings_last_hour(self, session: Session, package: EvidencePackageRecord) -> int:
        journey = session.get(ProcessInstanceRecord, package.instance_id)
        if journey is None or journey.completed_at is None:
            return 0
        since = journey.completed_at - timedelta(hours=1)
        return int(
            session.scalar(
                select(func.count())
                .select_from(ProcessInstanceRecord)
                .where(
                    ProcessInstanceRecord.started_by == journey.started_by,
                    ProcessInstanceRecord.outcome == "OPENED",
                    ProcessInstanceRecord.completed_at > since,
                    ProcessInstanceRecord.completed_at <= journey.completed_at,
                )
            )
            or 0
        )


def add_working_days(start: datetime, days: int) -> datetime:
    """Monday to Friday; public holidays are not modelled [Sim]."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def supervision_operations() -> list[Operation]:
    def review(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
        return dict(ctx.extensions["supervision"].machine_review(p["package_id"]))

    def notify(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
        return dict(
            ctx.extensions["supervision"].notify(
                p["package_id"], p["kind"], p.get("reason"), p.get("severity")
            )
        )

    return [
        Operation("supervision.machine_review", review, system="post_supervision"),
        Operation("supervision.notify", notify, system="post_supervision"),
    ]


def _done(session: Session, outbox_id: int, now: datetime) -> None:
    session.execute(update(OutboxRecord).where(OutboxRecord.id == outbox_id).values(done_at=now))
