"""rq on Redis: the only module besides api/worker.py that knows rq exists."""

from __future__ import annotations

from redis import Redis
from rq import Queue

QUEUE_NAME = "fieldbank"
JOB_FUNCTION = "api.worker.run_outbox_job"


class RqOutboxQueue:
    def __init__(self, redis_url: str) -> None:
        self._redis = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        self._queue = Queue(QUEUE_NAME, connection=self._redis)

    def enqueue(self, outbox_id: int) -> None:
        self._queue.enqueue(JOB_FUNCTION, outbox_id, job_timeout=300, result_ttl=60, failure_ttl=86400)

    @property
    def connection(self) -> Redis:
        return self._redis
