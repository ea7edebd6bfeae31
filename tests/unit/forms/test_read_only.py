"""Read-only fields keep what the journey knows, whichever client posts the task."""

from __future__ import annotations

from typing import Any

from forms.read_only import is_read_only, keep_read_only

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
    problems = keep_read_only(
        SCHEMA, {"customer_name": "王芳", "card": {"product": "STD"}}, submitted, ui_schema={}
    )
    assert [(p.field, p.code) for p in problems] == [
        ("customer_name", "read_only"),
        ("card.product", "read_only"),
    ]


def test_an_absent_read_only_value_is_filled_from_what_the_journey_knows() -> None:
    submitted: dict[str, Any] = {"customer_name": None, "annual_income": 5}
    assert keep_read_only(SCHEMA, {"customer_name": "王芳"}, submitted, ui_schema={}) == []
    assert submitted["customer_name"] == "王芳"


def test_a_read_only_value_the_journey_does_not_know_yet_is_taken_as_read() -> None:
    submitted = {"customer_name": "王芳"}  # the chip reader fills it on the ID screen
    assert keep_read_only(SCHEMA, {}, submitted, ui_schema={}) == []
    assert submitted == {"customer_name": "王芳"}


def test_the_same_value_sent_back_passes() -> None:
    assert keep_read_only(SCHEMA, {"customer_name": "王芳"}, {"customer_name": "王芳"}, ui_schema={}) == []


# Read-only on the page by its UI schema: the server holds these fields exactly like `readOnly` ones.
UI_SCHEMA: dict[str, Any] = {
    "annual_income": {"ui:readonly": True},
    "card": {"note": {"ui:disabled": True}},
}
KNOWN: dict[str, Any] = {"annual_income": 120000, "card": {"product": "STD", "note": "柜面核实"}}


def test_a_changed_ui_read_only_or_disabled_value_is_refused_on_its_field() -> None:
    submitted = {"annual_income": 1, "card": {"product": "STD", "note": "改过"}}
    problems = keep_read_only(SCHEMA, KNOWN, submitted, ui_schema=UI_SCHEMA)
    assert [(p.field, p.code) for p in problems] == [
        ("annual_income", "read_only"),
        ("card.note", "read_only"),
    ]


def test_an_omitted_ui_read_only_or_disabled_value_keeps_the_known_one() -> None:
    submitted: dict[str, Any] = {"card": {"product": "STD"}}
    assert keep_read_only(SCHEMA, KNOWN, submitted, ui_schema=UI_SCHEMA) == []
    assert submitted == {"annual_income": 120000, "card": {"product": "STD", "note": "柜面核实"}}


def test_ui_read_only_fields_the_journey_does_not_know_yet_and_editable_fields_are_taken() -> None:
    submitted = {"annual_income": 5, "card": {"product": "STD", "note": "x"}}
    assert keep_read_only(SCHEMA, {"card": {"product": "STD"}}, submitted, ui_schema=UI_SCHEMA) == []
    assert keep_read_only(SCHEMA, KNOWN, {"annual_income": 120000}, ui_schema={"annual_income": {}}) == []
    assert keep_read_only(SCHEMA, KNOWN, {"annual_income": 7}, ui_schema={}) == []  # editable: taken


def test_the_page_and_the_server_agree_on_what_is_read_only() -> None:
    assert is_read_only({"readOnly": True}, {})
    assert is_read_only({}, {"ui:readonly": True}) and is_read_only({}, {"ui:disabled": True})
    assert not is_read_only({}, {"ui:readonly": False}) and not is_read_only({}, {"ui:help": "x"})
