"""`fieldbank worker`: an rq worker whose parent is warmed once, plus the outbox relay thread."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.exceptions import StopRequested

from api.bootstrap import Services, build_services
from engine.settings import Settings

log = logging.getLogger("fieldbank.worker")
RECONNECT_FIRST_S = 0.5
RECONNECT_MAX_S = 5.0
_services: Services | None = None


def _warm() -> Services:
    """Services are built once per worker process (not per job): specs, keys, pools stay warm."""
    global _services
    if _services is None:
        _services = build_services(Settings(), in_process_worker=False)
        _ = _services.evidence.renderer  # fonts and templates load here, not inside the first job
    return _services


def run_outbox_job(outbox_id: int, kind: str | None = None) -> None:
    _warm().executor.execute(outbox_id, kind)


def run_worker(
    settings: Settings, burst: bool = False, lanes: tuple[str, ...] = ("calls", "background")
) -> None:
    from rq import SimpleWorker

    from api.queue import BACKGROUND_QUEUE_NAME, QUEUE_NAME, RqOutboxQueue

    if not settings.redis_url:
        raise SystemExit("FIELDBANK_REDIS_URL is not set; the embedded server runs its own worker")
    services = _warm()
    queue = RqOutboxQueue(settings.redis_url)
    assert services.relay is not None
    services.relay.start()
    # SimpleWorker: jobs run in this warmed process; forking would re-import per job (libraries-measured §3)
    # queue order is priority: a worker on both lanes always takes waiting service calls first
    names = [{"calls": QUEUE_NAME, "background": BACKGROUND_QUEUE_NAME}[lane] for lane in lanes]
    work_until_stopped(lambda: SimpleWorker(names, connection=queue.connection), burst=burst)


def work_until_stopped(
    make_worker: Callable[[], Any], *, burst: bool, pause: Callable[[float], None] = time.sleep
) -> None:
    """Redis going away is an outage to wait out, not a reason to quit: nothing supervises a worker but
    itself, and the outbox keeps every row until it is done. rq's worker returns (or raises) when Redis
    fails; unless it was asked to stop, a new one registers once Redis answers again."""
    delay = RECONNECT_FIRST_S
    while True:
        worker = make_worker()
        started = time.monotonic()
        try:
            worker.work(burst=burst, with_scheduler=False)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            log.warning("Redis unavailable (%s)", type(exc).__name__)
        if burst or _stop_asked(worker):
            return
        if time.monotonic() - started > 60:
            delay = RECONNECT_FIRST_S  # it ran fine for a while: a fresh outage starts with a short wait
        log.warning("the rq worker stopped without being asked to; reconnecting in %.1f s", delay)
        try:
            pause(delay)
        except StopRequested:
            return  # SIGTERM during the pause: rq's handler (still this worker's) asks us to stop
        if _stop_asked(worker):
            return
        delay = min(delay * 2, RECONNECT_MAX_S)


def _stop_asked(worker: Any) -> bool:
    """rq marks a warm shutdown (SIGTERM / SIGINT) with its request date, busy or idle."""
    return bool(
        getattr(worker, "_stop_requested", False) or getattr(worker, "_shutdown_requested_date", None)
    )
