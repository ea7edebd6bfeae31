"""Read-only fields keep what the journey knows, whichever client posts the task."""

from __future__ import annotations

from typing import Any

from forms.read_only import keep_read_only

SCHEMA: dict[str, Any] = {
    "properties": {
        "customer_name": {"type": "string", "readOnly": True},
        "annual_income": {"type": "integer"},
        "card": {
            "type": "object",
            "properties": {"product": {"type": "string", "readOnly": True}, "note": {"type": "string"}},
        },
    }
}


def test_a_changed_read_only_value_is_refused_on_its_field() -> None:
    submitted = {"customer_name": "李四", "annual_income": 1, "card": {"product": "GOLD", "note": "x"}}
    problems = keep_read_only(SCHEMA, {"customer_name": "王芳", "card": {"product": "STD"}}, submitted)
    assert [(p.field, p.code) for p in problems] == [
        ("customer_name", "read_only"),
        ("card.product", "read_only"),
    ]


def test_an_absent_read_only_value_is_filled_from_what_the_journey_knows() -> None:
    submitted: dict[str, Any] = {"customer_name": None, "annual_income": 5}
    assert keep_read_only(SCHEMA, {"customer_name": "王芳"}, submitted) == []
    assert submitted["customer_name"] == "王芳"


def test_a_read_only_value_the_journey_does_not_know_yet_is_taken_as_read() -> None:
    submitted = {"customer_name": "王芳"}  # the chip reader fills it on the ID screen
    assert keep_read_only(SCHEMA, {}, submitted) == []
    assert submitted == {"customer_name": "王芳"}


def test_the_same_value_sent_back_passes() -> None:
    assert keep_read_only(SCHEMA, {"customer_name": "王芳"}, {"customer_name": "王芳"}) == []
