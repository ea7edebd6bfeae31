"""Deploy-time checks of a form (schema + UI schema) that JSON Schema itself does not make.

The tablet renders forms with RJSF, so we accept only the draft-07 keywords and the widgets it renders,
and only the formats we can check; anything else would be silently ignored at run time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft7Validator

from forms.errors import FormProblem
from forms.format_checks import KNOWN_FORMATS
from forms.keywords import ID_CONSISTENCY, ID_CONSISTENCY_FIELDS, SECRET
from forms.ui_lint import lint_ui_schema

SUPPORTED_KEYWORDS = frozenset(
    {
        *("$schema", "$id", "$comment", "$ref", "definitions", "title", "description", "default"),
        *("examples", "readOnly", "writeOnly", "type", "enum", "const", "format"),
        *("minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum"),
        *("exclusiveMaximum", "multipleOf", "properties", "required", "additionalProperties"),
        *("dependencies", "minProperties", "maxProperties", "items", "additionalItems", "minItems"),
        *("maxItems", "uniqueItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else"),
        ID_CONSISTENCY,
        SECRET,
    }
)
_SCHEMA_MAPS = ("properties", "definitions", "patternProperties")
_SCHEMA_VALUES = ("additionalProperties", "additionalItems", "not", "if", "then", "else", "propertyNames")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_DRAFT_07 = "http://json-schema.org/draft-07/schema"

__all__ = ["SUPPORTED_KEYWORDS", "lint_schema", "lint_ui_schema", "pointer"]


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
    for at, node in _subschemas(schema, ()):
        problems.extend(FormProblem(file, pointer(*at, *rel), why) for rel, why in _node_problems(node))
    return problems


def _subschemas(node: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    if not isinstance(node, Mapping):
        return
    yield at, node
    for key in _SCHEMA_MAPS:
        for name, child in (node.get(key) or {}).items():
            yield from _subschemas(child, (*at, key, name))
    for key in _SCHEMA_VALUES:
        yield from _subschemas(node.get(key), (*at, key))
    for key in _SCHEMA_LISTS:
        for i, child in enumerate(node.get(key) or ()):
            yield from _subschemas(child, (*at, key, i))
    items = node.get("items")
    for i, child in enumerate(items if isinstance(items, list) else [items]):
        yield from _subschemas(child, (*at, "items", i) if isinstance(items, list) else (*at, "items"))
    for name, child in (node.get("dependencies") or {}).items():
        yield from _subschemas(child, (*at, "dependencies", name))


Found = Iterator[tuple[tuple[Any, ...], str]]


def _node_problems(node: Mapping[str, Any]) -> Found:
    for key in node:
        if key not in SUPPORTED_KEYWORDS:
            yield (key,), f"keyword {key!r} is not supported by the form renderer"
    fmt = node.get("format")
    if fmt is not None and fmt not in KNOWN_FORMATS:
        yield ("format",), f"unknown format {fmt!r}; known: {', '.join(sorted(KNOWN_FORMATS))}"
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        yield ("$ref",), f"only local references (#/definitions/...) are allowed, not {ref!r}"
    properties = node.get("properties")
    if isinstance(properties, Mapping):
        for i, name in enumerate(node.get("required") or ()):
            if name not in properties:
                yield ("required", i), f"required field {name!r} is not a property of this object"
    if isinstance(properties, Mapping) and node.get("additionalProperties") is False:
        yield from _closed_object_problems(node, properties)
    if SECRET in node and node[SECRET] is not True:
        yield (SECRET,), f"{SECRET!r} must be true when present"
    if ID_CONSISTENCY in node:
        yield from _id_consistency_problems(node[ID_CONSISTENCY], properties or {})


def _closed_object_problems(node: Mapping[str, Any], properties: Mapping[str, Any]) -> Found:
    """In a closed object, an if/then naming an undeclared field is a typo that makes the form either
    impossible to submit or the condition dead."""
    for at, sub in _same_instance_subschemas(node, ()):
        for i, name in enumerate(sub.get("required") or ()):
            if name not in properties:
                yield (*at, "required", i), f"required field {name!r} is not a property of the form"
        for name in sub.get("properties") or {}:
            if name not in properties:
                yield (*at, "properties", name), f"field {name!r} is not a property of the form"


def _same_instance_subschemas(
    node: Mapping[str, Any], at: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], Any]]:
    for key in ("if", "then", "else", "not"):
        sub = node.get(key)
        if isinstance(sub, Mapping):
            yield (*at, key), sub
            yield from _same_instance_subschemas(sub, (*at, key))
    for key in _SCHEMA_LISTS:
        for i, sub in enumerate(node.get(key) or ()):
            if isinstance(sub, Mapping):
                yield (*at, key, i), sub
                yield from _same_instance_subschemas(sub, (*at, key, i))


def _id_consistency_problems(spec: Any, properties: Mapping[str, Any]) -> Found:
    if not isinstance(spec, Mapping) or not isinstance(spec.get("id_field"), str):
        yield (ID_CONSISTENCY,), f"{ID_CONSISTENCY} needs an object with at least id_field"
        return
    for key, value in spec.items():
        if key not in ID_CONSISTENCY_FIELDS:
            yield (ID_CONSISTENCY, key), f"unknown {ID_CONSISTENCY} setting {key!r}"
        elif value not in properties:
            yield (ID_CONSISTENCY, key), f"{key} names {value!r}, which is not a property of this object"
