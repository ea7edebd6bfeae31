"""Moves due outbox rows to whoever executes them: an in-process thread, or rq workers via Redis.

Redis down means delayed work, never lost work: rows stay in the outbox until a worker has finished
them, and a lease that expires (a killed worker) makes them due again (ARCHITECTURE decision 6).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from engine.deps import EngineDeps
from engine.service_calls import (
    ClaimedRow,
    ServiceCallRunner,
    claim,
    claim_next,
    outbox_kind,
    pending_outbox_rows,
    release,
    release_all_leases,
)
from engine.timers import fire_due_timers

log = logging.getLogger("fieldbank.dispatch")


OutboxHandler = Callable[[int], None]
"""Runs one outbox row of a kind other than `service_calls` and marks it done in the transaction that
does the work (evidence packages, review starts: handlers of the outer packages)."""


class OutboxExecutor:
    """Runs a claimed outbox row by its kind; the same executor serves the in-process worker and rq."""

    def __init__(self, runner: ServiceCallRunner, handlers: Mapping[str, OutboxHandler]) -> None:
        self.runner = runner
        self.deps = runner.deps
        self.handlers = dict(handlers)

    def execute(self, outbox_id: int, kind: str | None = None, claimed: ClaimedRow | None = None) -> None:
        try:
            kind = kind or outbox_kind(self.deps, outbox_id)
            if kind == "service_calls" and claimed is not None:
                self.runner.run_claimed(outbox_id, claimed.instance_id, claimed.payload)
            elif kind == "service_calls":
                self.runner.run_outbox_row(outbox_id)
            elif kind in self.handlers:
                self.handlers[kind](outbox_id)
            elif kind is not None:
                log.error("no handler for outbox kind %s (row %s)", kind, outbox_id)
        except Exception:
            # the lease expires and the row runs again; adapters are idempotent by request id
            log.exception("outbox row %s failed; it will be retried after its lease", outbox_id)


class InProcessWorker:
    """The embedded default: two daemon threads drain the outbox, one for the service calls a customer
    is waiting for and one for background work (packages, review starts, timers), so a package render
    never delays the next screen. The outbox bell wakes both after a commit."""

    def __init__(
        self,
        executor: OutboxExecutor,
        poll_seconds: float = 0.5,
        *,
        sole_worker: bool = False,
        periodic: Sequence[Callable[[], object]] = (),
    ) -> None:
        self.deps = executor.deps
        self.executor = executor
        self.sole_worker = sole_worker
        self.periodic = tuple(periodic)
        """Run on the background lane with the timer sweep (e.g. the sandbox card centre's callbacks)."""
        self._wake = {"calls": self.deps.bell.listener(), "background": self.deps.bell.listener()}
        self._stop = threading.Event()
        self._poll = poll_seconds
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self.sole_worker:
            taken = release_all_leases(self.deps)
            if taken:
                log.info("took back %s outbox lease(s) of this server's previous run", taken)
        for lane in self._wake:
            thread = threading.Thread(target=self._loop, args=(lane,), name=f"fieldbank-{lane}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for event in self._wake.values():
            event.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def drain_once(self, limit: int = 50, lane: str | None = None) -> int:
        done = 0
        for _ in range(limit):
            if self._stop.is_set():  # stopping: leave the rest to the next start (no lease taken)
                break
            claimed = claim_next(self.deps, lane)
            if claimed is None:
                break
            self.executor.execute(claimed.outbox_id, claimed.kind, claimed)
            done += 1
        return done

    def _loop(self, lane: str) -> None:
        wake = self._wake[lane]
        while not self._stop.is_set():
            wake.clear()
            try:
                while self.drain_once(lane=lane):
                    pass
                if lane == "background":
                    fire_due_timers(self.deps)
                    for job in self.periodic:
                        job()
            except Exception:
                log.exception("outbox loop error (%s)", lane)
            wake.wait(self._poll)


class OutboxRelay:
    """Production: enqueue due rows on rq. Runs in `fieldbank worker` and after each API commit."""

    def __init__(
        self,
        deps: EngineDeps,
        enqueue: Callable[[int, str], None],
        poll_seconds: float = 1.0,
        *,
        periodic: Sequence[Callable[[], object]] = (),
    ) -> None:
        self.deps = deps
        self.periodic = tuple(periodic)
        self._enqueue = enqueue
        self._poll = poll_seconds
        self._wake = deps.bell.listener()
        self._stop = threading.Event()

    def relay_once(self) -> int:
        sent = 0
        for outbox_id, kind in pending_outbox_rows(self.deps):
            if claim(self.deps, outbox_id) is None:
                continue
            try:
                self._enqueue(outbox_id, kind)
                sent += 1
            except Exception as exc:  # Redis down: give the row back, it is offered again next round
                log.warning("could not enqueue outbox row %s: %s", outbox_id, type(exc).__name__)
                release(self.deps, outbox_id)
                break
        return sent

    def run_forever(self) -> None:
        """Relay on every ring and every poll; sweep timers on the poll only (a ring means outbox work)."""
        next_sweep = 0.0
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.relay_once()
                if time.monotonic() >= next_sweep:
                    fire_due_timers(self.deps)
                    for job in self.periodic:
                        job()
                    next_sweep = time.monotonic() + self._poll
            except Exception:
                log.exception("relay error")
            self._wake.wait(self._poll)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="fieldbank-relay", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
