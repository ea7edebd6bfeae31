"""The audit-queue job: gather a finished instance's facts, render, sign, chain and store its package.

Idempotent by instance: a package row exists at most once per instance (unique index), and a rebuild
after a crash renders byte-identical documents, so the manifest content is the same. The chain head is
locked while a sequence number is taken, so packages form one gap-free chain (ARCHITECTURE 6-7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crypto import KeyStore, hmac_sm3
from documents.evidence.facts import EvidenceFacts, EvidenceImage
from documents.evidence.package import build_package
from engine.attachments import AttachmentService
from engine.deps import EngineDeps
from engine.persistence.records import (
    BranchRecord,
    EvidenceChainHeadRecord,
    EvidencePackageRecord,
    InstanceEventRecord,
    OutboxRecord,
    ProcessDefinitionRecord,
    ProcessInstanceRecord,
    StaffRecord,
)
from engine.store import JourneyInstance

log = logging.getLogger("fieldbank.evidence")

# instance data field -> role of the image in the package
IMAGE_ROLES = {
    "id_front_image": "id_front",
    "id_back_image": "id_back",
    "chip_photo": "chip_photo",
    "live_face_image": "live_face",
    "customer_signature": "signature",
}


class Renderer(Protocol):
    def render_evidence_documents(self, facts: EvidenceFacts) -> dict[str, bytes]: ...


class BlobStore(Protocol):
    def put(self, content: bytes) -> str: ...

    def get(self, key: str) -> bytes: ...


@dataclass
class EvidenceService:
    deps: EngineDeps
    keys: KeyStore
    attachments: AttachmentService
    blobs: BlobStore
    renderer_factory: Callable[[], Renderer]
    _renderer: Renderer | None = None

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._renderer = self.renderer_factory()
        return self._renderer

    def build_for_outbox(self, outbox_id: int) -> None:
        with self.deps.sessions() as session:
            row = session.get(OutboxRecord, outbox_id)
            if row is None or row.done_at is not None:
                return
            instance_id = row.instance_id
            existing = session.scalars(
                select(EvidencePackageRecord.id).where(EvidencePackageRecord.instance_id == instance_id)
            ).first()
            if existing is not None:
                _done(session, outbox_id, self.deps.now())
                session.commit()
                return
            facts = self.gather(session, instance_id)
        documents = self.renderer.render_evidence_documents(facts)  # slow: outside any transaction
        self._store(outbox_id, facts, documents)

    def gather(self, session: Session, instance_id: str) -> EvidenceFacts:
        record = session.get(ProcessInstanceRecord, instance_id)
        assert record is not None and record.completed_at is not None
        definition = session.get(ProcessDefinitionRecord, record.definition_id)
        assert definition is not None
        journey = JourneyInstance(self.deps, session, record)
        assert journey.workflow is not None
        data = _plain(journey.workflow.data)
        journey.keep_warm()  # read only: the engine object serves the next command
        trail: list[dict[str, Any]] = [
            {
                "at": _iso(e.at),
                "kind": e.kind,
                "actor_id": e.actor_id,
                "device_id": e.device_id,
                "task_spec": e.task_spec,
                "detail": e.detail,
            }
            for e in session.scalars(
                select(InstanceEventRecord)
                .where(InstanceEventRecord.instance_id == instance_id)
                .order_by(InstanceEventRecord.id)
            )
        ]
        staff = session.get(StaffRecord, record.started_by)
        branch = session.get(BranchRecord, record.branch_code)
        authorizer: str | None = next(
            (
                e["actor_id"]
                for e in trail
                if e["kind"] == "task_completed" and e["detail"].get("role") == "authorizer"
            ),
            None,
        )
        return EvidenceFacts(
            package_id="EP-" + record.id,
            process_id=record.process_id,
            process_name=definition.name,
            definition_version=definition.version,
            definition_sha=definition.sha,
            instance_id=record.id,
            business_key=record.business_key,
            branch_code=record.branch_code,
            branch_name=branch.name if branch else record.branch_code,
            staff_id=record.started_by,
            staff_name=staff.name if staff else record.started_by,
            device_id=record.device_id,
            outcome=record.outcome or "UNKNOWN",
            outcome_reason=record.outcome_reason,
            started_at=record.created_at,
            completed_at=record.completed_at,
            data=data,
            trail=trail,
            images=self._images(data),
            authorizer_id=authorizer,
        )

    def _images(self, data: dict[str, Any]) -> list[EvidenceImage]:
        images = []
        for field_name, role in IMAGE_ROLES.items():
            attachment_id = data.get(field_name)
            if isinstance(attachment_id, str) and attachment_id.startswith("att_"):
                record, content = self.attachments.read(attachment_id)
                images.append(EvidenceImage(role, attachment_id, record.media_type, content, record.sm3))
        return images

    def _store(self, outbox_id: int, facts: EvidenceFacts, documents: dict[str, bytes]) -> None:
        with self.deps.sessions() as session:
            head = session.scalars(
                select(EvidenceChainHeadRecord).where(EvidenceChainHeadRecord.id == 1).with_for_update()
            ).first()
            if head is None:
                head = EvidenceChainHeadRecord(id=1, sequence=0, manifest_sm3=None)
                session.add(head)
                session.flush()
            if session.scalars(
                select(EvidencePackageRecord.id).where(EvidencePackageRecord.instance_id == facts.instance_id)
            ).first():
                _done(session, outbox_id, self.deps.now())
                session.commit()
                return
            built = build_package(
                facts,
                documents,
                sequence=head.sequence + 1,
                previous_manifest_sm3=head.manifest_sm3,
                signing_key=self.keys.signing_key,
            )
            blob_key = self.blobs.put(built.zip_bytes)
            now = self.deps.now()
            session.add(
                EvidencePackageRecord(
                    id=facts.package_id,
                    instance_id=facts.instance_id,
                    sequence=head.sequence + 1,
                    manifest_sm3=built.manifest_sm3,
                    previous_manifest_sm3=head.manifest_sm3,
                    signing_key_id=self.keys.signing_key_id,
                    blob_key=blob_key,
                    size=len(built.zip_bytes),
                    process_id=facts.process_id,
                    outcome=facts.outcome,
                    branch_code=facts.branch_code,
                    staff_id=facts.staff_id,
                    status="MACHINE_REVIEW",
                    review_instance_id=None,
                    manifest=built.manifest,
                    created_at=now,
                )
            )
            head.sequence += 1
            head.manifest_sm3 = built.manifest_sm3
            session.add(
                OutboxRecord(
                    instance_id=facts.instance_id,
                    kind="start_review",
                    payload={"package_id": facts.package_id},
                    created_at=now,
                    available_at=now,
                )
            )
            _done(session, outbox_id, now)
            session.commit()
        log.info("evidence package %s stored (sequence %s)", facts.package_id, head.sequence)
        self.deps.notify_outbox()


class EncryptedBlobStore:
    """Packages are stored content-addressed (keyed SM3) and SM4-encrypted, like attachments."""

    def __init__(self, attachments: AttachmentService, keys: KeyStore) -> None:
        self._attachments = attachments
        self._key = hmac_sm3(keys.index_key, b"fieldbank/evidence-address/v1")

    def put(self, content: bytes) -> str:
        key = hmac_sm3(self._key, content).hex()
        self._attachments.write_blob(key, content)
        return key

    def get(self, key: str) -> bytes:
        return self._attachments.read_blob(key)


def _done(session: Session, outbox_id: int, now: datetime) -> None:
    session.execute(update(OutboxRecord).where(OutboxRecord.id == outbox_id).values(done_at=now))


def _iso(value: datetime) -> str:
    return value.isoformat()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
