"""The conditional shapes the server-side renderer shows and hides, and the ones it refuses."""

import pytest

from forms import FormCatalogue
from forms.conditions import Condition, ShowWhen, condition_problems, conditions, show_when_rules

CATALOGUE = FormCatalogue()
BASE = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {"type": "string", "enum": ["a", "b", "c"]},
        "flag": {"type": "boolean"},
        "note": {"type": "string"},
        "extra": {"type": "string"},
        "address": {"type": "object", "properties": {"detail": {"type": "string"}}},
    },
}


def schema(**conditional):
    return {**BASE, **conditional}


def when(field="kind", test=None, **rest):
    return {"required": [field], "properties": {field: test or {"const": "a"}}, **rest}


def problems(s):
    return [(p.pointer, p.reason) for p in condition_problems(s, "f-schema.json")]


def definition(name):
    return CATALOGUE.get(f"{name}-schema.json").schema


# --- the shipped forms -------------------------------------------------------------------------------------


def test_customer_details_shows_the_other_purpose_only_when_it_is_required():
    rules = show_when_rules(definition("debit-card-customer-details"))
    assert rules == {"account_purpose_other": ShowWhen("account_purpose", ("other",))}


def test_the_risk_notice_shows_the_tax_fields_only_when_they_are_required():
    rules = show_when_rules(definition("debit-card-risk-notice"))
    assert rules == {
        "tax_country": ShowWhen("tax_residency", ("NON_CN", "BOTH")),
        # its `not` (no TIN given) is left to the server: the field shows for every non-CN resident
        "no_tin_reason": ShowWhen("tax_residency", ("NON_CN", "BOTH")),
    }


def test_post_supervision_review_asks_for_a_reason_unless_the_review_passed():
    rule = show_when_rules(definition("post-supervision-review"))["review_reason"]
    assert rule == ShowWhen("review_outcome", ("PASSED",), negate=True)
    assert not rule.shows({"review_outcome": "PASSED"})
    assert rule.shows({"review_outcome": "ERROR_MINOR"})
    assert rule.shows({})  # no outcome yet: the `if` fails on required, so the `else` applies


def test_remote_authorization_narrows_choices_but_hides_nothing():
    s = definition("remote-authorization")
    assert show_when_rules(s) == {}
    assert [c.field for c in conditions(s)] == ["decision", "decision"]


@pytest.mark.parametrize("name", [f.removesuffix("-schema.json") for f in CATALOGUE.schema_filenames()])
def test_every_shipped_form_uses_only_supported_conditions(name):
    assert condition_problems(definition(name), name) == []


# --- rules -------------------------------------------------------------------------------------------------


def test_a_top_level_if_then_else_gives_then_fields_and_negated_else_fields():
    s = schema(
        **{
            "if": when(test={"enum": ["a", "b"]}),
            "then": {"required": ["note"]},
            "else": {"required": ["extra"]},
        }
    )
    assert conditions(s) == [Condition((), "kind", ("a", "b"), ("note",), ("extra",))]
    assert show_when_rules(s) == {
        "note": ShowWhen("kind", ("a", "b")),
        "extra": ShowWhen("kind", ("a", "b"), negate=True),
    }


def test_a_field_the_form_always_requires_gets_no_rule():
    s = schema(**{"if": when(), "then": {"required": ["kind", "note"]}})
    assert show_when_rules(s) == {"note": ShowWhen("kind", ("a",))}


def test_the_first_condition_requiring_a_field_decides_when_it_shows():
    s = schema(
        **{"if": when(), "then": {"required": ["note"]}},
        allOf=[{"if": when(test={"const": "b"}), "then": {"required": ["note", "extra"]}}],
    )
    assert show_when_rules(s) == {"note": ShowWhen("kind", ("a",)), "extra": ShowWhen("kind", ("b",))}


def test_a_whole_group_can_be_conditional():
    s = schema(allOf=[{"if": when(), "then": {"required": ["address"]}}])
    assert show_when_rules(s) == {"address": ShowWhen("kind", ("a",))}


def test_a_rule_compares_json_values_so_true_is_not_one():
    rule = ShowWhen("flag", (True,))
    assert rule.shows({"flag": True})
    assert not rule.shows({"flag": 1})
    assert not rule.shows({})


def test_malformed_conditions_give_no_rules():
    s = schema(allOf=[{"if": {"properties": {"kind": {"const": "a"}}}, "then": {"required": ["note"]}}])
    assert conditions(s) == [] and show_when_rules(s) == {}


# --- refusals ----------------------------------------------------------------------------------------------


def test_an_if_without_required_is_refused_because_an_empty_field_would_match():
    s = schema(**{"if": {"properties": {"kind": {"const": "a"}}}, "then": {"required": ["note"]}})
    assert problems(s) == [
        ("/if/required", "an if must say \"required\": ['kind'] so an empty field does not match")
    ]


def test_an_if_over_two_fields_is_refused():
    test = {"required": ["kind", "flag"], "properties": {"kind": {"const": "a"}, "flag": {"const": True}}}
    s = schema(allOf=[{"if": test, "then": {"required": ["note"]}}])
    assert problems(s) == [("/allOf/0/if/properties", "an if must test exactly one field, not 2")]


@pytest.mark.parametrize(
    ("test", "pointer"),
    [
        ({"pattern": "^a"}, "/if/properties/kind"),
        ({"enum": []}, "/if/properties/kind"),
        ({"const": {"a": 1}}, "/if/properties/kind"),
        ({"const": "a", "minLength": 1}, "/if/properties/kind"),
    ],
)
def test_an_if_may_only_test_const_or_enum_of_plain_values(test, pointer):
    s = schema(**{"if": when(test=test), "then": {"required": ["note"]}})
    assert problems(s) == [
        (pointer, 'the tested field must be {"const": value} or {"enum": [values]} of plain values')
    ]


def test_an_if_on_a_group_or_an_unknown_field_is_refused():
    on_group = schema(**{"if": when("address"), "then": {"required": ["note"]}})
    assert ("/if/properties/address", "the if tests 'address', which is not a single value") in problems(
        on_group
    )
    unknown = schema(**{"if": when("knd"), "then": {"required": ["note"]}})
    assert problems(unknown) == [("/if/properties/knd", "the if tests 'knd', which is not a top-level field")]


def test_other_keywords_in_an_if_and_a_not_beyond_required_are_refused():
    s = schema(
        **{
            "if": when(minProperties=1, **{"not": {"properties": {"note": {"const": "x"}}}}),
            "then": {"required": ["note"]},
        }
    )
    assert problems(s) == [
        ("/if/minProperties", "'minProperties' is not supported in an if; " + _IF_SHAPE),
        ("/if/not", 'the not of an if may only be {"required": [fields]}'),
    ]


_IF_SHAPE = 'an if must be {"required": [field], "properties": {field: {"const": ...} or {"enum": [...]}}}'


def test_a_then_may_only_require_fields_and_narrow_choices():
    then = {
        "required": ["nte"],
        "minProperties": 2,
        "properties": {"note": {"minLength": 3}, "kind": {"enum": ["a"]}, "nope": {"const": 1}},
    }
    s = schema(**{"if": when(), "then": then})
    assert sorted(problems(s)) == [
        (
            "/then/minProperties",
            "'minProperties' is not supported in a then/else; use required and properties only",
        ),
        ("/then/properties/nope", "field 'nope' is not a top-level field of the form"),
        ("/then/properties/note", "a then/else may only narrow a field with enum or const"),
        ("/then/required/0", "required field 'nte' is not a top-level field of the form"),
    ]


def test_allof_items_that_are_not_conditions_are_refused():
    s = schema(
        allOf=[{"required": ["note"]}, {"if": when(), "then": {"required": ["note"]}, "$comment": "x"}]
    )
    assert problems(s) == [
        ("/allOf/0", "allOf items must be {if, then, else} conditions; nothing else is rendered"),
        ("/allOf/1", "allOf items must be {if, then, else} conditions; nothing else is rendered"),
    ]


def test_an_if_without_then_or_else_and_a_then_without_if_are_refused():
    assert problems(schema(**{"if": when()})) == [("/if", "an if needs a then or an else")]
    assert problems(schema(then={"required": ["note"]})) == [
        ("/then", "a then/else without an if has no effect")
    ]
