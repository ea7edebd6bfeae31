"""Deploy-time checks of a form (schema + UI schema) that JSON Schema itself does not make.

Tablets show forms through our own server-side renderer (`api/web/form_view.py`), which draws a fixed
subset of draft-07: top-level fields of one type each (string, number, integer, boolean), one level of
grouping (an object of such fields), arrays only as checkboxes over an `enum`, `oneOf` only as titled
choices, and the conditions of `forms/conditions.py`. Anything else would be silently dropped or
mis-drawn on the tablet, so it is refused here with the JSON Pointer and the reason, as are formats we
cannot check.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft7Validator

from forms.conditions import condition_problems
from forms.errors import FormProblem
from forms.format_checks import KNOWN_FORMATS
from forms.keywords import (
    ANSWER_TIMES,
    ANSWER_TIMES_SETTINGS,
    CONTACT_MOBILES,
    CONTACT_MOBILES_SETTINGS,
    GB2260,
    GB2260_SETTINGS,
    ID_CONSISTENCY,
    ID_CONSISTENCY_FIELDS,
    SECRET,
    is_choice_list,
)
from forms.ui_lint import lint_ui_schema

SUPPORTED_KEYWORDS = frozenset(
    {
        *("$schema", "$id", "$comment", "title", "description", "default", "examples", "readOnly"),
        *("writeOnly", "type", "enum", "const", "format", "minLength", "maxLength", "pattern"),
        *("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "properties"),
        *("required", "additionalProperties", "minProperties", "maxProperties", "items", "minItems"),
        *("maxItems", "uniqueItems", "allOf", "oneOf", "not", "if", "then", "else"),
        ID_CONSISTENCY,
        CONTACT_MOBILES,
        GB2260,
        SECRET,
        ANSWER_TIMES,
        "contentMediaType",  # "video/mp4" on an attachment field: a 双录 recording (forms/ui_lint.py)
    }
)
# Keywords the renderer cannot draw, with what to write instead.
REFUSED_KEYWORDS = {
    "anyOf": "anyOf is not supported by the form renderer; use oneOf with {const, title} choices",
    "dependencies": "dependencies is not supported by the form renderer; use a top-level if/then",
    "$ref": "$ref is not supported by the form renderer; write the field out in full",
    "definitions": "definitions (for $ref) is not supported by the form renderer",
}
_CONDITION_KEYWORDS = ("if", "then", "else", "allOf")
_SCALAR_TYPES = ("string", "number", "integer", "boolean")
_DRAFT_07 = "http://json-schema.org/draft-07/schema"

__all__ = ["REFUSED_KEYWORDS", "SUPPORTED_KEYWORDS", "lint_schema", "lint_ui_schema", "pointer"]

Found = Iterator[tuple[tuple[Any, ...], str]]


def pointer(*parts: Any) -> str:
    """RFC 6901 JSON Pointer of `parts`."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def lint_schema(schema: Any, file: str) -> list[FormProblem]:
    """Problems with a parsed form schema; an empty list means it may be deployed."""
    if not isinstance(schema, Mapping):
        return [FormProblem(file, "", "a form schema must be a JSON object")]
    problems = [
        FormProblem(file, pointer(*e.absolute_path), f"not a valid draft-07 JSON Schema: {e.message}")
        for e in Draft7Validator(Draft7Validator.META_SCHEMA).iter_errors(schema)
    ]
    declared = schema.get("$schema")
    if isinstance(declared, str) and declared.rstrip("#") != _DRAFT_07:
        problems.append(FormProblem(file, "/$schema", f"forms are draft-07 JSON Schema, not {declared}"))
    if problems:
        return problems
    if schema.get("type") != "object":
        problems.append(FormProblem(file, "/type", 'a form schema must have "type": "object"'))
    found = [*_root_problems(schema), *_fields_problems(schema, (), depth=0)]
    problems += [FormProblem(file, pointer(*at), why) for at, why in found]
    return problems + condition_problems(schema, file)


def _root_problems(schema: Mapping[str, Any]) -> Found:
    yield from _keyword_problems(schema, (), skip=_CONDITION_KEYWORDS)
    if "not" in schema:
        yield ("not",), "a top-level not is not supported by the form renderer"
    if "oneOf" in schema:
        yield ("oneOf",), "oneOf is supported only on a field, as a list of {const, title} choices"
    if ID_CONSISTENCY in schema:
        yield from _id_consistency_problems(schema[ID_CONSISTENCY], schema.get("properties") or {})
    if CONTACT_MOBILES in schema:
        yield from _contact_mobiles_problems(schema[CONTACT_MOBILES], schema.get("properties") or {})
    if ANSWER_TIMES in schema:
        yield from _answer_times_problems(schema[ANSWER_TIMES], schema.get("properties") or {})


def _fields_problems(node: Mapping[str, Any], at: tuple[Any, ...], depth: int) -> Found:
    """The properties of the form (depth 0) or of a group (depth 1)."""
    properties = node.get("properties") or {}
    for i, name in enumerate(node.get("required") or ()):
        if name not in properties:
            yield (*at, "required", i), f"required field {name!r} is not a property of this object"
    for name, field in properties.items():
        yield from _field_problems(field, (*at, "properties", name), depth)


def _field_problems(field: Any, at: tuple[Any, ...], depth: int) -> Found:
    if not isinstance(field, Mapping):
        yield at, "a field must be a schema object with a type"
        return
    kind = field.get("type")
    if kind == "object" and depth == 0:
        yield from _group_problems(field, at)
        return
    if kind == "object" or (kind == "array" and depth > 0):
        yield at, "fields may be grouped one level deep only; a group holds single-value fields"
        return
    if kind == "array":
        yield from _array_problems(field, at)
        return
    if kind not in _SCALAR_TYPES:
        yield (*at, "type"), 'a field needs one "type": string, number, integer or boolean'
    yield from _value_problems(field, at)


def _group_problems(group: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    yield from _keyword_problems(group, at)
    for key in ("oneOf", "not", "format", SECRET, ID_CONSISTENCY, CONTACT_MOBILES, ANSWER_TIMES):
        if key in group:
            yield (*at, key), f"{key} is not supported on a group of fields"
    if GB2260 in group:
        yield from _gb2260_problems(group[GB2260], group.get("properties") or {}, (*at, GB2260))
    yield from _fields_problems(group, at, depth=1)


def _gb2260_problems(spec: Any, properties: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    from forms.regions import REGION_FIELDS

    if spec is not True and not isinstance(spec, Mapping):
        yield at, f"{GB2260} needs true or an object with prefill_from"
        return
    for key, value in spec.items() if isinstance(spec, Mapping) else ():
        if key not in GB2260_SETTINGS:
            yield (*at, key), f"unknown {GB2260} setting {key!r}"
        elif key == "prefill_to" and value not in REGION_FIELDS:
            yield (*at, key), f"prefill_to names the deepest level preselected: {', '.join(REGION_FIELDS)}"
        elif not isinstance(value, str) or not value:
            yield (*at, key), "prefill_from names the task data field holding the address text"
    for name in REGION_FIELDS:
        if not isinstance(properties.get(name), Mapping) or properties[name].get("type") != "string":
            yield at, f"{GB2260} needs string properties {', '.join(REGION_FIELDS)} in its group"


def _array_problems(field: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    yield from _keyword_problems(field, at)
    for key in ("oneOf", "not", "enum", "const", "format", SECRET):
        if key in field:
            yield (*at, key), f"{key} is not supported on a list field; put the choices in items.enum"
    items = field.get("items")
    values = items.get("enum") if isinstance(items, Mapping) else None
    if not (isinstance(items, Mapping) and isinstance(values, list) and values):
        yield (*at, "items"), "a list field is rendered as checkboxes only: items needs an enum"
        return
    if items.get("type") not in ("string", "number", "integer"):
        yield (*at, "items", "type"), "checkbox choices need items of type string, number or integer"
    yield from _keyword_problems(items, (*at, "items"))


def _value_problems(field: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    yield from _keyword_problems(field, at)
    if "oneOf" in field and not is_choice_list(field["oneOf"]):
        yield (*at, "oneOf"), "oneOf is supported only as a list of {const, title} choices"
    fmt = field.get("format")
    if fmt is not None and fmt not in KNOWN_FORMATS:
        yield (*at, "format"), f"unknown format {fmt!r}; known: {', '.join(sorted(KNOWN_FORMATS))}"
    if SECRET in field and field[SECRET] is not True:
        yield (*at, SECRET), f"{SECRET!r} must be true when present"
    for key in (ID_CONSISTENCY, CONTACT_MOBILES, ANSWER_TIMES):
        if key in field:
            yield (*at, key), f"{key} belongs at the top level of the form"
    if GB2260 in field:
        yield (*at, GB2260), f"{GB2260} belongs on an address group of fields"
    if isinstance(field.get("not"), Mapping):
        yield from _keyword_problems(field["not"], (*at, "not"))


def _keyword_problems(node: Mapping[str, Any], at: tuple[Any, ...], skip: tuple[str, ...] = ()) -> Found:
    """Unknown and refused keywords, and conditions anywhere but the top level."""
    for key in node:
        if key in REFUSED_KEYWORDS:
            yield (*at, key), REFUSED_KEYWORDS[key]
        elif key not in SUPPORTED_KEYWORDS:
            yield (*at, key), f"keyword {key!r} is not supported by the form renderer"
        elif key in _CONDITION_KEYWORDS and key not in skip:
            yield (*at, key), f"{key} is supported only at the top level of a form, for if/then conditions"


def _id_consistency_problems(spec: Any, properties: Mapping[str, Any]) -> Found:
    if not isinstance(spec, Mapping) or not isinstance(spec.get("id_field"), str):
        yield (ID_CONSISTENCY,), f"{ID_CONSISTENCY} needs an object with at least id_field"
        return
    for key, value in spec.items():
        if key not in ID_CONSISTENCY_FIELDS:
            yield (ID_CONSISTENCY, key), f"unknown {ID_CONSISTENCY} setting {key!r}"
        elif value not in properties:
            yield (ID_CONSISTENCY, key), f"{key} names {value!r}, which is not a property of this object"


def _contact_mobiles_problems(spec: Any, properties: Mapping[str, Any]) -> Found:
    """The applicant's field is a property; each contact is a group with a `mobile` field."""
    if not isinstance(spec, Mapping):
        yield (CONTACT_MOBILES,), f"{CONTACT_MOBILES} needs an object"
        return
    for key in spec:
        if key not in CONTACT_MOBILES_SETTINGS:
            yield (CONTACT_MOBILES, key), f"unknown {CONTACT_MOBILES} setting {key!r}"
    if spec.get("applicant_field") not in properties:
        yield (CONTACT_MOBILES, "applicant_field"), "applicant_field must name a property of the form"
    contacts = spec.get("contact_fields")
    for i, name in enumerate(contacts if isinstance(contacts, list) else [None]):
        group = properties.get(name) if isinstance(name, str) else None
        if not (isinstance(group, Mapping) and "mobile" in (group.get("properties") or {})):
            yield (CONTACT_MOBILES, "contact_fields", i), "each contact must be a group with a mobile field"


def _answer_times_problems(spec: Any, properties: Mapping[str, Any]) -> Found:
    """`field` names a group of integer times, each named after a question field of the form."""
    if not isinstance(spec, Mapping) or not isinstance(spec.get("field"), str):
        yield (ANSWER_TIMES,), f"{ANSWER_TIMES} needs an object with field"
        return
    for key in spec:
        if key not in ANSWER_TIMES_SETTINGS:
            yield (ANSWER_TIMES, key), f"unknown {ANSWER_TIMES} setting {key!r}"
    group = properties.get(spec["field"])
    times = group.get("properties") if isinstance(group, Mapping) else None
    if not (isinstance(group, Mapping) and group.get("type") == "object" and isinstance(times, Mapping)):
        yield (ANSWER_TIMES, "field"), "field must name a group of the form holding the answer times"
        return
    for name, time in times.items():
        if name not in properties or name == spec["field"]:
            yield (ANSWER_TIMES, "field"), f"answer time {name!r} names no question field of the form"
        elif not (isinstance(time, Mapping) and time.get("type") == "integer" and "minimum" in time):
            yield (ANSWER_TIMES, "field"), f"answer time {name!r} must be an integer with a minimum"
