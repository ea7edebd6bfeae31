"""Executes parked service tasks: calls outside any transaction, results applied in a new one.

The ready calls of one instance run concurrently (so three pre-checks cost the slowest, not the sum);
results are applied under the instance's version check; technical failures are retried with the
model's backoff and become an incident when retries run out (ARCHITECTURE decisions 3 and 5).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.deps import EngineDeps
from engine.errors import ExternalServiceError, NotFound, ProcessStepFailed
from engine.operations.registry import BusinessRejection
from engine.persistence.concurrency import unless_stale
from engine.persistence.incidents import open_incident, raise_incident, resolve_incident
from engine.persistence.instances import InstanceTables
from engine.persistence.outbox import CALL_KINDS, ClaimedRow, NewRow, OutboxStore, finish_row, open_row
from engine.step_incidents import park_as_incident
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
        with self.deps.sessions() as tx:
            found = open_row(tx, outbox_id)
            if found is None:
                return
            row, record = found
            instance_id, task_ids, attempts = (
                row.instance_id,
                list(row.payload["task_ids"]),
                dict(row.payload.get("attempts", {})),
            )
            sealed = row.payload.get("calls")
            if sealed:
                calls = [c for c in unseal_calls(self.deps, instance_id, sealed) if c.task_id in task_ids]
                contexts = {c.task_id: operation_context(self.deps, record, c.task_id) for c in calls}
            else:  # rows written before calls travelled with them
                journey = JourneyInstance(self.deps, InstanceTables(tx), record)
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
                if unless_stale(self._apply_once, outbox_id, instance_id, outcomes, attempts):
                    break
            except ProcessStepFailed as failure:
                self._park(outbox_id, instance_id, outcomes, failure)
                break
        self.deps.notify_outbox()

    def _park(
        self, outbox_id: int, instance_id: str, outcomes: list[CallOutcome], failure: ProcessStepFailed
    ) -> None:
        """A script or condition after the calls failed: the results are not applied (the calls stay
        parked) and the row is finished with the incident, so it does not come back after its lease; the
        operator's retry schedules the calls again (adapters are idempotent by request id)."""
        task_id = outcomes[0].call.task_id if outcomes else failure.element_id
        park_as_incident(
            self.deps,
            instance_id,
            task_id,
            failure,
            None,
            also=lambda journey: finish_row(journey.session, outbox_id, self.deps.now()),
        )

    def _apply_once(
        self, outbox_id: int, instance_id: str, outcomes: list[CallOutcome], attempts: dict[str, int]
    ) -> bool:
        """True once applied; the row is marked done in the transaction that applies its results."""
        with UnitOfWork(self.deps) as uow:
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
            finish_row(uow.session, outbox_id, now, self._retry_row(journey, outcomes, attempts, retry, now))
            journey.save()
            uow.commit()
            return True

    def _retry_row(
        self,
        journey: JourneyInstance,
        outcomes: list[CallOutcome],
        attempts: dict[str, int],
        retry: list[str],
        now: datetime,
    ) -> NewRow | None:
        """The failed calls again, after the model's backoff for the most tried of them."""
        if not retry:
            return None
        retried = [o.call for o in outcomes if o.call.task_id in retry]
        base = max(c.call.backoff_base for c in outcomes if c.call.task_id in retry)
        delay = base ** max(attempts[t] for t in retry) * self.deps.retry_backoff_scale
        return NewRow(
            instance_id=journey.record.id,
            kind="service_calls",
            payload={
                "task_ids": retry,
                "attempts": attempts,
                "calls": journey.seal_calls(retried),
                "journey": journey.call_context_fields(),
            },
            available_at=now + timedelta(seconds=delay),
        )

    def _subject(self, call: ServiceCallView) -> str | None:
        """Whom the call was about, as a blind index: post-supervision checks that every check result
        belongs to the journey's customer without the trail holding an ID number."""
        id_number = call.params.get("id_number")
        return self.deps.cipher.blind_index(id_number) if isinstance(id_number, str) else None

    def _incident(
        self, journey: JourneyInstance, call: ServiceCallView, code: str, message: str, attempts: int
    ) -> None:
        journey.incidents_touched = True
        raise_incident(
            journey.session,
            instance_id=journey.record.id,
            task_id=call.task_id,
            task_spec=call.spec_name,
            operation=call.operation,
            error_code=code,
            message=message[:500],
            attempts=attempts,
            at=self.deps.now(),
        )
        journey.event("incident_raised", None, task_spec=call.spec_name, operation=call.operation, error=code)


def retry_incident(deps: EngineDeps, instance_id: str, incident_id: int, actor_id: str) -> None:
    """An operator's retry: the incident closes and the parked task is scheduled again."""
    with UnitOfWork(deps) as uow:
        incident = open_incident(uow.session, instance_id, incident_id)
        if incident is None:
            raise NotFound("no such open incident")
        journey = uow.journey(instance_id)
        journey.incidents_touched = True
        resolved_at = deps.now()
        journey.event(
            "incident_retried", actor_id, task_spec=incident.task_spec, operation=incident.operation
        )
        resolve_incident(uow.session, incident, resolved_at, actor_id)
        journey.save()
        uow.commit()


def pending_outbox_rows(deps: EngineDeps, limit: int = 50) -> list[tuple[int, str]]:
    return OutboxStore(deps.sessions).due(deps.now(), limit)


def outbox_kind(deps: EngineDeps, outbox_id: int) -> str | None:
    return OutboxStore(deps.sessions).open_kind(outbox_id)


def release(deps: EngineDeps, outbox_id: int) -> None:
    """Give back a lease that was never used (the queue refused the job): no attempt was made, so the
    claim's count is taken back too (a Redis outage must not use up a row's attempts)."""
    OutboxStore(deps.sessions).release(outbox_id)


def release_all_leases(deps: EngineDeps) -> int:
    """A sole worker starting up (the embedded server on its SQLite file) holds every lease there is:
    they were its own before a crash, so it takes them back now instead of waiting them out."""
    return OutboxStore(deps.sessions).release_all_leases()


def claim_next(deps: EngineDeps, lane: str | None = None) -> ClaimedRow | None:
    """Lease the oldest due row of a lane (`calls`, `background`, or None for any) and return what the
    row holds; None when nothing is due. Two workers racing for a row: one of them gets it."""
    now = deps.now()
    return OutboxStore(deps.sessions).claim_next(lane, now, _lease_until(deps, now))


def claim(deps: EngineDeps, outbox_id: int) -> str | None:
    """Lease a row so one worker runs it and return its kind (None: someone else has it). A crashed
    worker's lease expires and the row runs again."""
    now = deps.now()
    return OutboxStore(deps.sessions).claim(outbox_id, now, _lease_until(deps, now))


def _lease_until(deps: EngineDeps, now: datetime) -> datetime:
    return now + timedelta(seconds=deps.outbox_lease_seconds)


__all__ = [
    "CALL_KINDS",
    "CallOutcome",
    "ClaimedRow",
    "ServiceCallRunner",
    "claim",
    "claim_next",
    "outbox_kind",
    "pending_outbox_rows",
    "release",
    "release_all_leases",
    "retry_incident",
]
