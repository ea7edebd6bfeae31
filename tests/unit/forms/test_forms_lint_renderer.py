"""Deploy-time lint refuses what the server-side form renderer cannot draw, naming where and why."""

import json

import pytest

from forms import FormCatalogue

FIELDS = {
    "name": {"type": "string", "title": "姓名"},
    "kind": {"type": "string", "enum": ["a", "b"]},
    "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}, "uniqueItems": True},
}


def lint(tmp_path, schema_extra=None, fields=None, ui=None):
    """(pointer, reason) of every problem of a form with FIELDS (+ `fields`) and `schema_extra`."""
    schema = {"type": "object", "properties": {**FIELDS, **(fields or {})}, **(schema_extra or {})}
    (tmp_path / "f-schema.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    ui_file = None
    if ui is not None:
        ui_file = "f-uischema.json"
        (tmp_path / ui_file).write_text(json.dumps(ui, ensure_ascii=False), encoding="utf-8")
    return [(p.pointer, p.reason) for p in FormCatalogue(tmp_path).lint_form("f-schema.json", ui_file)]


def test_the_baseline_form_with_a_checkbox_list_is_fine(tmp_path):
    assert lint(tmp_path, ui={"tags": {"ui:widget": "checkboxes", "ui:enumNames": ["甲", "乙"]}}) == []


def test_a_group_of_single_value_fields_is_fine(tmp_path):
    address = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}
    assert lint(tmp_path, fields={"address": address}) == []


# --- fields ------------------------------------------------------------------------------------------------


def test_objects_nested_in_a_group_are_refused(tmp_path):
    inner = {"type": "object", "properties": {"street": {"type": "string"}}}
    address = {"type": "object", "properties": {"detail": inner}}
    assert lint(tmp_path, fields={"address": address}) == [
        (
            "/properties/address/properties/detail",
            "fields may be grouped one level deep only; a group holds single-value fields",
        )
    ]


def test_lists_inside_a_group_are_refused(tmp_path):
    address = {"type": "object", "properties": {"lines": FIELDS["tags"]}}
    assert lint(tmp_path, fields={"address": address}) == [
        (
            "/properties/address/properties/lines",
            "fields may be grouped one level deep only; a group holds single-value fields",
        )
    ]


@pytest.mark.parametrize(
    "items",
    [{"type": "string"}, [{"type": "string", "enum": ["a"]}], {"type": "object", "properties": {}}],
)
def test_lists_other_than_checkboxes_over_an_enum_are_refused(tmp_path, items):
    assert lint(tmp_path, fields={"people": {"type": "array", "items": items}}) == [
        ("/properties/people/items", "a list field is rendered as checkboxes only: items needs an enum")
    ]


def test_a_list_drawn_with_another_widget_is_refused(tmp_path):
    assert lint(tmp_path, ui={"tags": {"ui:widget": "select"}}) == [
        ("/tags/ui:widget", "widget 'select' needs an enum, oneOf or boolean")
    ]
    assert lint(tmp_path, ui={"name": {"ui:widget": "checkboxes"}}) == [
        ("/name/ui:widget", "widget 'checkboxes' needs an array whose items have an enum")
    ]


@pytest.mark.parametrize("kind", [None, ["string", "null"], "null"])
def test_a_field_needs_one_type(tmp_path, kind):
    field = {"title": "x"} if kind is None else {"type": kind}
    assert lint(tmp_path, fields={"x": field}) == [
        ("/properties/x/type", 'a field needs one "type": string, number, integer or boolean')
    ]


def test_any_of_is_refused(tmp_path):
    field = {"type": "string", "anyOf": [{"const": "a"}, {"const": "b"}]}
    assert lint(tmp_path, fields={"x": field}) == [
        (
            "/properties/x/anyOf",
            "anyOf is not supported by the form renderer; use oneOf with {const, title} choices",
        )
    ]


def test_one_of_other_than_titled_choices_is_refused(tmp_path):
    field = {"type": "string", "oneOf": [{"pattern": "^a"}, {"pattern": "^b"}]}
    assert lint(tmp_path, fields={"x": field}) == [
        ("/properties/x/oneOf", "oneOf is supported only as a list of {const, title} choices")
    ]


def test_dependencies_are_refused(tmp_path):
    assert lint(tmp_path, {"dependencies": {"name": ["kind"]}}) == [
        ("/dependencies", "dependencies is not supported by the form renderer; use a top-level if/then")
    ]


def test_conditions_inside_a_field_or_a_group_are_refused(tmp_path):
    field = {"type": "string", "if": {"const": "a"}, "then": {"minLength": 2}}
    group = {"type": "object", "properties": {"a": {"type": "string"}}, "allOf": [{"required": ["a"]}]}
    assert lint(tmp_path, fields={"x": field, "g": group}) == [
        ("/properties/x/if", "if is supported only at the top level of a form, for if/then conditions"),
        ("/properties/x/then", "then is supported only at the top level of a form, for if/then conditions"),
        ("/properties/g/allOf", "allOf is supported only at the top level of a form, for if/then conditions"),
    ]


# --- the top level ----------------------------------------------------------------------------------------


def test_a_top_level_not_is_refused(tmp_path):
    assert lint(tmp_path, {"not": {"required": ["name"]}}) == [
        ("/not", "a top-level not is not supported by the form renderer")
    ]


def test_a_field_level_not_is_a_server_check_and_allowed(tmp_path):
    assert lint(tmp_path, fields={"x": {"type": "string", "not": {"const": "无"}}}) == []


def test_top_level_one_of_is_refused(tmp_path):
    assert lint(tmp_path, {"oneOf": [{"required": ["name"]}, {"required": ["kind"]}]}) == [
        ("/oneOf", "oneOf is supported only on a field, as a list of {const, title} choices")
    ]


def test_all_of_items_that_are_not_if_then_are_refused(tmp_path):
    assert lint(tmp_path, {"allOf": [{"required": ["name"]}]}) == [
        ("/allOf/0", "allOf items must be {if, then, else} conditions; nothing else is rendered")
    ]


def test_conditions_outside_the_supported_shape_are_refused_by_the_lint(tmp_path):
    condition = {"if": {"properties": {"kind": {"const": "a"}}}, "then": {"required": ["name"]}}
    assert lint(tmp_path, {"allOf": [condition]}) == [
        ("/allOf/0/if/required", "an if must say \"required\": ['kind'] so an empty field does not match")
    ]


def test_a_supported_condition_passes(tmp_path):
    condition = {
        "if": {"required": ["kind"], "properties": {"kind": {"enum": ["a"]}}},
        "else": {"required": ["name"]},
    }
    assert lint(tmp_path, condition) == []


# --- UI schema ---------------------------------------------------------------------------------------------


def test_unknown_ui_options_and_values_are_refused(tmp_path):
    ui = {
        "name": {"ui:options": {"inputType": "email", "label": False, "rows": 0}},
        "kind": {"ui:options": {"facing": "back"}},
    }
    assert sorted(lint(tmp_path, ui=ui)) == [
        ("/kind/ui:options/facing", "ui:options 'facing' must be one of environment, user"),
        ("/name/ui:options/inputType", "ui:options 'inputType' must be one of tel, text"),
        (
            "/name/ui:options/label",
            "ui:options 'label' is not supported; use one of "
            "facing, inputType, length, resend_after, rows, watermark, widget",
        ),
        ("/name/ui:options/rows", "ui:options 'rows' must be a positive whole number"),
    ]


def test_only_a_camera_asks_for_the_time_and_gps_watermark(tmp_path):
    photo = {"type": "string", "format": "attachment-id"}
    fields = {"photo": photo, "shot": photo, "sig": photo}
    assert (
        lint(
            tmp_path,
            fields=fields,
            ui={
                "photo": {"ui:widget": "camera", "ui:options": {"watermark": True}},
                "shot": {"ui:options": {"watermark": False}},  # an attachment field is drawn as a camera
            },
        )
        == []
    )
    ui = {
        "sig": {"ui:widget": "signature", "ui:options": {"watermark": True}},
        "name": {"ui:options": {"watermark": True}},
        "photo": {"ui:widget": "camera", "ui:options": {"watermark": "yes"}},
    }
    assert sorted(lint(tmp_path, fields=fields, ui=ui)) == [
        (
            "/name/ui:options/watermark",
            "ui:options 'watermark' applies to camera fields only, not to this field",
        ),
        ("/photo/ui:options/watermark", "ui:options 'watermark' must be true or false"),
        (
            "/sig/ui:options/watermark",
            "ui:options 'watermark' applies to camera fields only, not to a 'signature' field",
        ),
    ]


def test_the_form_may_be_marked_as_a_customer_handover_in_the_customers_words(tmp_path):
    words = {"ui:description": "请您阅读后签名。"}
    assert lint(tmp_path, ui={"ui:options": {"handover": True}, **words}) == []
    assert lint(tmp_path, ui={"ui:options": {"handover": "yes", "facing": "user"}, **words}) == [
        ("/ui:options/handover", "ui:options 'handover' must be true or false"),
        (
            "/ui:options/facing",
            "ui:options 'facing' is not supported on a whole form; use handover, documents, one_at_a_time",
        ),
    ]
    assert lint(tmp_path, ui={"ui:options": {"handover": True}}) == [
        ("/ui:description", "a hand-over screen needs a ui:description addressed to the customer")
    ]


def test_a_handover_screen_names_the_documents_it_shows(tmp_path):
    words = {"ui:description": "请您阅读后签名。"}
    shown = {"handover": True, "documents": ["privacy_policy", "risk_notice"]}
    assert lint(tmp_path, ui={"ui:options": shown, **words}) == []
    assert lint(tmp_path, ui={"ui:options": {"documents": ["privacy_policy"]}}) == [
        ("/ui:options/documents", "documents are shown on a hand-over screen only (handover: true)")
    ]
    assert lint(tmp_path, ui={"ui:options": {"handover": True, "documents": "x"}, **words}) == [
        ("/ui:options/documents", "documents must be a list of document names (a-z, 0-9, _)")
    ]


def test_a_group_cannot_be_hidden(tmp_path):
    address = {"type": "object", "properties": {"detail": {"type": "string"}}}
    assert lint(tmp_path, fields={"address": address}, ui={"address": {"ui:widget": "hidden"}}) == [
        ("/address/ui:widget", "widget 'hidden' needs a single value (string, number, integer or boolean)")
    ]


def test_enum_names_of_a_checkbox_list_match_its_items(tmp_path):
    assert lint(tmp_path, ui={"tags": {"ui:enumNames": ["甲"]}}) == [
        ("/tags/ui:enumNames", "ui:enumNames must list one name per enum value")
    ]


TIMED = {
    "answer_ms": {
        "type": "object",
        "properties": {"name": {"type": "integer", "minimum": 0, "maximum": 3600000}},
    }
}


def test_a_form_may_ask_one_question_at_a_time_with_answer_times(tmp_path):
    times = {"x-answer-times": {"field": "answer_ms"}}
    assert lint(tmp_path, times, TIMED, ui={"ui:options": {"one_at_a_time": True}}) == []
    assert lint(tmp_path, ui={"ui:options": {"one_at_a_time": "yes"}}) == [
        ("/ui:options/one_at_a_time", "ui:options 'one_at_a_time' must be true or false")
    ]


def test_answer_times_name_a_group_of_integer_times_of_question_fields(tmp_path):
    assert lint(tmp_path, {"x-answer-times": {"field": "name"}}) == [
        ("/x-answer-times/field", "field must name a group of the form holding the answer times")
    ]
    assert lint(tmp_path, {"x-answer-times": {"to": "answer_ms"}}, TIMED) == [
        ("/x-answer-times", "x-answer-times needs an object with field")
    ]
    stray = {"answer_ms": {"type": "object", "properties": {"nobody": {"type": "integer", "minimum": 0}}}}
    assert lint(tmp_path, {"x-answer-times": {"field": "answer_ms"}}, stray) == [
        ("/x-answer-times/field", "answer time 'nobody' names no question field of the form")
    ]
    untyped = {"answer_ms": {"type": "object", "properties": {"name": {"type": "string"}}}}
    assert lint(tmp_path, {"x-answer-times": {"field": "answer_ms"}}, untyped) == [
        ("/x-answer-times/field", "answer time 'name' must be an integer with a minimum")
    ]
