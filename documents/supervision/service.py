"""Post-supervision services behind the `post_supervision` journey's service tasks: machine review over
the package's own content, notices, and the package status projection (`review_start` starts it)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from crypto import FieldCipher, KeyStore
from documents.evidence.container import read_zip
from documents.evidence.service import BlobStore
from documents.evidence.verify import verify_package
from documents.journeys.declaration import EvidenceDeclaration
from documents.supervision.image_facts import image_facts
from documents.supervision.recording_facts import recording_lengths
from documents.supervision.review import ReviewInput, machine_review, trail_device_states
from engine.adapters.ports import CoreBanking
from engine.errors import NotFound
from engine.operations.registry import Operation, OperationContext
from engine.persistence.device_history import DeviceHistory
from engine.persistence.evidence import EvidenceStore, ReviewRow

log = logging.getLogger("fieldbank.supervision")
REVIEW_PROCESS = "post_supervision"
RECTIFICATION_WORKING_DAYS = 3  # [Sim] domain §2.11


@dataclass
class MachineReviewer:
    """What the review journey's service tasks do: machine rules over the package's own signed content,
    and notices to the originator. Needs no instance service, so the engine's operations can hold it."""

    store: EvidenceStore
    keys: KeyStore
    cipher: FieldCipher
    blobs: BlobStore
    core: CoreBanking
    now: Callable[[], datetime]
    declarations: Mapping[str, EvidenceDeclaration]
    devices: DeviceHistory

    def journeys_by_officer(self, instance_id: str, window: timedelta, outcomes: Iterable[str]) -> int:
        """`ReviewLookups`: the officer's volume, for a journey's velocity rule."""
        return self.store.journeys_by_officer(instance_id, window, tuple(outcomes))

    def shared_links(self, instance_id: str, window: timedelta) -> dict[str, int]:
        """`ReviewLookups`: other customers' applications holding the same linking values."""
        return self.store.shared_links(instance_id, window)

    def journeys_on_device(self, instance_id: str, window: timedelta) -> int:
        """`ReviewLookups`: how busy the journey's device was, for a journey's device rule."""
        return self.store.journeys_on_device(instance_id, window)

    def shared_fingerprint(self, instance_id: str, name: str, window: timedelta) -> int | None:
        """`ReviewLookups`: the officer's other customers whose journeys left the same fingerprint."""
        return self.store.shared_fingerprint(instance_id, name, window)

    def device_states_at(self, device_id: str, times: Sequence[datetime]) -> list[str | None]:
        """`ReviewLookups`: the device's lifecycle state at each time, for the device-status rule."""
        return self.devices.device_states_at(device_id, times)

    def machine_review(self, package_id: str) -> dict[str, Any]:
        package = self.store.package(package_id)
        if package is None:
            raise NotFound("no such package")
        content = self.blobs.get(package.blob_key)
        report = verify_package(content, self.keys.verification_keys(), source=package_id)
        entries = {e.name: bytes(e.content) for e in read_zip(content)} if report.ok else {}
        data = json.loads(entries.get("data.json", b"{}"))
        trail = json.loads(entries.get("trail.json", b"[]"))
        declaration = self.declarations.get(package.process_id)
        review = ReviewInput(
            data=data,
            trail=trail,
            manifest=report.manifest or package.manifest,
            package_problems=[f"{p.kind} {p.file or ''}".strip() for p in report.problems],
            subject_index=self.cipher.blind_index(data["id_number"]) if data.get("id_number") else None,
            extra=declaration.review_facts(package.instance_id, data, self) if declaration else {},
            party_indices=frozenset(
                self.cipher.blind_index(str(data[f]))
                for f in (declaration.party_id_fields if declaration else ())
                if data.get(f)
            ),
            images=image_facts(entries),
            recordings=recording_lengths(entries),
            device_states=trail_device_states(trail, self),
        )
        results = machine_review(review, declaration.rules if declaration else ())
        now = self.now()
        self.store.add_reviews(
            package_id,
            (
                ReviewRow(
                    now,
                    "machine_rule",
                    None,
                    r.code,
                    r.result != "FLAG",
                    {"result": r.result, "reason": r.reason},
                )
                for r in results
            ),
        )
        flagged = [r.code for r in results if r.result == "FLAG"]
        return {"flagged": bool(flagged), "flags": flagged, "results": [asdict(r) for r in results]}

    def notify(self, package_id: str, kind: str, reason: str | None, severity: str | None) -> dict[str, Any]:
        """An error notice (差错通知书) to the originating staff member, or a risk alert to AML."""
        now = self.now()
        due = add_working_days(now, RECTIFICATION_WORKING_DAYS) if kind == "ERROR_NOTICE" else None
        if self.store.package(package_id) is None:
            raise NotFound("no such package")
        detail = {"reason": reason, "severity": severity, "due_at": due.isoformat() if due else None}
        self.store.add_reviews(package_id, [ReviewRow(now, "notice", None, kind, None, detail)])
        return {"kind": kind, "due_at": due.isoformat() if due else None}


def add_working_days(start: datetime, days: int) -> datetime:
    """Monday to Friday; public holidays are not modelled [Sim]."""
    moment = start
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def supervision_operations(reviewer: MachineReviewer | None) -> list[Operation]:
    """The operations bound to their reviewer; `None` gives the catalogue that validation reads (names,
    systems), whose handlers refuse to run."""

    def bound() -> MachineReviewer:
        if reviewer is None:
            raise RuntimeError("this operation catalogue was built for validation, not to run journeys")
        return reviewer

    def review(_ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
        return bound().machine_review(p["package_id"])

    def notify(_ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
        return bound().notify(p["package_id"], p["kind"], p.get("reason"), p.get("severity"))

    return [
        Operation("supervision.machine_review", review, system="post_supervision"),
        Operation("supervision.notify", notify, system="post_supervision"),
    ]


def project_package_status(transaction: Any, record: Any, data: dict[str, Any]) -> None:
    """Registered as an instance projection: the package's status follows its review journey (the
    queue and search read it), in the review journey's own saving transaction."""
    status = data.get("package_status")
    if record.process_id == REVIEW_PROCESS and isinstance(status, str) and data.get("package_id"):
        EvidenceStore.project_status(transaction, data["package_id"], status)
