"""`fieldbank worker` outlives Redis: rq's worker quits on an unhandled Redis error; ours starts anew."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError

from api.worker import RECONNECT_MAX_S, work_until_stopped


class FakeRqWorker:
    """Plays rq's `Worker.work` endings: quit after logging an error, raise, or stop on SIGTERM."""

    def __init__(self, ending: str) -> None:
        self.ending = ending
        self._stop_requested = False
        self._shutdown_requested_date: datetime | None = None

    def work(self, *, burst: bool, with_scheduler: bool) -> bool:
        if self.ending == "raise":
            raise RedisConnectionError("Connection refused")
        if self.ending == "sigterm":
            self._shutdown_requested_date = datetime.now(UTC)
        return False  # "found an unhandled exception, quitting..." returns normally


def run(endings: list[str], *, burst: bool = False) -> tuple[list[FakeRqWorker], list[float]]:
    made: list[FakeRqWorker] = []
    pauses: list[float] = []

    def make() -> Any:
        made.append(FakeRqWorker(endings[len(made)]))
        return made[-1]

    work_until_stopped(make, burst=burst, pause=pauses.append)
    return made, pauses


def test_a_worker_that_quit_or_raised_on_redis_is_replaced_until_a_stop_is_asked() -> None:
    made, pauses = run(["quit", "raise", "quit", "raise", "quit", "quit", "sigterm"])
    assert len(made) == 7
    assert pauses == [0.5, 1.0, 2.0, 4.0, RECONNECT_MAX_S, RECONNECT_MAX_S]  # backoff, capped


def test_sigterm_and_burst_end_the_loop_at_once() -> None:
    made, pauses = run(["sigterm"])
    assert len(made) == 1 and pauses == []
    made, pauses = run(["quit"], burst=True)
    assert len(made) == 1 and pauses == []
