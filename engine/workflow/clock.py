"""SpiffWorkflow's timers read the wall clock (`datetime.now` in its timer module); the engine points
them at its own clock instead, so a due date is decided by the same `now` as everything else and
tests move time instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


class _EngineClockDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = _now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone(UTC).replace(tzinfo=None)


def use_clock(now: Callable[[], datetime]) -> None:
    """Process-wide, like the library's module: the composition root calls it with the engine's clock."""
    global _now
    _now = now
    _timer_module.datetime = _EngineClockDatetime
