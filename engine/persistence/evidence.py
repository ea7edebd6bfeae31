"""The evidence tables behind narrow use cases, so `documents/` never touches SQLAlchemy or a record.

Packages form one gap-free chain: `append` takes the chain head under a row lock, lets the caller
build (sign) the package for that sequence number, and commits package, head, the review request and
the finished outbox row together. Everything else is a short read or one insert per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.deps import EngineDeps
from engine.outbox_bell import OutboxBell
from engine.people.access_log import record_view
from engine.persistence.cache import BRANCH_PATHS, DEFINITIONS
from engine.persistence.database import SessionFactory
from engine.persistence.instances import InstanceTables
from engine.persistence.records import (
    BranchRecord,
    EvidenceChainHeadRecord,
    EvidencePackageRecord,
    InstanceEventRecord,
    LinkingIndexRecord,
    OutboxRecord,
    ProcessInstanceRecord,
    ReviewRecord,
    StaffRecord,
)
from engine.store import JourneyInstance
from engine.views import Actor


@dataclass(frozen=True)
class PackageRow:
    package_id: str
    instance_id: str
    sequence: int
    manifest_sm3: str
    previous_manifest_sm3: str | None
    blob_key: str
    process_id: str
    outcome: str
    branch_code: str
    staff_id: str
    status: str
    review_instance_id: str | None
    manifest: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class NewPackage:
    """What the builder hands back for the sequence number it was given."""

    manifest_sm3: str
    signing_key_id: str
    blob_key: str
    size: int
    process_id: str
    outcome: str
    branch_code: str
    staff_id: str
    manifest: dict[str, Any]
    links: tuple[tuple[str, str], ...] = ()
    """(link name, blind index) of the values tying the journey to others (`LinkingIndexRecord`)."""
    fingerprints: tuple[tuple[str, str], ...] = ()
    """(fingerprint name, blind index) of the journey's own summaries of its data, kept in the same
    table under `FINGERPRINT_LINK` + the name, so `shared_links` never counts them."""


# the link name prefix of a fingerprint row in `linking_indexes` (reused: no table of its own)
FINGERPRINT_LINK = "fingerprint:"


@dataclass(frozen=True)
class ReviewRow:
    at: datetime
    kind: str
    actor_id: str | None
    code: str
    passed: bool | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class FinishedJourney:
    """A finished instance as its evidence package tells it: facts, data and the whole trail."""

    instance_id: str
    process_id: str
    process_name: str
    definition_version: int
    definition_sha: str
    business_key: str | None
    branch_code: str
    branch_name: str
    staff_id: str
    staff_name: str
    device_id: str | None
    outcome: str | None
    outcome_reason: str | None
    started_at: datetime
    completed_at: datetime
    data: dict[str, Any]
    trail: list[dict[str, Any]]


class FinishedJourneys:
    """A finished journey as its package records it: facts, the engine's data and the whole trail."""

    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def get(self, instance_id: str) -> FinishedJourney:
        with self.deps.sessions() as session:
            record = session.get(ProcessInstanceRecord, instance_id)
            assert record is not None and record.completed_at is not None
            return self.told(session, record, record.completed_at)

    def so_far(self, instance_id: str) -> FinishedJourney:
        """A running journey told the same way, as of its last change: what a document shown to the
        customer before they sign is filled from (the caller has checked who may see it). The same
        state tells the same text, so what the screen showed and what the trail records match."""
        with self.deps.sessions() as session:
            record = session.get(ProcessInstanceRecord, instance_id)
            assert record is not None
            return self.told(session, record, record.updated_at)

    def told(self, session: Session, record: ProcessInstanceRecord, until: datetime) -> FinishedJourney:
        instance_id = record.id
        definition = DEFINITIONS.get(session, record.definition_id)
        assert definition is not None
        journey = JourneyInstance(self.deps, InstanceTables(session), record)
        assert journey.workflow is not None
        data = dict(journey.workflow.data)
        journey.keep_warm()  # read only
        events = session.scalars(
            select(InstanceEventRecord)
            .where(InstanceEventRecord.instance_id == instance_id)
            .order_by(InstanceEventRecord.id)
        )
        trail = [
            {
                "at": e.at,
                "kind": e.kind,
                "actor_id": e.actor_id,
                "device_id": e.device_id,
                "task_spec": e.task_spec,
                "detail": e.detail,
            }
            for e in events
        ]
        staff = session.get(StaffRecord, record.started_by)
        branch = session.get(BranchRecord, record.branch_code)
        return FinishedJourney(
            instance_id=record.id,
            process_id=record.process_id,
            process_name=definition.name,
            definition_version=definition.version,
            definition_sha=definition.sha,
            business_key=record.business_key,
            branch_code=record.branch_code,
            branch_name=branch.name if branch else record.branch_code,
            staff_id=record.started_by,
            staff_name=staff.name if staff else record.started_by,
            device_id=record.device_id,
            outcome=record.outcome,
            outcome_reason=record.outcome_reason,
            started_at=record.created_at,
            completed_at=until,
            data=data,
            trail=trail,
        )


class EvidenceStore:
    """Packages, reviews and their outbox jobs; built before the engine's operations, which use it."""

    def __init__(self, sessions: SessionFactory, now: Callable[[], datetime], bell: OutboxBell) -> None:
        self.sessions = sessions
        self.now = now
        self.bell = bell

    # ------------------------------------------------------------------ outbox jobs

    def pending_job(self, outbox_id: int) -> tuple[str, dict[str, Any]] | None:
        """(instance id, payload) of an outbox row not done yet."""
        with self.sessions() as session:
            row = session.get(OutboxRecord, outbox_id)
            return None if row is None or row.done_at is not None else (row.instance_id, dict(row.payload))

    def finish_job(self, outbox_id: int) -> None:
        with self.sessions() as session:
            _done(session, outbox_id, self.now())
            session.commit()

    # ------------------------------------------------------------------ journeys

    def journeys_by_officer(self, instance_id: str, window: timedelta, outcomes: tuple[str, ...]) -> int:
        """Journeys of the same process its officer ended with one of `outcomes` in the `window` up to
        its end, itself included (a journey's velocity rule)."""
        with self.sessions() as session:
            journey = session.get(ProcessInstanceRecord, instance_id)
            if journey is None or journey.completed_at is None:
                return 0
            since = journey.completed_at - window
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(ProcessInstanceRecord)
                    .where(
                        ProcessInstanceRecord.started_by == journey.started_by,
                        ProcessInstanceRecord.process_id == journey.process_id,
                        ProcessInstanceRecord.outcome.in_(outcomes),
                        ProcessInstanceRecord.completed_at > since,
                        ProcessInstanceRecord.completed_at <= journey.completed_at,
                    )
                )
                or 0
            )

    def journeys_on_device(self, instance_id: str, window: timedelta) -> int:
        """Journeys of the same process started on its device in the `window` up to its start, itself
        included (a journey's device rule); 0 without a recorded device."""
        with self.sessions() as session:
            journey = session.get(ProcessInstanceRecord, instance_id)
            if journey is None or journey.device_id is None:
                return 0
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(ProcessInstanceRecord)
                    .where(
                        ProcessInstanceRecord.device_id == journey.device_id,
                        ProcessInstanceRecord.process_id == journey.process_id,
                        ProcessInstanceRecord.created_at > journey.created_at - window,
                        ProcessInstanceRecord.created_at <= journey.created_at,
                    )
                )
                or 0
            )

    def shared_links(self, instance_id: str, window: timedelta) -> dict[str, int]:
        """Link name -> how many other customers' journeys of the same process, ended within `window`
        either side of this one's end, hold one of this journey's values under that link (their
        packages built so far). Empty when it shares none or kept none."""
        with self.sessions() as session:
            own = list(
                session.scalars(
                    select(LinkingIndexRecord).where(
                        LinkingIndexRecord.instance_id == instance_id,
                        LinkingIndexRecord.link.not_like(f"{FINGERPRINT_LINK}%"),
                    )
                )
            )
            shared: dict[str, int] = {}
            for link in sorted({row.link for row in own}):
                mine = [row for row in own if row.link == link]
                others = session.scalar(
                    select(func.count(func.distinct(LinkingIndexRecord.subject_index))).where(
                        LinkingIndexRecord.process_id == mine[0].process_id,
                        LinkingIndexRecord.link == link,
                        LinkingIndexRecord.value_index.in_([row.value_index for row in mine]),
                        LinkingIndexRecord.subject_index != mine[0].subject_index,
                        LinkingIndexRecord.at >= mine[0].at - window,
                        LinkingIndexRecord.at <= mine[0].at + window,
                    )
                )
                if others:
                    shared[link] = int(others)
            return shared

    def shared_fingerprint(self, instance_id: str, name: str, window: timedelta) -> int | None:
        """How many other customers' journeys of the same process, started by the same officer and
        ended within `window` either side of this one's end, kept the same `name` fingerprint (their
        packages built so far); None when this journey kept none."""
        link = FINGERPRINT_LINK + name
        with self.sessions() as session:
            mine = session.scalars(
                select(LinkingIndexRecord).where(
                    LinkingIndexRecord.instance_id == instance_id, LinkingIndexRecord.link == link
                )
            ).first()
            journey = session.get(ProcessInstanceRecord, instance_id)
            if mine is None or journey is None:
                return None
            others = session.scalar(
                select(func.count(func.distinct(LinkingIndexRecord.subject_index)))
                .join(ProcessInstanceRecord, ProcessInstanceRecord.id == LinkingIndexRecord.instance_id)
                .where(
                    LinkingIndexRecord.process_id == mine.process_id,
                    LinkingIndexRecord.link == link,
                    LinkingIndexRecord.value_index == mine.value_index,
                    LinkingIndexRecord.subject_index != mine.subject_index,
                    LinkingIndexRecord.at >= mine.at - window,
                    LinkingIndexRecord.at <= mine.at + window,
                    ProcessInstanceRecord.started_by == journey.started_by,
                )
            )
            return int(others or 0)

    def review_decisions(self, review_instance_id: str) -> list[ReviewRow]:
        """The completed tasks of a review journey, as review history."""
        with self.sessions() as session:
            events = session.scalars(
                select(InstanceEventRecord).where(
                    InstanceEventRecord.instance_id == review_instance_id,
                    InstanceEventRecord.kind == "task_completed",
                )
            )
            return [
                ReviewRow(
                    e.at,
                    "decision" if e.task_spec == "human_review" else "task",
                    e.actor_id,
                    e.detail.get("review_outcome") or e.task_spec or "",
                    None,
                    dict(e.detail),
                )
                for e in events
            ]

    def branch_path(self, branch_code: str) -> str | None:
        with self.sessions() as session:
            return BRANCH_PATHS.path(session, branch_code)

    # ------------------------------------------------------------------ packages

    def package(self, package_id: str) -> PackageRow | None:
        with self.sessions() as session:
            row = session.get(EvidencePackageRecord, package_id)
            return _package(row) if row is not None else None

    def package_at(self, sequence: int) -> PackageRow | None:
        with self.sessions() as session:
            row = session.scalars(
                select(EvidencePackageRecord).where(EvidencePackageRecord.sequence == sequence)
            ).first()
            return _package(row) if row is not None else None

    def has_package(self, instance_id: str) -> bool:
        with self.sessions() as session:
            return _has_package(session, instance_id)

    def search(
        self,
        *,
        status: str | None,
        branch: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
    ) -> list[PackageRow]:
        """Newest first; the caller filters by scope."""
        query = select(EvidencePackageRecord).order_by(EvidencePackageRecord.sequence.desc()).limit(limit)
        if status:
            query = query.where(EvidencePackageRecord.status == status)
        if branch:
            query = query.where(EvidencePackageRecord.branch_code == branch)
        if since:
            query = query.where(EvidencePackageRecord.created_at >= since)
        if until:
            query = query.where(EvidencePackageRecord.created_at < until)
        with self.sessions() as session:
            return [_package(r) for r in session.scalars(query)]

    def append(
        self,
        instance_id: str,
        package_id: str,
        outbox_id: int,
        build: Callable[[int, str | None], NewPackage],
    ) -> int | None:
        """Store the package as the chain's next link, ask for its review and finish the outbox row,
        in one commit; `build(sequence, previous manifest SM3)` runs under the chain lock. None: the
        instance already has its package (a rerun), and the row is finished all the same."""
        now = self.now()
        with self.sessions() as session:
            head = session.scalars(
                select(EvidenceChainHeadRecord).where(EvidenceChainHeadRecord.id == 1).with_for_update()
            ).first()
            if head is None:
                head = EvidenceChainHeadRecord(id=1, sequence=0, manifest_sm3=None)
                session.add(head)
                session.flush()
            if _has_package(session, instance_id):
                _done(session, outbox_id, now)
                session.commit()
                return None
            sequence = head.sequence + 1
            built = build(sequence, head.manifest_sm3)
            session.add(
                EvidencePackageRecord(
                    id=package_id,
                    instance_id=instance_id,
                    sequence=sequence,
                    manifest_sm3=built.manifest_sm3,
                    previous_manifest_sm3=head.manifest_sm3,
                    signing_key_id=built.signing_key_id,
                    blob_key=built.blob_key,
                    size=built.size,
                    process_id=built.process_id,
                    outcome=built.outcome,
                    branch_code=built.branch_code,
                    staff_id=built.staff_id,
                    status="MACHINE_REVIEW",
                    review_instance_id=None,
                    manifest=built.manifest,
                    created_at=now,
                )
            )
            head.sequence, head.manifest_sm3 = sequence, built.manifest_sm3
            session.add_all(_linking_records(session, instance_id, package_id, built))
            session.add(
                OutboxRecord(
                    instance_id=instance_id,
                    kind="start_review",
                    payload={"package_id": package_id},
                    created_at=now,
                    available_at=now,
                )
            )
            _done(session, outbox_id, now)
            session.commit()
        self.bell.ring()
        return sequence

    @staticmethod
    def link_review(
        transaction: Any, package_id: str, review_instance_id: str, outbox_id: int, now: datetime
    ) -> None:
        """Inside the transaction that starts the review journey (`InstanceService.start`'s hook)."""
        session: Session = transaction
        session.execute(
            update(EvidencePackageRecord)
            .where(EvidencePackageRecord.id == package_id)
            .values(review_instance_id=review_instance_id)
        )
        _done(session, outbox_id, now)

    @staticmethod
    def project_status(transaction: Any, package_id: str, status: str) -> None:
        """Inside the saving transaction of the review journey: the package's status follows it."""
        session: Session = transaction
        session.execute(
            update(EvidencePackageRecord).where(EvidencePackageRecord.id == package_id).values(status=status)
        )

    # ------------------------------------------------------------------ reviews

    def reviews(self, package_id: str) -> list[ReviewRow]:
        with self.sessions() as session:
            rows = session.scalars(
                select(ReviewRecord).where(ReviewRecord.package_id == package_id).order_by(ReviewRecord.id)
            )
            return [ReviewRow(r.at, r.kind, r.actor_id, r.code, r.passed, dict(r.detail)) for r in rows]

    def add_reviews(self, package_id: str, rows: Iterable[ReviewRow]) -> None:
        with self.sessions() as session:
            session.add_all(_review_record(package_id, r) for r in rows)
            session.commit()

    def record_access(
        self,
        actor: Actor,
        package: PackageRow,
        *,
        subject: str,
        fields: Iterable[str],
        purpose: str,
        download: ReviewRow | None = None,
    ) -> None:
        """Who saw a package's personal data (§8.5), and for a download its review-history line, together."""
        with self.sessions() as session:
            record_view(
                session,
                self.now(),
                actor,
                branch_code=package.branch_code,
                instance_id=package.instance_id,
                subject=subject,
                fields=fields,
                personal=frozenset(fields),
                purpose=purpose,
            )
            if download is not None:
                session.add(_review_record(package.package_id, download))
            session.commit()


def _review_record(package_id: str, r: ReviewRow) -> ReviewRecord:
    return ReviewRecord(
        package_id=package_id,
        kind=r.kind,
        actor_id=r.actor_id,
        code=r.code,
        passed=r.passed,
        detail=r.detail,
        at=r.at,
    )


def _linking_records(
    session: Session, instance_id: str, package_id: str, built: NewPackage
) -> list[LinkingIndexRecord]:
    """The package's linking values, under the customer's blind index and the journey's end; none for a
    journey without a customer ID (nothing to tell another customer from)."""
    journey = session.get(ProcessInstanceRecord, instance_id)
    if journey is None or journey.customer_index is None or journey.completed_at is None:
        return []
    return [
        LinkingIndexRecord(
            package_id=package_id,
            instance_id=instance_id,
            process_id=built.process_id,
            subject_index=journey.customer_index,
            link=link,
            value_index=value_index,
            at=journey.completed_at,
        )
        for link, value_index in (
            *built.links,
            *((FINGERPRINT_LINK + name, index) for name, index in built.fingerprints),
        )
    ]


def _has_package(session: Session, instance_id: str) -> bool:
    found = session.scalars(
        select(EvidencePackageRecord.id).where(EvidencePackageRecord.instance_id == instance_id)
    ).first()
    return found is not None


def _done(session: Session, outbox_id: int, now: datetime) -> None:
    session.execute(update(OutboxRecord).where(OutboxRecord.id == outbox_id).values(done_at=now))


def _package(r: EvidencePackageRecord) -> PackageRow:
    return PackageRow(
        package_id=r.id,
        instance_id=r.instance_id,
        sequence=r.sequence,
        manifest_sm3=r.manifest_sm3,
        previous_manifest_sm3=r.previous_manifest_sm3,
        blob_key=r.blob_key,
        process_id=r.process_id,
        outcome=r.outcome,
        branch_code=r.branch_code,
        staff_id=r.staff_id,
        status=r.status,
        review_instance_id=r.review_instance_id,
        manifest=dict(r.manifest),
        created_at=r.created_at,
    )
