"""Deploy-time checks of an RJSF UI schema against its form schema.

RJSF throws at render time on a `ui:order` that misses a field without `*` or repeats one, and falls
back to a plain text box on an unknown widget; both are caught here, before a tablet sees the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from forms.errors import FormProblem

SUPPORTED_UI_KEYS = frozenset(
    {
        *("ui:order", "ui:widget", "ui:help", "ui:options", "ui:title", "ui:placeholder"),
        *("ui:enumNames", "ui:description", "ui:readonly", "ui:disabled", "ui:autofocus"),
    }
)


def _is_string(node: Mapping[str, Any]) -> bool:
    return node.get("type") == "string"


def _is_choice(node: Mapping[str, Any]) -> bool:
    return "enum" in node or "oneOf" in node or node.get("type") == "boolean"


def _is_attachment(node: Mapping[str, Any]) -> bool:
    return _is_string(node) and node.get("format") == "attachment-id"


# Widget -> what the field must be for the widget to produce a value that can pass validation.
WIDGETS: dict[str, tuple[Callable[[Mapping[str, Any]], bool], str]] = {
    "text": (lambda n: n.get("type") in ("string", "number", "integer"), "a string or number"),
    "textarea": (_is_string, "a string"),
    "select": (_is_choice, "an enum, oneOf or boolean"),
    "radio": (_is_choice, "an enum, oneOf or boolean"),
    "checkboxes": (lambda n: n.get("type") == "array", "an array of choices"),
    "checkbox": (lambda n: n.get("type") == "boolean", "a boolean"),
    "date": (_is_string, "a string"),
    "hidden": (lambda n: True, "anything"),
    "updown": (lambda n: n.get("type") in ("number", "integer"), "a number"),
    "camera": (_is_attachment, 'a string with "format": "attachment-id"'),
    "signature": (_is_attachment, 'a string with "format": "attachment-id"'),
    "otp": (_is_string, "a string"),
}
SUPPORTED_WIDGETS = frozenset(WIDGETS)


def lint_ui_schema(ui: Any, schema: Mapping[str, Any], file: str) -> list[FormProblem]:
    """Problems with a parsed UI schema, given its (already linted) form schema."""
    if not isinstance(ui, Mapping):
        return [FormProblem(file, "", "a UI schema must be a JSON object")]
    return [FormProblem(file, _pointer(at), why) for at, why in _walk(ui, schema, ())]


def _pointer(parts: tuple[Any, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


Found = Iterator[tuple[tuple[Any, ...], str]]


def _walk(ui: Mapping[str, Any], node: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    found = node.get("properties")
    properties: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    for key, value in ui.items():
        here = (*at, key)
        if key.startswith("ui:"):
            if key not in SUPPORTED_UI_KEYS:
                yield here, f"UI option {key!r} is not supported"
        elif key in properties:
            if isinstance(value, Mapping) and isinstance(properties[key], Mapping):
                yield from _walk(value, properties[key], here)
            else:
                yield here, f"the UI schema of field {key!r} must be an object"
        elif key == "items" and isinstance(node.get("items"), Mapping) and isinstance(value, Mapping):
            yield from _walk(value, node["items"], here)
        else:
            yield here, f"UI schema entry {key!r} is not a field of the form"
    if "ui:order" in ui:
        yield from _order_problems(ui["ui:order"], list(properties), (*at, "ui:order"))
    options = ui.get("ui:options")
    if "ui:options" in ui and not isinstance(options, Mapping):
        yield (*at, "ui:options"), "ui:options must be an object"
    for widget, where in (
        (ui.get("ui:widget"), (*at, "ui:widget")),
        (options.get("widget") if isinstance(options, Mapping) else None, (*at, "ui:options", "widget")),
    ):
        if widget is not None:
            yield from _widget_problems(widget, node, where)
    names = ui.get("ui:enumNames")
    if names is not None and (not isinstance(names, list) or len(names) != len(node.get("enum") or ())):
        yield (*at, "ui:enumNames"), "ui:enumNames must list one name per enum value"


def _order_problems(order: Any, fields: list[str], at: tuple[Any, ...]) -> Found:
    if not isinstance(order, list) or not all(isinstance(n, str) for n in order):
        yield at, "ui:order must be a list of field names"
        return
    for i, name in enumerate(order):
        if name != "*" and name not in fields:
            yield (*at, i), f"ui:order names {name!r}, which is not a field of the form"
        if name in order[:i]:
            yield (*at, i), f"ui:order lists {name!r} twice"
    missing = [n for n in fields if n not in order]
    if missing and "*" not in order:
        yield at, f"ui:order leaves out {', '.join(missing)}; list them or add '*'"


def _widget_problems(widget: Any, node: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    if widget not in WIDGETS:
        yield at, f"widget {widget!r} is not supported; use one of {', '.join(sorted(WIDGETS))}"
        return
    fits, needs = WIDGETS[widget]
    if not fits(node):
        yield at, f"widget {widget!r} needs {needs}"
