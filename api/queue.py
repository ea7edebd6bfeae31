"""rq on Redis: the only module besides api/worker.py that knows rq exists."""

from __future__ import annotations

from redis import Redis
from rq import Queue

from engine.service_calls import CALL_KINDS

QUEUE_NAME = "fieldbank"
BACKGROUND_QUEUE_NAME = "fieldbank-background"
JOB_FUNCTION = "api.worker.run_outbox_job"


class RqOutboxQueue:
    def __init__(self, redis_url: str) -> None:
        self._redis = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        self._calls = Queue(QUEUE_NAME, connection=self._redis)
        self._background = Queue(BACKGROUND_QUEUE_NAME, connection=self._redis)

    def enqueue(self, outbox_id: int, kind: str) -> None:
        """Service calls and background work (package renders) go to separate queues, so workers can be
        dedicated and a render never delays a customer's next screen."""
        queue = self._calls if kind in CALL_KINDS else self._background
        queue.enqueue(JOB_FUNCTION, outbox_id, kind, job_timeout=300, result_ttl=60, failure_ttl=86400)

    @property
    def connection(self) -> Redis:
        return self._redis
