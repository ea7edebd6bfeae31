"""Validate submitted form data against its JSON Schema and report field errors in Chinese.

Compiling a validator (meta-schema check included) costs milliseconds; validating a form costs
microseconds. Validators are therefore cached per schema object and, on a miss, per schema content.
Schemas are treated as immutable once validated.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator

from forms.errors import FieldError, FormDefinitionInvalid, FormProblem
from forms.format_checks import FORMAT_CHECKER, FieldProblem
from forms.keywords import FormValidator, is_choice_list
from forms.normalise import normalise_form_data

_CACHE_SIZE = 256
_lock = threading.Lock()
_by_identity: OrderedDict[int, tuple[Mapping[str, Any], Validator]] = OrderedDict()
_by_content: OrderedDict[str, Validator] = OrderedDict()


def compiled_validator(schema: Mapping[str, Any]) -> Validator:
    """The cached validator of `schema`; raises FormDefinitionInvalid if it is not draft-07 JSON Schema."""
    with _lock:
        hit = _by_identity.get(id(schema))
        # The entry holds `schema` itself, so its id cannot be reused while cached.
        if hit is not None and hit[0] is schema:
            _by_identity.move_to_end(id(schema))
            return hit[1]
    digest = hashlib.sha256(json.dumps(schema, sort_keys=True, default=str).encode()).hexdigest()
    with _lock:
        validator = _by_content.get(digest)
    if validator is None:
        problems = [
            FormProblem("<schema>", _pointer(e.absolute_path), e.message)
            for e in Draft7Validator(Draft7Validator.META_SCHEMA).iter_errors(schema)
        ]
        if problems:
            raise FormDefinitionInvalid(problems)
        validator = FormValidator(schema, format_checker=FORMAT_CHECKER)
    with _lock:
        _remember(_by_content, digest, validator)
        _remember(_by_identity, id(schema), (schema, validator))
    return validator


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


def validate_form_data(schema: Mapping[str, Any], data: Mapping[str, Any]) -> list[FieldError]:
    """Every problem with `data`, at most one per (field, code), in the schema's property order."""
    seen: dict[tuple[str, str], FieldError] = {}
    for error in compiled_validator(schema).iter_errors(data):
        for field_error in _field_errors(schema, error):
            seen.setdefault((field_error.field, field_error.code), field_error)
    rank = {name: i for i, name in enumerate(schema.get("properties", {}))}
    return sorted(seen.values(), key=lambda e: (rank.get(e.field.split(".")[0], len(rank)), e.field))


def clean_form_data(
    schema: Mapping[str, Any], data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
    """Normalise, then validate: what a user-task completion stores, and why it was refused."""
    cleaned = normalise_form_data(schema, data)
    return cleaned, validate_form_data(schema, cleaned)


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _dotted(path: Any) -> str:
    return ".".join(str(p) for p in path)


def _property_schema(root: Mapping[str, Any], path: list[Any]) -> Mapping[str, Any]:
    node: Any = root
    for segment in path:
        if not isinstance(node, Mapping):
            return {}
        node = node.get("items") if isinstance(segment, int) else node.get("properties", {}).get(segment)
    return node if isinstance(node, Mapping) else {}


def _field_errors(root: Mapping[str, Any], error: ValidationError) -> list[FieldError]:
    path = list(error.absolute_path)
    if isinstance(error.cause, FieldProblem):
        return [FieldError(_dotted(path), error.cause.code, error.cause.message)]
    keyword = str(error.validator)
    if keyword in ("oneOf", "anyOf") and error.context and not is_choice_list(error.validator_value):
        # The branch whose type fits the value is the one the user meant.
        fitting = [e for e in error.context if e.validator != "type"] or error.context
        return _field_errors(root, best_match(fitting))
    if keyword == "additionalProperties" and isinstance(error.instance, Mapping):
        return [
            FieldError(_dotted([*path, name]), "unknown_field", "表单中没有此字段")
            for name in _additional_properties(error.schema, error.instance)
        ]
    prop = _property_schema(root, path)
    code, message = _describe(keyword, error, prop)
    return [FieldError(_dotted(path), code, message)]


def _additional_properties(schema: Any, instance: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    patterns = schema.get("patternProperties", {}) if isinstance(schema, Mapping) else {}
    return [n for n in instance if n not in properties and not any(re.search(p, n) for p in patterns)]


_TYPE_WORDS = {
    "string": "应为文本",
    "boolean": "应为是或否",
    "number": "应为数字",
    "integer": "应为整数",
    "object": "应为一组字段",
    "array": "应为列表",
    "null": "应为空",
}


def _describe(keyword: str, error: ValidationError, prop: Mapping[str, Any]) -> tuple[str, str]:
    label = f"“{prop['title']}”" if isinstance(prop.get("title"), str) else "此项"
    limit = _number(error.validator_value)
    if keyword == "required":
        if prop.get("const") is True:
            return "must_confirm", f"请确认{label}"
        return "required", f"请填写{label}"
    if keyword == "const" and error.validator_value is True:
        return "must_confirm", f"请确认{label}"
    if keyword == "type":
        expected = error.validator_value
        word = _TYPE_WORDS.get(expected if isinstance(expected, str) else "", "类型不正确")
        return "type", f"{label}{word}"
    table: dict[str, tuple[str, str]] = {
        "const": ("not_allowed", f"{label}的取值不在可选范围内"),
        "enum": ("not_allowed", f"{label}的取值不在可选范围内"),
        "oneOf": ("not_allowed", f"{label}的取值不在可选范围内"),
        "anyOf": ("not_allowed", f"{label}的取值不在可选范围内"),
        "not": ("not_allowed", f"{label}的取值不被允许"),
        "minLength": ("too_short", f"{label}至少{limit}个字"),
        "maxLength": ("too_long", f"{label}最多{limit}个字"),
        "minItems": ("too_few", f"{label}至少选择{limit}项"),
        "maxItems": ("too_many", f"{label}最多选择{limit}项"),
        "minProperties": ("too_few", f"{label}至少填写{limit}项"),
        "maxProperties": ("too_many", f"{label}最多填写{limit}项"),
        "uniqueItems": ("duplicate", f"{label}不能有重复项"),
        "pattern": ("pattern", f"{label}格式不正确"),
        "format": ("format", f"{label}格式不正确"),
        "minimum": ("too_small", f"{label}不能小于{limit}"),
        "exclusiveMinimum": ("too_small", f"{label}必须大于{limit}"),
        "maximum": ("too_large", f"{label}不能大于{limit}"),
        "exclusiveMaximum": ("too_large", f"{label}必须小于{limit}"),
        "multipleOf": ("multiple_of", f"{label}必须是{limit}的整数倍"),
    }
    return table.get(keyword, ("invalid", f"{label}填写不正确"))


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else ""
