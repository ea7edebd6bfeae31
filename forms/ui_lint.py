"""Deploy-time checks of a UI schema (SpiffArena/RJSF convention) against its form schema.

Our server-side renderer (`api/web/form_view.py`) draws only the widgets and `ui:options` listed here,
and only on fields whose values they can produce. A `ui:order` that misses a field without `*` or repeats
one, an unknown widget or option, or a widget that cannot fill its field is caught here, before a tablet
sees the form (the renderer would otherwise fall back to a plain text box or ignore the option).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from forms.errors import FormProblem

RECORDING_MEDIA_TYPE = "video/mp4"  # the `contentMediaType` of a 双录 field; what the upload must be

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


def _is_image(node: Mapping[str, Any]) -> bool:
    return _is_attachment(node) and "contentMediaType" not in node


def _is_recording(node: Mapping[str, Any]) -> bool:
    """A 双录 recording: an attachment whose upload must be an MP4 with sound (engine/recordings.py)."""
    return _is_attachment(node) and node.get("contentMediaType") == RECORDING_MEDIA_TYPE


def _is_scalar(node: Mapping[str, Any]) -> bool:
    return node.get("type") in ("string", "number", "integer", "boolean")


def _is_choice_list(node: Mapping[str, Any]) -> bool:
    items = node.get("items")
    return node.get("type") == "array" and isinstance(items, Mapping) and "enum" in items


def _is_division_group(node: Mapping[str, Any]) -> bool:
    """An address group the server holds to GB/T 2260 (`x-gb2260`, forms/regions.py)."""
    props = node.get("properties")
    return (
        node.get("type") == "object"
        and "x-gb2260" in node
        and isinstance(props, Mapping)
        and all(isinstance(props.get(n), Mapping) for n in ("province_code", "city_code", "district_code"))
    )


# Widget -> what the field must be for the widget to produce a value that can pass validation.
WIDGETS: dict[str, tuple[Callable[[Mapping[str, Any]], bool], str]] = {
    "text": (lambda n: n.get("type") in ("string", "number", "integer"), "a string or number"),
    "textarea": (_is_string, "a string"),
    "select": (_is_choice, "an enum, oneOf or boolean"),
    "radio": (_is_choice, "an enum, oneOf or boolean"),
    "checkboxes": (_is_choice_list, "an array whose items have an enum"),
    "checkbox": (lambda n: n.get("type") == "boolean", "a boolean"),
    "date": (_is_string, "a string"),
    "hidden": (_is_scalar, "a single value (string, number, integer or boolean)"),
    "updown": (lambda n: n.get("type") in ("number", "integer"), "a number"),
    "camera": (_is_image, 'a string with "format": "attachment-id" (an image: no contentMediaType)'),
    "signature": (_is_image, 'a string with "format": "attachment-id" (an image: no contentMediaType)'),
    "recording": (
        _is_recording,
        'a string with "format": "attachment-id" and "contentMediaType": "video/mp4"',
    ),
    "otp": (_is_string, "a string"),
    # province → city → county picked by name in three linked selects; the group's other fields as usual
    "region": (
        _is_division_group,
        'a group with "x-gb2260" and province_code, city_code, district_code',
    ),
}
SUPPORTED_WIDGETS = frozenset(WIDGETS)
# ui:options of a field the renderer reads -> the values it accepts (None: a positive whole number,
# bool: true or false).
UI_OPTIONS: dict[str, frozenset[str] | type[bool] | None] = {
    "widget": frozenset(WIDGETS),
    "inputType": frozenset({"text", "tel"}),
    "facing": frozenset({"environment", "user"}),
    "length": None,
    "rows": None,
    "watermark": bool,
    "resend_after": None,
}
# Options that only one widget draws: the camera alone can ask the server for a time + GPS watermark.
WIDGET_ONLY_OPTIONS = {"watermark": "camera", "resend_after": "otp"}
# ui:options of the whole form: `handover` marks a screen the customer fills in on the tablet, and
# `documents` names what it shows them to read before they tick or sign (documents/handover.py);
# `one_at_a_time` shows one question per step, recording the time spent on each (api/web/form_view.py).
FORM_UI_OPTION_NAMES = ("handover", "documents", "one_at_a_time")
FORM_UI_OPTIONS = frozenset(FORM_UI_OPTION_NAMES)
DOCUMENT_NAME = re.compile(r"^[a-z][a-z0-9_]{2,59}$")


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
    if not at and _is_handover(ui) and not isinstance(ui.get("ui:description"), str):
        # the form schema's description is written for analysts and officers: the customer's screen
        # says in its own words what they are asked to do
        yield ("ui:description",), "a hand-over screen needs a ui:description addressed to the customer"
    if "ui:order" in ui:
        yield from _order_problems(ui["ui:order"], list(properties), (*at, "ui:order"))
    options = ui.get("ui:options")
    if "ui:options" in ui and not isinstance(options, Mapping):
        yield (*at, "ui:options"), "ui:options must be an object"
    elif isinstance(options, Mapping) and not at:
        yield from _form_options_problems(options, ("ui:options",))
    elif isinstance(options, Mapping):
        yield from _options_problems(options, (*at, "ui:options"))
        yield from _widget_option_problems(options, _widget_of(ui, node), (*at, "ui:options"))
    for widget, where in (
        (ui.get("ui:widget"), (*at, "ui:widget")),
        (options.get("widget") if isinstance(options, Mapping) else None, (*at, "ui:options", "widget")),
    ):
        if widget is not None:
            yield from _widget_problems(widget, node, where)
    names = ui.get("ui:enumNames")
    items = node.get("items")
    values = (items if node.get("type") == "array" and isinstance(items, Mapping) else node).get("enum")
    if names is not None and (not isinstance(names, list) or len(names) != len(values or ())):
        yield (*at, "ui:enumNames"), "ui:enumNames must list one name per enum value"


def _is_handover(ui: Mapping[str, Any]) -> bool:
    options = ui.get("ui:options")
    return isinstance(options, Mapping) and options.get("handover") is True


def _form_options_problems(options: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    for key, value in options.items():
        if key not in FORM_UI_OPTIONS:
            known = ", ".join(FORM_UI_OPTION_NAMES)
            yield (*at, key), f"ui:options {key!r} is not supported on a whole form; use {known}"
        elif key == "documents":
            if options.get("handover") is not True:
                yield (*at, key), "documents are shown on a hand-over screen only (handover: true)"
            if not isinstance(value, list) or not all(
                isinstance(n, str) and DOCUMENT_NAME.match(n) for n in value
            ):
                yield (*at, key), "documents must be a list of document names (a-z, 0-9, _)"
        elif not isinstance(value, bool):
            yield (*at, key), f"ui:options {key!r} must be true or false"


def _options_problems(options: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    for key, value in options.items():
        if key not in UI_OPTIONS:
            yield (
                (*at, key),
                f"ui:options {key!r} is not supported; use one of {', '.join(sorted(UI_OPTIONS))}",
            )
            continue
        allowed = UI_OPTIONS[key]
        if allowed is bool:
            if not isinstance(value, bool):
                yield (*at, key), f"ui:options {key!r} must be true or false"
        elif allowed is None and not (isinstance(value, int) and not isinstance(value, bool) and value > 0):
            yield (*at, key), f"ui:options {key!r} must be a positive whole number"
        elif isinstance(allowed, frozenset) and key != "widget" and value not in allowed:
            yield (*at, key), f"ui:options {key!r} must be one of {', '.join(sorted(allowed))}"


def _widget_of(ui: Mapping[str, Any], node: Mapping[str, Any]) -> Any:
    """The widget the renderer will draw: the one named, else a recorder or a camera for an attachment."""
    options = ui.get("ui:options")
    named = ui.get("ui:widget") or (options.get("widget") if isinstance(options, Mapping) else None)
    return named or (("recording" if _is_recording(node) else "camera") if _is_attachment(node) else None)


def _widget_option_problems(options: Mapping[str, Any], widget: Any, at: tuple[Any, ...]) -> Found:
    for key, only in WIDGET_ONLY_OPTIONS.items():
        if key in options and widget != only:
            drawn = f"a {widget!r} field" if widget else "this field"
            yield (*at, key), f"ui:options {key!r} applies to {only} fields only, not to {drawn}"


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
