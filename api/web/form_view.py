"""A task's JSON Schema + UI schema as a view the `form.html` macros draw, and the browser's POST back
as typed JSON for the engine to validate.

The subset drawn here is the one `forms/lint.py` lets through at deploy time, so every authored form
can be shown; a widget the renderer does not know fails loudly rather than falling back to a text box.
The server stays the validator: this module never refuses a value, it only shapes it (an invalid number
is passed on as typed so the schema reports it under the field).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from forms.conditions import ShowWhen, show_when_rules
from forms.keywords import ANSWER_TIMES, SECRET, is_choice_list
from forms.read_only import is_read_only
from forms.regions import REGION_FIELDS, divisions
from forms.ui_lint import RECORDING_MEDIA_TYPE, SUPPORTED_WIDGETS

__all__ = ["FieldView", "FormView", "build_form", "form_value", "ui_of", "widget_of"]

AttachmentUrl = Callable[[str], str]
_YES_NO = (("true", "是"), ("false", "否"))
_RADIO_MAX = 4  # more choices than this read better as a select on a tablet


class FieldErrorLike(Protocol):
    """engine.errors.FieldError and forms.errors.FieldError both fit."""

    @property
    def field(self) -> str: ...

    @property
    def message(self) -> str: ...


@dataclass(frozen=True)
class FieldView:
    """One field as drawn; `name` is what the browser submits (`group.child` inside a group) and the
    suffix of the element ids `field-`, `in-`, `help-`, `err-`."""

    name: str
    label: str
    widget: str
    input_type: str = "text"
    inputmode: str | None = None
    required: bool = False
    readonly: bool = False
    help: str | None = None
    placeholder: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    value: str = ""
    selected: tuple[str, ...] = ()
    error: str | None = None
    show_when: ShowWhen | None = None
    visible: bool = True
    options_extra: Mapping[str, Any] = field(default_factory=dict)
    maxlength: int | None = None
    autofocus: bool = False
    autocomplete: str = "off"
    number: Mapping[str, str] = field(default_factory=dict)
    capture: str | None = None
    preview_url: str | None = None
    children: tuple[FieldView, ...] = ()
    region_level: str | None = None
    """In a `region` group: `province_code` / `city_code` / `district_code`, a select whose choices
    follow the one before it (static/app.js asks /regions/{code} for them)."""

    @property
    def show_when_json(self) -> str | None:
        """The `data-show-when` attribute: values as the strings the inputs submit."""
        if self.show_when is None:
            return None
        rule = self.show_when
        payload = {"field": rule.field, "values": [form_value(v) for v in rule.values], "negate": rule.negate}
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))

    @property
    def describedby(self) -> str:
        return f"help-{self.name} err-{self.name}" if self.help else f"err-{self.name}"

    @property
    def focus_id(self) -> str:
        """Where the error summary links to: the first input, or the wrapper when there is none."""
        if self.children:
            return self.children[0].focus_id
        return f"field-{self.name}" if self.widget in ("signature", "hidden") else f"in-{self.name}"

    @property
    def chosen_label(self) -> str:
        """The name of the chosen option ("女" for "2"); the code itself if it names none."""
        return next((label for value, label in self.options if value == self.value), self.value)

    @property
    def labels_json(self) -> str:
        return json.dumps(dict(self.options), ensure_ascii=False, separators=(",", ":"))

    @property
    def half_width(self) -> bool:
        """On a tablet two of these sit side by side: one-line inputs, short choices, photos. Long
        texts, consents, signatures and groups take the whole width."""
        if self.widget == "radio":
            return len(self.options) <= 3 and all(len(label) <= 8 for _, label in self.options)
        return self.widget in ("text", "date", "select", "updown", "otp", "camera") and not self.region_level

    @property
    def watermark(self) -> bool:
        """A camera asking the server for the time + GPS watermark (§7.1): the page sends the tablet's
        position with the photo and previews the stamped image the server returns."""
        return self.widget == "camera" and self.options_extra.get("watermark") is True

    @property
    def rows(self) -> int:
        rows = self.options_extra.get("rows")
        return rows if isinstance(rows, int) else 3


@dataclass(frozen=True)
class FormView:
    title: str | None
    description: str | None
    fields: tuple[FieldView, ...]
    form_errors: tuple[str, ...] = ()
    one_at_a_time: bool = False
    """`"ui:options": {"one_at_a_time": true}`: static/app.js shows one step (each drawn field of the
    form) at a time with back / next and "第 n 题 / 共 m 题"; without script every field shows."""
    timings: str | None = None
    """The group the page records each step's time into (the schema's `x-answer-times` field): drawn
    as hidden inputs `timings.<field>` and the group's error, never as a visible fieldset."""

    @property
    def steps(self) -> tuple[FieldView, ...]:
        """The fields shown one at a time: every drawn field but hidden ones and the timings."""
        if not self.one_at_a_time:
            return ()
        return tuple(f for f in self.fields if f.widget != "hidden" and f.name != self.timings)

    @property
    def all_fields(self) -> tuple[FieldView, ...]:
        """Every field and group member, in drawing order (each has an `err-` container)."""
        return tuple(_flatten(self.fields))

    @property
    def fields_in_error(self) -> tuple[FieldView, ...]:
        return tuple(f for f in self.all_fields if f.error)

    @property
    def error_count(self) -> int:
        return len(self.fields_in_error) + len(self.form_errors)

    @property
    def error_summary(self) -> str:
        return f"请修正以下 {self.error_count} 处错误" if self.error_count else ""

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0


def _flatten(fields: Iterable[FieldView]) -> Iterator[FieldView]:
    for each in fields:
        yield each
        yield from _flatten(each.children)


def form_value(value: Any) -> str:
    """A JSON value as an input submits it: `true`/`false`, numbers without a needless `.0`."""
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------------------------- building


@dataclass(frozen=True)
class _Context:
    errors: Mapping[str, str]
    attachment_url: AttachmentUrl | None


def build_form(
    schema: Mapping[str, Any],
    ui_schema: Mapping[str, Any] | None,
    data: Mapping[str, Any] | None,
    errors: Iterable[FieldErrorLike | Mapping[str, Any]] | None = None,
    *,
    attachment_url: AttachmentUrl | None = None,
) -> FormView:
    """The form to draw with `data` filled in and `errors` under their fields (errors naming no field
    of the form go to `form_errors`); secret fields (an OTP) never carry their value."""
    ui = ui_schema or {}
    values = data or {}
    by_field, loose = _errors_by_field(schema, errors or ())
    ctx = _Context(by_field, attachment_url)
    rules = show_when_rules(schema)
    required = set(schema.get("required") or ())
    fields = tuple(
        _field(name, prop, ui_of(ui, name), values.get(name), ctx, name in required, rules.get(name), values)
        for name, prop in ordered_properties(schema, ui)
    )
    options = ui.get("ui:options")
    timings = schema.get(ANSWER_TIMES)
    return FormView(
        title=_text(ui.get("ui:title")) or _text(schema.get("title")),
        description=_text(ui.get("ui:description")) or _text(schema.get("description")),
        fields=fields,
        form_errors=tuple(loose),
        one_at_a_time=isinstance(options, Mapping) and options.get("one_at_a_time") is True,
        timings=_text(timings.get("field")) if isinstance(timings, Mapping) else None,
    )


def ordered_properties(schema: Mapping[str, Any], ui: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Properties in `ui:order`, `*` standing for the rest in schema order (missing ones go last)."""
    properties: Mapping[str, Any] = schema.get("properties") or {}
    order = ui.get("ui:order")
    order = [n for n in order if isinstance(n, str)] if isinstance(order, list) else ["*"]
    if "*" not in order:
        order.append("*")
    rest = [n for n in properties if n not in order]
    names = [n for item in order for n in (rest if item == "*" else [item]) if n in properties]
    return [(n, properties[n]) for n in names]


def widget_of(prop: Mapping[str, Any], ui: Mapping[str, Any]) -> str:
    """The widget the UI schema names, else the one that fits the field."""
    options = ui.get("ui:options")
    explicit = ui.get("ui:widget") or (options.get("widget") if isinstance(options, Mapping) else None)
    if explicit is not None:
        if not isinstance(explicit, str) or explicit not in SUPPORTED_WIDGETS:
            raise ValueError(f"widget {explicit!r} is not supported by the form renderer")
        return str(explicit)
    kind = prop.get("type")
    if kind == "object":
        return "group"
    if kind == "array":
        return "checkboxes"
    if prop.get("format") == "attachment-id":
        return "recording" if prop.get("contentMediaType") == RECORDING_MEDIA_TYPE else "camera"
    if "enum" in prop or "oneOf" in prop:
        return "radio" if len(_choices(prop, ui)) <= _RADIO_MAX else "select"
    if kind == "boolean":
        return "checkbox"
    return "date" if prop.get("format") == "date" else "text"


def _field(
    name: str,
    prop: Mapping[str, Any],
    ui: Mapping[str, Any],
    value: Any,
    ctx: _Context,
    required: bool,
    rule: ShowWhen | None,
    data: Mapping[str, Any],
) -> FieldView:
    widget = widget_of(prop, ui)
    secret = prop.get(SECRET) is True
    if value is None and widget not in ("group", "region"):
        value = prop.get("default")  # JSON Schema's default: preselected, still the officer's to change
    shown = "" if secret else form_value(value)
    options = ui.get("ui:options")
    extra: Mapping[str, Any] = options if isinstance(options, Mapping) else {}
    children: tuple[FieldView, ...] = ()
    if widget in ("group", "region"):
        children = _children(name, prop, ui, value, ctx, required)
    if widget == "region":
        children = _division_selects(children, value if isinstance(value, Mapping) else {})
    return FieldView(
        name=name,
        label=_text(ui.get("ui:title")) or _text(prop.get("title")) or name.rpartition(".")[2],
        widget=widget,
        input_type=_input_type(prop, extra, widget, secret),
        inputmode=_inputmode(prop, widget),
        required=required,
        readonly=is_read_only(prop, ui),
        help=_text(ui.get("ui:help")) or _text(ui.get("ui:description")) or _text(prop.get("description")),
        placeholder=_text(ui.get("ui:placeholder")) or ("YYYY-MM-DD" if widget == "date" else None),
        options=_choices(prop, ui)
        or (_YES_NO if prop.get("type") == "boolean" and widget in ("radio", "select") else ()),
        value=shown,
        selected=_selected(value) if widget == "checkboxes" else ((shown,) if shown else ()),
        error=ctx.errors.get(name),
        show_when=rule,
        visible=rule.shows(data) if rule else True,
        options_extra=dict(extra),
        maxlength=_maxlength(prop, extra, widget),
        autofocus=ui.get("ui:autofocus") is True,
        autocomplete="one-time-code" if widget == "otp" else "off",
        number=_number_attrs(prop),
        capture=str(extra.get("facing", "environment")) if widget == "camera" else None,
        preview_url=ctx.attachment_url(shown) if shown and ctx.attachment_url and widget in _MEDIA else None,
        children=children,
    )


_MEDIA = ("camera", "signature", "recording")


def _children(
    name: str, prop: Mapping[str, Any], ui: Mapping[str, Any], value: Any, ctx: _Context, required: bool
) -> tuple[FieldView, ...]:
    values = value if isinstance(value, Mapping) else {}
    inner = set(prop.get("required") or ()) if required else set()
    return tuple(
        _field(f"{name}.{child}", sub, ui_of(ui, child), values.get(child), ctx, child in inner, None, values)
        for child, sub in ordered_properties(prop, ui)
    )


def _division_selects(children: tuple[FieldView, ...], value: Mapping[str, Any]) -> tuple[FieldView, ...]:
    """The three code fields as linked selects by name; the choices of each follow the one before it,
    and a chosen code that is not among them still shows (the server says what is wrong with it)."""
    table, out = divisions(), []
    parent: str | None = ""
    for child in children:
        level = child.name.rpartition(".")[2]
        if level not in REGION_FIELDS:
            out.append(child)
            continue
        options = table.options(parent) if parent is not None else []
        if child.value and all(code != child.value for code, _ in options):
            options.append((child.value, table.names.get(child.value, child.value)))
        out.append(replace(child, widget="select", options=tuple(options), region_level=level))
        parent = child.value or None
    return tuple(out)


def ui_of(ui: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    found = ui.get(name)
    return found if isinstance(found, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _choices(prop: Mapping[str, Any], ui: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """(submitted value, label) from a titled oneOf, or from an enum named by ui:enumNames."""
    if is_choice_list(prop.get("oneOf")):
        return tuple(
            (form_value(b["const"]), str(b.get("title") or form_value(b["const"]))) for b in prop["oneOf"]
        )
    items = prop.get("items")
    source = items if prop.get("type") == "array" and isinstance(items, Mapping) else prop
    values = source.get("enum")
    if not isinstance(values, list):
        return ()
    names = ui.get("ui:enumNames")
    names = (
        names if isinstance(names, list) and len(names) == len(values) else [form_value(v) for v in values]
    )
    return tuple((form_value(v), str(n)) for v, n in zip(values, names, strict=True))


def _selected(value: Any) -> tuple[str, ...]:
    return tuple(form_value(v) for v in value) if isinstance(value, list) else ()


def _input_type(prop: Mapping[str, Any], options: Mapping[str, Any], widget: str, secret: bool) -> str:
    if widget == "date":
        return "text"  # typed or read as YYYY-MM-DD everywhere; a date box shows the browser's locale format
    if widget in ("text", "updown") and prop.get("type") in ("number", "integer"):
        return "number"
    if secret and widget != "otp":
        return "password"
    if prop.get("format") == "cn-mobile" or options.get("inputType") == "tel":
        return "tel"
    return "text"


def _inputmode(prop: Mapping[str, Any], widget: str) -> str | None:
    if widget == "date":
        return "numeric"  # digits only; the page puts in the dashes
    if widget == "otp" or prop.get("type") == "integer" or prop.get("format") == "bank-card":
        return "numeric"
    if prop.get("type") == "number":
        return "decimal"
    return "email" if prop.get("format") == "email" else None


def _maxlength(prop: Mapping[str, Any], options: Mapping[str, Any], widget: str) -> int | None:
    if widget == "date":
        return 10
    length = options.get("length") if widget == "otp" else None
    length = length if isinstance(length, int) else prop.get("maxLength")
    return length if isinstance(length, int) and not isinstance(length, bool) else None


def _number_attrs(prop: Mapping[str, Any]) -> dict[str, str]:
    if prop.get("type") not in ("number", "integer"):
        return {}
    step = prop.get("multipleOf", 1 if prop["type"] == "integer" else "any")
    attrs = {"step": form_value(step)}
    for key, attr in (("minimum", "min"), ("maximum", "max")):
        if isinstance(prop.get(key), int | float):
            attrs[attr] = form_value(prop[key])
    return attrs


def _errors_by_field(
    schema: Mapping[str, Any], errors: Iterable[FieldErrorLike | Mapping[str, Any]]
) -> tuple[dict[str, str], list[str]]:
    names = set()
    for name, prop in (schema.get("properties") or {}).items():
        names.add(name)
        if isinstance(prop, Mapping):
            names.update(f"{name}.{child}" for child in prop.get("properties") or {})
    by_field: dict[str, str] = {}
    loose: list[str] = []
    for error in errors:
        where = error.get("field") if isinstance(error, Mapping) else error.field
        message = str(error.get("message") if isinstance(error, Mapping) else error.message)
        path = where.split(".") if isinstance(where, str) else []
        # `tags.1` or an unknown key inside a group belongs to the nearest field that is drawn
        while path and ".".join(path) not in names:
            path.pop()
        if path:
            name = ".".join(path)
            by_field[name] = f"{by_field[name]}；{message}" if name in by_field else message
        else:
            loose.append(message)
    return by_field, loose
