"""Optimistic locking's expected outcome as a value: instance rows carry a version, and a save that
finds it moved on (another writer committed first) fails with the ORM's StaleDataError."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec

from sqlalchemy.orm.exc import StaleDataError

from engine.persistence.instances import WriteConflict

P = ParamSpec("P")


def unless_stale(work: Callable[P, bool], *args: P.args, **kwargs: P.kwargs) -> bool:
    """What `work` answers, or False when another writer saved the instance first: the caller reloads
    and tries again, or leaves it to the next round. Its unit of work has rolled back by then."""
    try:
        return work(*args, **kwargs)
    except StaleDataError:
        return False
    except WriteConflict as conflict:
        if not conflict.stale:
            raise
        return False
