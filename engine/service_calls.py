"""Executes parked service tasks: calls outside any transaction, results applied in a new one.

The ready calls of one instance run concurrently (so three pre-checks cost the slowest, not the sum);
results are applied under the instance's version check; technical failures are retried with the
model's backoff and become an incident when retries run out (ARCHITECTURE decisions 3 and 5).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select, true, update
from sqlalchemy.orm.exc import StaleDataError

from engine.deps import EngineDeps
from engine.errors import ExternalServiceError, NotFound
from engine.operations.registry import BusinessRejection
from engine.persistence.records import IncidentRecord, OutboxRecord, ProcessInstanceRecord
from engine.store import JourneyInstance, call_context, operation_context, unseal_calls
from engine.unit_of_work import UnitOfWork
from engine.workflow.instance import ServiceCallView

log = logging.getLogger("fieldbank.worker")
_PRIORITY = {"result": 0, "failure": 1, "rejection": 2}


@dataclass(frozen=True)
class CallOutcome:
    call: ServiceCallView
    kind: str  # result | rejection | failure
    request_id: str
    result: dict[str, Any] | None = None
    code: str | None = None
    payload: dict[str, Any] | None = None
    error: str | None = None
    reason: str | None = None


class ServiceCallRunner:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps
        self._pool = ThreadPoolExecutor(max_workers=deps.worker_threads, thread_name_prefix="fieldbank-call")

    def run_claimed(self, outbox_id: int, instance_id: str, payload: dict[str, Any]) -> None:
        """A row this worker just leased, with the payload its claim returned: when the row carries its
        calls and the journey's context, no read comes between the claim and the calls."""
        journey = payload.get("journey")
        sealed = payload.get("calls")
        if not (sealed and isinstance(journey, dict)):
            self.run_outbox_row(outbox_id)
            return
        task_ids = list(payload["task_ids"])
        calls = [c for c in unseal_calls(self.deps, instance_id, sealed) if c.task_id in task_ids]
        contexts = {
            c.task_id: call_context(
                self.deps, instance_id, journey["branch_code"], journey["operator_id"], c.task_id
            )
            for c in calls
        }
        outcomes = list(self._pool.map(lambda c: self._call(c, contexts[c.task_id]), calls))
        self._apply(outbox_id, instance_id, outcomes, dict(payload.get("attempts", {})))

    def run_outbox_row(self, outbox_id: int) -> None:
        with self.deps.sessions() as session:
            row = session.get(OutboxRecord, outbox_id)
            if row is None or row.done_at is not None:
                return
            instance_id, task_ids, attempts = (
                row.instance_id,
                list(row.payload["task_ids"]),
                dict(row.payload.get("attempts", {})),
            )
            sealed = row.payload.get("calls")
            if sealed:
                record = session.get(ProcessInstanceRecord, instance_id)
                assert record is not None
                calls = [c for c in unseal_calls(self.deps, instance_id, sealed) if c.task_id in task_ids]
                contexts = {c.task_id: operation_context(self.deps, record, c.task_id) for c in calls}
            else:  # rows written before calls travelled with them
                record = session.get(ProcessInstanceRecord, instance_id)
                assert record is not None
                journey = JourneyInstance(self.deps, session, record)
                assert journey.workflow is not None
                calls = [c for c in journey.workflow.pending_service_calls() if c.task_id in task_ids]
                contexts = {c.task_id: journey.operation_context(c.task_id) for c in calls}
        outcomes = list(self._pool.map(lambda c: self._call(c, contexts[c.task_id]), calls))
        self._apply(outbox_id, instance_id, outcomes, attempts)

    def _call(self, call: ServiceCallView, ctx: Any) -> CallOutcome:
        op = self.deps.operations.get(call.operation)
        try:
            return CallOutcome(call, "result", ctx.request_id, result=op.handler(ctx, call.params))
        except BusinessRejection as exc:
            return CallOutcome(call, "rejection", ctx.request_id, code=exc.code, payload=exc.payload)
        except ExternalServiceError as exc:
            return CallOutcome(call, "failure", ctx.request_id, error=exc.message, reason=exc.reason)
        except Exception as exc:
            log.exception("operation %s failed unexpectedly", call.operation)
            return CallOutcome(
                call, "failure", ctx.request_id, error=type(exc).__name__, reason="INTERNAL_ERROR"
            )

    def _apply(
        self, outbox_id: int, instance_id: str, outcomes: list[CallOutcome], attempts: dict[str, int]
    ) -> None:
        for _ in range(5):  # a user may complete a task meanwhile: reload and apply again
            try:
                self._apply_once(outbox_id, instance_id, outcomes, attempts)
                break
            except StaleDataError:
                continue
        self.deps.notify_outbox()

    def _apply_once(
        self, outbox_id: int, instance_id: str, outcomes: list[CallOutcome], attempts: dict[str, int]
    ) -> None:
        with UnitOfWork(self.deps) as uow:
            session = uow.session
            journey = uow.journey(instance_id)
            wf = journey.workflow
            assert wf is not None
            now = self.deps.now()
            retry: list[str] = []
            for outcome in sorted(outcomes, key=lambda o: _PRIORITY[o.kind]):
                call = outcome.call
                if not wf.is_started_service(call.task_id):
                    continue  # cancelled meanwhile (another check's rejection ended the pre-checks)
                op = self.deps.operations.get(call.operation)
                about = {
                    "task_spec": call.spec_name,
                    "operation": call.operation,
                    "system": op.system,
                    "request_id": outcome.request_id,
                    "subject": self._subject(call),
                }
                if outcome.kind == "result":
                    assert outcome.result is not None
                    journey.event("service_result", None, result=outcome.result.get("result", "OK"), **about)
                    wf.complete_service(call.task_id, outcome.result)
                elif outcome.kind == "rejection":
                    payload = outcome.payload or {}
                    journey.event(
                        "service_result",
                        None,
                        result=payload.get("code"),
                        bpmn_error=outcome.code,
                        restricted=payload.get("code") in op.restricted_results,
                        **about,
                    )
                    if not wf.throw_business_error(call.task_id, outcome.code or "", payload):
                        self._incident(
                            journey,
                            call,
                            "UNMODELLED_ERROR",
                            f"no boundary event catches {outcome.code}",
                            attempts.get(call.task_id, 0) + 1,
                        )
                else:
                    done = attempts.get(call.task_id, 0) + 1
                    journey.event(
                        "service_failed",
                        None,
                        reason=outcome.reason,
                        attempt=done,
                        **about,
                    )
                    if done <= call.retries:
                        attempts[call.task_id] = done
                        retry.append(call.task_id)
                    else:
                        self._incident(journey, call, outcome.reason or "FAILED", outcome.error or "", done)
            wf.run()
            session.execute(update(OutboxRecord).where(OutboxRecord.id == outbox_id).values(done_at=now))
            if retry:
                retried = [o.call for o in outcomes if o.call.task_id in retry]
                base = max(c.call.backoff_base for c in outcomes if c.call.task_id in retry)
                delay = base ** max(attempts[t] for t in retry) * self.deps.retry_backoff_scale
                session.add(
                    OutboxRecord(
                        instance_id=instance_id,
                        kind="service_calls",
                        payload={
                            "task_ids": retry,
                            "attempts": attempts,
                            "calls": journey.seal_calls(retried),
                            "journey": journey.call_context_fields(),
                        },
                        created_at=now,
                        available_at=now + timedelta(seconds=delay),
                    )
                )
            session.flush()
            journey.save()
            uow.commit()

    def _subject(self, call: ServiceCallView) -> str | None:
        """Whom the call was about, as a blind index: post-supervision checks that every check result
        belongs to the journey's customer without the trail holding an ID number."""
        id_number = call.params.get("id_number")
        return self.deps.cipher.blind_index(id_number) if isinstance(id_number, str) else None

    def _incident(
        self, journey: JourneyInstance, call: ServiceCallView, code: str, message: str, attempts: int
    ) -> None:
        journey.incidents_touched = True
        journey.session.add(
            IncidentRecord(
                instance_id=journey.record.id,
                task_id=call.task_id,
                task_spec=call.spec_name,
                operation=call.operation,
                error_code=code,
                message=message[:500],
                attempts=attempts,
                created_at=self.deps.now(),
            )
        )
        journey.session.flush()
        journey.event("incident_raised", None, task_spec=call.spec_name, operation=call.operation, error=code)


def retry_incident(deps: EngineDeps, instance_id: str, incident_id: int, actor_id: str) -> None:
    """An operator's retry: the incident closes and the parked task is scheduled again."""
    with UnitOfWork(deps) as uow:
        incident = uow.session.get(IncidentRecord, incident_id)
        if incident is None or incident.instance_id != instance_id or incident.resolved_at is not None:
            raise NotFound("no such open incident")
        journey = uow.journey(instance_id)
        journey.incidents_touched = True
        incident.resolved_at = deps.now()
        incident.resolved_by = actor_id
        journey.event(
            "incident_retried", actor_id, task_spec=incident.task_spec, operation=incident.operation
        )
        uow.session.flush()
        journey.save()
        uow.commit()


def pending_outbox_rows(deps: EngineDeps, limit: int = 50) -> list[tuple[int, str]]:
    now = deps.now()
    with deps.sessions() as session:
        rows = session.execute(
            select(OutboxRecord.id, OutboxRecord.kind)
            .where(
                OutboxRecord.done_at.is_(None),
                OutboxRecord.available_at <= now,
                (OutboxRecord.lease_until.is_(None)) | (OutboxRecord.lease_until < now),
            )
            .order_by(OutboxRecord.id)
            .limit(limit)
        ).all()
        return [(int(i), str(k)) for i, k in rows]


def outbox_kind(deps: EngineDeps, outbox_id: int) -> str | None:
    with deps.sessions() as session:
        row = session.get(OutboxRecord, outbox_id)
        return None if row is None or row.done_at is not None else row.kind


def release(deps: EngineDeps, outbox_id: int) -> None:
    """Give back a lease that was never used (the queue refused the job): no attempt was made, so the
    claim's count is taken back too (a Redis outage must not use up a row's attempts)."""
    with deps.sessions() as session:
        session.execute(
            update(OutboxRecord)
            .where(OutboxRecord.id == outbox_id)
            .values(lease_until=None, attempts=OutboxRecord.attempts - 1)
        )
        session.commit()


def release_all_leases(deps: EngineDeps) -> int:
    """A sole worker starting up (the embedded server on its SQLite file) holds every lease there is:
    they were its own before a crash, so it takes them back now instead of waiting them out."""
    with deps.sessions() as session:
        result = session.execute(
            update(OutboxRecord)
            .where(OutboxRecord.done_at.is_(None), OutboxRecord.lease_until.is_not(None))
            .values(lease_until=None)
        )
        session.commit()
        return int(getattr(result, "rowcount", 0) or 0)


CALL_KINDS = frozenset({"service_calls"})
"""Work a customer is waiting for; everything else (packages, review starts) is background work that
must never queue in front of it (a package render takes over a second)."""


def kind_filter(lane: str | None) -> Any:
    if lane == "calls":
        return OutboxRecord.kind.in_(CALL_KINDS)
    if lane == "background":
        return OutboxRecord.kind.not_in(CALL_KINDS)
    return true()


def _claim_statement(lane: str | None) -> Any:
    """Built once per lane: constructing a SQLAlchemy statement costs more CPU than running it."""
    now: Any = bindparam("now")
    lease: Any = bindparam("lease_until")
    due = (
        select(OutboxRecord.id)
        .where(
            OutboxRecord.done_at.is_(None),
            OutboxRecord.available_at <= now,
            (OutboxRecord.lease_until.is_(None)) | (OutboxRecord.lease_until < now),
            kind_filter(lane),
        )
        .order_by(OutboxRecord.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        update(OutboxRecord)
        .where(
            OutboxRecord.id == due, (OutboxRecord.lease_until.is_(None)) | (OutboxRecord.lease_until < now)
        )
        .values(lease_until=lease, attempts=OutboxRecord.attempts + 1)
        .returning(OutboxRecord.id, OutboxRecord.kind, OutboxRecord.instance_id, OutboxRecord.payload)
    )


_CLAIM = {lane: _claim_statement(lane) for lane in ("calls", "background", None)}


@dataclass(frozen=True)
class ClaimedRow:
    outbox_id: int
    kind: str
    instance_id: str
    payload: dict[str, Any]


def claim_next(deps: EngineDeps, lane: str | None = None) -> ClaimedRow | None:
    """Lease the oldest due row of a lane (`calls`, `background`, or None for any) in one statement that
    also returns what the row holds; None when nothing is due. Two workers racing for a row: the
    loser's UPDATE re-checks the lease and matches nothing."""
    now = deps.now()
    with deps.sessions() as session:
        row = session.execute(
            _CLAIM[lane], {"now": now, "lease_until": now + timedelta(seconds=deps.outbox_lease_seconds)}
        ).first()
        session.commit()
        return ClaimedRow(int(row[0]), str(row[1]), str(row[2]), dict(row[3])) if row is not None else None


def claim(deps: EngineDeps, outbox_id: int) -> str | None:
    """Lease a row so one worker runs it and return its kind (None: someone else has it). A crashed
    worker's lease expires and the row runs again."""
    now = deps.now()
    with deps.sessions() as session:
        result = session.execute(
            update(OutboxRecord)
            .where(
                OutboxRecord.id == outbox_id,
                OutboxRecord.done_at.is_(None),
                (OutboxRecord.lease_until.is_(None)) | (OutboxRecord.lease_until < now),
            )
            .values(
                lease_until=now + timedelta(seconds=deps.outbox_lease_seconds),
                attempts=OutboxRecord.attempts + 1,
            )
        )
        if getattr(result, "rowcount", 0) != 1:
            session.rollback()
            return None
        kind = session.scalar(select(OutboxRecord.kind).where(OutboxRecord.id == outbox_id))
        session.commit()
        return kind
