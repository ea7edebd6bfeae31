"""The browser's form post back into the JSON the task's schema describes: types restored, empty values
and unknown keys dropped, and fields hidden by a condition left out (what RJSF's omitExtraData did)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from api.web.form_view import ui_of, widget_of
from forms.conditions import ShowWhen, show_when_rules

# "1e999999999" would become a billion-digit int; no form amount comes near this
_MAX_EXPONENT = 30


class _MultiDict(Protocol):
    def getlist(self, key: str) -> list[Any]: ...


def parse_submission(
    schema: Mapping[str, Any],
    form: Mapping[str, list[str]] | Mapping[str, str] | _MultiDict,
    *,
    ui_schema: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The submitted fields as JSON types. Empty values and keys that are not fields are left out, as
    are fields whose condition hides them (so a value typed before the condition changed is not kept).
    Pass `ui_schema` so booleans drawn as radios are told apart from checkboxes."""
    ui = ui_schema or {}
    required = set(schema.get("required") or ())
    result: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping):
            continue
        value = _parse_field(name, prop, ui_of(ui, name), form, name in required)
        if value is not None:
            result[name] = value
    return _without_hidden(result, show_when_rules(schema))


def _parse_field(name: str, prop: Mapping[str, Any], ui: Mapping[str, Any], form: Any, required: bool) -> Any:
    kind = prop.get("type")
    if kind == "object":
        group = {}
        for child, sub in (prop.get("properties") or {}).items():
            if isinstance(sub, Mapping):
                value = _parse_field(f"{name}.{child}", sub, ui_of(ui, child), form, False)
                if value is not None:
                    group[child] = value
        return group or None
    raw = [v.strip() for v in _getlist(form, name) if isinstance(v, str)]
    raw = [v for v in raw if v]
    if kind == "array":
        items = prop.get("items")
        item_kind = items.get("type") if isinstance(items, Mapping) else None
        return [_coerce(item_kind, v) for v in raw] or None
    if not raw:
        checkbox = kind == "boolean" and widget_of(prop, ui) == "checkbox"
        # an unticked box sends nothing; False lets the server say "must be ticked"
        return False if checkbox and required else None
    return _coerce(kind, raw[0])


def _getlist(form: Any, name: str) -> list[Any]:
    if hasattr(form, "getlist"):
        return list(form.getlist(name))
    found = form.get(name) if isinstance(form, Mapping) else None
    if found is None:
        return []
    return list(found) if isinstance(found, list | tuple) else [found]


def _coerce(kind: Any, raw: str) -> Any:
    """JSON type of a submitted string; what does not parse stays a string for the validator."""
    if kind == "boolean":
        return {"true": True, "on": True, "false": False}.get(raw, raw)
    if kind not in ("number", "integer"):
        return raw
    try:
        number = Decimal(unicodedata.normalize("NFKC", raw))
    except InvalidOperation:
        return raw
    # "1e999999999" would become a billion-digit int; no form amount comes near this
    if not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT:
        return raw
    if number == number.to_integral_value():
        return int(number)
    return raw if kind == "integer" else float(number)


def _without_hidden(data: dict[str, Any], rules: Mapping[str, ShowWhen]) -> dict[str, Any]:
    """Drop hidden fields until nothing changes: a dropped field may itself control another."""
    while True:
        hidden = [name for name, rule in rules.items() if name in data and not rule.shows(data)]
        if not hidden:
            return data
        data = {k: v for k, v in data.items() if k not in hidden}
