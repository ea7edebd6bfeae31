"""A save that lost to a concurrent writer is an answer (False), not an error; other errors still raise."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.exc import StaleDataError

from engine.persistence.concurrency import unless_stale


def test_the_work_s_own_answer_comes_back() -> None:
    assert unless_stale(lambda flag: flag, True) is True
    assert unless_stale(lambda flag: flag, flag=False) is False


def test_a_lost_version_check_answers_false() -> None:
    def save() -> bool:
        raise StaleDataError("UPDATE statement on table 'process_instances' expected to update 1 row")

    assert unless_stale(save) is False


def test_any_other_error_is_not_swallowed() -> None:
    def save() -> bool:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        unless_stale(save)
