"""Normalise submitted form data before validation (domain.md §3: upper-case X, bare mobiles, NFC names).

Normalisation is driven by each field's `format`, so an analyst gets it by choosing the format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from forms.format_checks import FORMAT_RULES


def normalise_form_data(schema: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict: values normalised per their field's format; properties the schema does not declare are
    dropped where it says `additionalProperties: false` (a tablet may send stale fields)."""
    value = _normalise(schema, dict(data), schema)
    return value if isinstance(value, dict) else dict(data)


def _normalise(schema: Any, value: Any, root: Mapping[str, Any]) -> Any:
    schema = _resolve_local_ref(schema, root)
    if not isinstance(schema, Mapping):
        return value
    if isinstance(value, str):
        rule = FORMAT_RULES.get(schema.get("format", ""))
        return rule.normalise(value) if rule and rule.normalise else value
    if isinstance(value, dict):
        return _normalise_object(schema, value, root)
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        return [_normalise(schema["items"], item, root) for item in value]
    return value


def _normalise_object(schema: Mapping[str, Any], value: dict[str, Any], root: Mapping[str, Any]) -> Any:
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    closed = schema.get("additionalProperties") is False
    result: dict[str, Any] = {}
    for name, item in value.items():
        if name in properties:
            result[name] = _normalise(properties[name], item, root)
        elif not closed or any(re.search(p, name) for p in patterns):
            result[name] = item
    return result


def _resolve_local_ref(schema: Any, root: Mapping[str, Any]) -> Any:
    """Follow `#/definitions/...` refs (the only kind the lint allows); anything else is left alone."""
    for _ in range(16):
        ref = schema.get("$ref") if isinstance(schema, Mapping) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            return schema
        target: Any = root
        for token in filter(None, ref[1:].split("/")):
            key = token.replace("~1", "/").replace("~0", "~")
            target = target.get(key) if isinstance(target, Mapping) else None
        schema = target
    return schema
