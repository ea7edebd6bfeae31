"""A customer's hand-over screen is submitted from the tablet only, never from a staff screen."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest

from api.web.task_submit import submit_task
from engine.errors import Forbidden

QUESTIONNAIRE = SimpleNamespace(
    schema={"type": "object", "properties": {"q": {"type": "string"}}},
    ui_schema={"ui:options": {"handover": True}, "ui:description": "请您作答"},
)
STAFF_FORM = SimpleNamespace(schema=QUESTIONNAIRE.schema, ui_schema={})


class Request:
    async def form(self) -> dict[str, str]:
        return {"q": "a"}


class Reads:
    def __init__(self, form: Any) -> None:
        self.form = form

    def task_form(self, actor: Any, task_id: str) -> Any:
        return self.form


class Handover:
    def __init__(self) -> None:
        self.completed: list[dict[str, Any]] = []

    def complete(self, actor: Any, task_id: str, data: dict[str, Any]) -> str:
        self.completed.append(data)
        return "view"


def submit(form: Any, handover: Handover, **kw: Any) -> Any:
    session = SimpleNamespace(actor="fo001")
    return asyncio.run(submit_task(Request(), Reads(form), handover, session, "t1", **kw))  # type: ignore[arg-type]


def test_a_hand_over_screen_is_refused_from_a_staff_screen_and_nothing_is_completed() -> None:
    handover = Handover()
    with pytest.raises(Forbidden):
        submit(QUESTIONNAIRE, handover)
    assert handover.completed == []


def test_the_tablet_submits_the_hand_over_screen_and_a_staff_screen_its_own_forms() -> None:
    handover = Handover()
    assert submit(QUESTIONNAIRE, handover, on_tablet=True).view == "view"
    assert submit(STAFF_FORM, handover).view == "view"
    assert handover.completed == [{"q": "a"}, {"q": "a"}]
