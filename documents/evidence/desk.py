"""The post-supervision desk's read side: the package queue and search, one package with its review
history, the ZIP itself, and a server-side verification. Scoped like everything else: a package of a
branch outside the caller's subtree answers as absent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crypto import KeyStore
from documents.evidence.container import read_zip
from documents.evidence.service import BlobStore
from documents.evidence.verify import verify_package
from engine.errors import Forbidden, NotFound
from engine.persistence.evidence import EvidenceStore, PackageRow, ReviewRow
from engine.views import Actor

DESK_ROLES = frozenset({"post_supervisor", "aml_officer"})
_VIEWABLE = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
}


@dataclass(frozen=True)
class PackageSummary:
    package_id: str
    instance_id: str
    process_id: str
    outcome: str
    branch_code: str
    staff_id: str
    status: str
    sequence: int
    created_at: datetime


@dataclass(frozen=True)
class PackageDetail:
    summary: PackageSummary
    manifest: dict[str, Any]
    review_instance_id: str | None
    history: list[dict[str, Any]]


class EvidenceDesk:
    def __init__(
        self,
        store: EvidenceStore,
        keys: KeyStore,
        blobs: BlobStore,
        now: Callable[[], datetime],
        personal_fields: frozenset[str],
    ) -> None:
        self.personal_fields = personal_fields
        """A package holds all of its journey's data: viewing it is recorded as these fields."""
        self.store = store
        self.keys = keys
        self.blobs = blobs
        self.now = now

    def search(
        self,
        actor: Actor,
        *,
        status: str | None,
        branch: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int = 200,
    ) -> list[PackageSummary]:
        _require_desk(actor)
        found = self.store.search(status=status, branch=branch, since=since, until=until, limit=limit * 4)
        return [_summary(r) for r in found if self._in_scope(actor, r.branch_code)][:limit]

    def detail(self, actor: Actor, package_id: str) -> PackageDetail:
        package = self._visible(actor, package_id)
        rows = self.store.reviews(package_id)
        if package.review_instance_id:
            rows += self.store.review_decisions(package.review_instance_id)
        history: list[dict[str, Any]] = sorted(
            (
                {
                    "at": r.at,
                    "kind": r.kind,
                    "actor_id": r.actor_id,
                    "code": r.code,
                    "passed": r.passed,
                    "detail": r.detail,
                }
                for r in rows
            ),
            key=lambda h: h["at"],
        )
        return PackageDetail(_summary(package), dict(package.manifest), package.review_instance_id, history)

    def download(self, actor: Actor, package_id: str) -> tuple[str, bytes]:
        """The ZIP in clear for an auditor; every download is recorded (who, when) — §8.5."""
        package = self._visible(actor, package_id)
        content = self.blobs.get(package.blob_key)
        line = ReviewRow(
            self.now(), "download", actor.staff_id, "DOWNLOAD", None, {"device_id": actor.device_id}
        )
        self.store.record_access(
            actor,
            package,
            subject=f"evidence:{package_id}",
            fields=self.personal_fields,
            purpose="post-supervision review",
            download=line,
        )
        return f"{package_id}.zip", content

    def package_file(self, actor: Actor, package_id: str, name: str) -> tuple[str, bytes]:
        """One PDF, image or 双录 recording of a package, for the desk's inline view; recorded like a
        download (§8.5)."""
        media_type = _VIEWABLE.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
        if media_type is None or not name.startswith(("documents/", "images/", "recordings/")):
            raise NotFound("no such file in the package")
        package = self._visible(actor, package_id)
        entry = next((e for e in read_zip(self.blobs.get(package.blob_key)) if e.name == name), None)
        if entry is None:
            raise NotFound("no such file in the package")
        self.store.record_access(
            actor,
            package,
            subject=f"evidence:{package_id}:{name}",
            fields=self.personal_fields,
            purpose="post-supervision review",
        )
        return media_type, bytes(entry.content)

    def verify(self, actor: Actor, package_id: str) -> dict[str, Any]:
        """What `fieldbank evidence verify` would say, plus the chain link to the stored predecessor."""
        package = self._visible(actor, package_id)
        report = verify_package(
            self.blobs.get(package.blob_key), self.keys.verification_keys(), source=package_id
        )
        problems = [{"kind": p.kind, "file": p.file, "detail": p.detail} for p in report.problems]
        if package.sequence > 1:
            previous = self.store.package_at(package.sequence - 1)
            if previous is None:
                problems.append({"kind": "chain", "file": None, "detail": "the previous package is missing"})
            elif previous.manifest_sm3 != report.previous_manifest_sm3:
                problems.append({"kind": "chain", "file": None, "detail": "previous manifest digest differs"})
        return {
            "package_id": package_id,
            "ok": not problems,
            "problems": problems,
            "manifest_sm3": report.manifest_sm3,
            "sequence": package.sequence,
        }

    def _visible(self, actor: Actor, package_id: str) -> PackageRow:
        _require_desk(actor)
        package = self.store.package(package_id)
        if package is None or not self._in_scope(actor, package.branch_code):
            raise NotFound("no such package")
        return package

    def _in_scope(self, actor: Actor, branch_code: str) -> bool:
        path = self.store.branch_path(branch_code)
        return path is not None and actor.sees_branch(path)


def _require_desk(actor: Actor) -> None:
    if not actor.roles & DESK_ROLES:
        raise Forbidden("the evidence desk is for post-supervision and AML staff")


def _summary(r: PackageRow) -> PackageSummary:
    return PackageSummary(
        r.package_id,
        r.instance_id,
        r.process_id,
        r.outcome,
        r.branch_code,
        r.staff_id,
        r.status,
        r.sequence,
        r.created_at,
    )
