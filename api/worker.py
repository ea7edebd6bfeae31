"""`fieldbank worker`: an rq worker whose parent is warmed once, plus the outbox relay thread."""

from __future__ import annotations

import logging

from api.bootstrap import Services, build_services
from engine.dispatch import execute_claimed
from engine.service_calls import ServiceCallRunner
from engine.settings import Settings

log = logging.getLogger("fieldbank.worker")
_services: Services | None = None
_runner: ServiceCallRunner | None = None


def _warm() -> tuple[Services, ServiceCallRunner]:
    """Services are built once per worker process (not per job): specs, keys, pools stay warm."""
    global _services, _runner
    if _services is None or _runner is None:
        _services = build_services(Settings(), in_process_worker=False)
        _runner = ServiceCallRunner(_services.deps)
        if _services.evidence is not None:
            _ = _services.evidence.renderer  # fonts and templates load here, not inside the first job
    return _services, _runner


def run_outbox_job(outbox_id: int, kind: str | None = None) -> None:
    services, runner = _warm()
    execute_claimed(services.deps, runner, outbox_id, kind)


def run_worker(
    settings: Settings, burst: bool = False, lanes: tuple[str, ...] = ("calls", "background")
) -> None:
    from rq import SimpleWorker

    from api.queue import BACKGROUND_QUEUE_NAME, QUEUE_NAME, RqOutboxQueue

    if not settings.redis_url:
        raise SystemExit("FIELDBANK_REDIS_URL is not set; the embedded server runs its own worker")
    services, _ = _warm()
    queue = RqOutboxQueue(settings.redis_url)
    assert services.relay is not None
    services.relay.start()
    # SimpleWorker: jobs run in this warmed process; forking would re-import per job (libraries-measured §3)
    # queue order is priority: a worker on both lanes always takes waiting service calls first
    names = [{"calls": QUEUE_NAME, "background": BACKGROUND_QUEUE_NAME}[lane] for lane in lanes]
    SimpleWorker(names, connection=queue.connection).work(burst=burst, with_scheduler=False)
