"""The audit-queue job: gather a finished instance's facts, render, sign, chain and store its package.

Idempotent by instance: a package row exists at most once per instance (unique index), and a rebuild
after a crash renders byte-identical documents, so the manifest content is the same. The chain head is
locked while a sequence number is taken, so packages form one gap-free chain (ARCHITECTURE 6-7).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from crypto import KeyStore, hmac_sm3
from documents.evidence.facts import EvidenceFacts, EvidenceImage
from documents.evidence.linking import BlindIndexer, fingerprint_indexes, linking_indexes
from documents.evidence.package import build_package
from documents.journeys.declaration import EvidenceDeclaration
from engine.attachments import AttachmentService
from engine.persistence.evidence import EvidenceStore, FinishedJourney, FinishedJourneys, NewPackage

log = logging.getLogger("fieldbank.evidence")

# instance data field -> role of the image in the package: the shared identification's captures
# (processes/shared); a journey adds its own (`EvidenceDeclaration.image_fields`)
IDENTIFICATION_IMAGES = {
    "id_front_image": "id_front",
    "id_back_image": "id_back",
    "chip_photo": "chip_photo",
    "live_face_image": "live_face",
}


class Renderer(Protocol):
    def render_evidence_documents(self, facts: EvidenceFacts) -> dict[str, bytes]: ...


class BlobStore(Protocol):
    def put(self, content: bytes) -> str: ...

    def get(self, key: str) -> bytes: ...


@dataclass
class EvidenceService:
    store: EvidenceStore
    journeys: FinishedJourneys
    keys: KeyStore
    attachments: AttachmentService
    blobs: BlobStore
    renderer_factory: Callable[[], Renderer]
    declarations: Mapping[str, EvidenceDeclaration]
    indexer: BlindIndexer
    """Blind-indexes the journey's linking fields, kept with its package."""
    _renderer: Renderer | None = None

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._renderer = self.renderer_factory()
        return self._renderer

    def build_for_outbox(self, outbox_id: int) -> None:
        job = self.store.pending_job(outbox_id)
        if job is None:
            return
        instance_id = job[0]
        if self.store.has_package(instance_id):
            self.store.finish_job(outbox_id)
            return
        facts = self.gather(instance_id)
        documents = self.renderer.render_evidence_documents(facts)  # slow: outside any transaction
        self._store(outbox_id, facts, documents)

    def gather(self, instance_id: str) -> EvidenceFacts:
        journey = self.journeys.get(instance_id)
        return facts_of(journey, lambda data: self._images(journey.process_id, data))

    def _images(self, process_id: str, data: dict[str, Any]) -> list[EvidenceImage]:
        images = []
        declaration = self.declarations.get(process_id)
        own = declaration.image_fields if declaration else {}
        for field_name, role in {**IDENTIFICATION_IMAGES, **own}.items():
            attachment_id = data.get(field_name)
            if isinstance(attachment_id, str) and attachment_id.startswith("att_"):
                record, content = self.attachments.read(attachment_id)
                images.append(EvidenceImage(role, attachment_id, record.media_type, content, record.sm3))
        return images

    def _store(self, outbox_id: int, facts: EvidenceFacts, documents: dict[str, bytes]) -> None:
        declaration = self.declarations.get(facts.process_id)
        links = linking_indexes(facts.data, declaration.linking_fields, self.indexer) if declaration else []
        prints = (
            fingerprint_indexes(facts.data, declaration.fingerprints, self.indexer) if declaration else []
        )

        def build(sequence: int, previous_manifest_sm3: str | None) -> NewPackage:
            built = build_package(
                facts,
                documents,
                sequence=sequence,
                previous_manifest_sm3=previous_manifest_sm3,
                signing_key=self.keys.signing_key,
            )
            return NewPackage(
                manifest_sm3=built.manifest_sm3,
                signing_key_id=self.keys.signing_key_id,
                blob_key=self.blobs.put(built.zip_bytes),
                size=len(built.zip_bytes),
                process_id=facts.process_id,
                outcome=facts.outcome,
                branch_code=facts.branch_code,
                staff_id=facts.staff_id,
                manifest=built.manifest,
                links=tuple(links),
                fingerprints=tuple(prints),
            )

        sequence = self.store.append(facts.instance_id, facts.package_id, outbox_id, build)
        if sequence is not None:
            log.info("evidence package %s stored (sequence %s)", facts.package_id, sequence)


def facts_of(
    journey: FinishedJourney,
    images: Callable[[dict[str, Any]], list[EvidenceImage]] = lambda _data: [],
    *,
    preview: bool = False,
) -> EvidenceFacts:
    """The package's facts of a journey, in JSON-plain values; `preview` for one still running, whose
    documents the customer reads before signing."""
    data = _plain(journey.data)
    trail: list[dict[str, Any]] = [{**e, "at": _iso(e["at"])} for e in journey.trail]
    authorizer: str | None = next(
        (
            e["actor_id"]
            for e in trail
            if e["kind"] == "task_completed" and e["detail"].get("role") == "authorizer"
        ),
        None,
    )
    return EvidenceFacts(
        package_id="EP-" + journey.instance_id,
        process_id=journey.process_id,
        process_name=journey.process_name,
        definition_version=journey.definition_version,
        definition_sha=journey.definition_sha,
        instance_id=journey.instance_id,
        business_key=journey.business_key,
        branch_code=journey.branch_code,
        branch_name=journey.branch_name,
        staff_id=journey.staff_id,
        staff_name=journey.staff_name,
        device_id=journey.device_id,
        outcome=journey.outcome or ("IN_PROGRESS" if preview else "UNKNOWN"),
        outcome_reason=journey.outcome_reason,
        started_at=journey.started_at,
        completed_at=journey.completed_at,
        data=data,
        trail=trail,
        images=images(data),
        authorizer_id=authorizer,
        preview=preview,
    )


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
