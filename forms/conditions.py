"""The conditional shapes our server-side form renderer can show and hide, and why others are refused.

A form may make a top-level field required only under a condition on one other top-level field:

    "if": {"required": ["f"], "properties": {"f": {"const": v}}}      (or {"enum": [v, ...]})
    "then": {"required": [...], "properties": {...}}, "else": {...}

either at the top of the schema or as items of a top-level `allOf`. The `if` must list its field in
`required`: without it an empty field passes the test, the `then` applies, and a field the page hides
would be required. The `if` may add `"not": {"required": [...]}`, which only the server evaluates (the
field is shown, its help text explains when it may stay empty). `then`/`else` may require top-level
fields and narrow a field's choices with `enum`/`const` (the server checks the narrowing).

Each field required only under a condition gets a `ShowWhen`: shown while the condition holds (`then`),
or while it does not (`else`, `negate`). A field required by several conditions follows the first one in
document order (top-level `if` before `allOf`), so authors should give each such field one condition.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from forms.errors import FormProblem

__all__ = ["Condition", "ShowWhen", "condition_problems", "conditions", "same_value", "show_when_rules"]

_SCALARS = (str, bool, int, float)
_SCALAR_TYPES = ("string", "number", "integer", "boolean")
_BRANCH_KEYS = frozenset({"if", "then", "else"})

Found = Iterator[tuple[tuple[Any, ...], str]]


def same_value(a: Any, b: Any) -> bool:
    """JSON equality for scalars: `true` is not `1` (Python says it is)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


@dataclass(frozen=True)
class ShowWhen:
    """Show the field while `field` holds one of `values` (JSON values); `negate` inverts (an `else`)."""

    field: str
    values: tuple[Any, ...]
    negate: bool = False

    def shows(self, data: Mapping[str, Any]) -> bool:
        """Evaluated like the `if`: a missing field matches nothing."""
        matched = self.field in data and any(same_value(data[self.field], v) for v in self.values)
        return matched != self.negate


@dataclass(frozen=True)
class Condition:
    """One supported `{if, then, else}`; `at` is its JSON Pointer parts (`()` or `("allOf", i)`)."""

    at: tuple[Any, ...]
    field: str
    values: tuple[Any, ...]
    then_required: tuple[str, ...]
    else_required: tuple[str, ...]


def conditions(schema: Mapping[str, Any]) -> list[Condition]:
    """The well-formed conditions of `schema`, in document order; malformed ones are left out (lint
    reports them)."""
    found = []
    for at, node in _condition_nodes(schema):
        if next(_condition_problems(node, schema, at), None) is not None:
            continue
        test = node["if"]
        field = test["required"][0]
        spec = test["properties"][field]
        values = (spec["const"],) if "const" in spec else tuple(spec["enum"])
        found.append(Condition(at, field, values, _required(node, "then"), _required(node, "else")))
    return found


def show_when_rules(schema: Mapping[str, Any]) -> dict[str, ShowWhen]:
    """Field name -> when to show it, for top-level fields required only under a condition."""
    always = set(schema.get("required") or ())
    rules: dict[str, ShowWhen] = {}
    for condition in conditions(schema):
        for names, negate in ((condition.then_required, False), (condition.else_required, True)):
            for name in names:
                if name not in always and name not in rules:
                    rules[name] = ShowWhen(condition.field, condition.values, negate)
    return rules


def condition_problems(schema: Mapping[str, Any], file: str) -> list[FormProblem]:
    """Why the top-level `if`/`then`/`else` and `allOf` of `schema` cannot be rendered, if they cannot."""
    found: list[tuple[tuple[Any, ...], str]] = []
    if ("then" in schema or "else" in schema) and "if" not in schema:
        found.append((("then" if "then" in schema else "else",), "a then/else without an if has no effect"))
    branches = schema.get("allOf")
    if branches is not None and not isinstance(branches, list):
        found.append((("allOf",), "allOf must be a list of if/then conditions"))
    for i, item in enumerate(branches if isinstance(branches, list) else ()):
        if not isinstance(item, Mapping) or "if" not in item or not item.keys() <= _BRANCH_KEYS:
            found.append(
                (("allOf", i), "allOf items must be {if, then, else} conditions; nothing else is rendered")
            )
    for at, node in _condition_nodes(schema):
        found.extend(_condition_problems(node, schema, at))
    return [FormProblem(file, _pointer(at), why) for at, why in found]


def _condition_nodes(schema: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    if "if" in schema:
        yield (), schema
    branches = schema.get("allOf")
    for i, item in enumerate(branches if isinstance(branches, list) else ()):
        if isinstance(item, Mapping) and "if" in item and item.keys() <= _BRANCH_KEYS:
            yield ("allOf", i), item


def _required(node: Mapping[str, Any], key: str) -> tuple[str, ...]:
    branch = node.get(key)
    return tuple(branch.get("required") or ()) if isinstance(branch, Mapping) else ()


def _condition_problems(node: Mapping[str, Any], schema: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    fields = schema.get("properties")
    properties: Mapping[str, Any] = fields if isinstance(fields, Mapping) else {}
    if "then" not in node and "else" not in node:
        yield (*at, "if"), "an if needs a then or an else"
    yield from _if_problems(node["if"], properties, (*at, "if"))
    for key in ("then", "else"):
        if key in node:
            yield from _branch_problems(node[key], properties, (*at, key))


def _if_problems(test: Any, properties: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    shape = 'an if must be {"required": [field], "properties": {field: {"const": ...} or {"enum": [...]}}}'
    if not isinstance(test, Mapping) or not isinstance(test.get("properties"), Mapping):
        yield at, shape
        return
    for key in test.keys() - {"required", "properties", "not"}:
        yield (*at, key), f"{key!r} is not supported in an if; {shape}"
    tested = list(test["properties"])
    if len(tested) != 1:
        yield (*at, "properties"), f"an if must test exactly one field, not {len(tested)}"
        return
    field = tested[0]
    if test.get("required") != [field]:
        yield (*at, "required"), f'an if must say "required": [{field!r}] so an empty field does not match'
    if field not in properties:
        yield (*at, "properties", field), f"the if tests {field!r}, which is not a top-level field"
    elif not isinstance(properties[field], Mapping) or properties[field].get("type") not in _SCALAR_TYPES:
        yield (*at, "properties", field), f"the if tests {field!r}, which is not a single value"
    yield from _test_problems(test["properties"][field], (*at, "properties", field))
    if "not" in test:
        yield from _not_problems(test["not"], properties, (*at, "not"))


def _test_problems(spec: Any, at: tuple[Any, ...]) -> Found:
    if isinstance(spec, Mapping) and spec.keys() == {"const"} and isinstance(spec["const"], _SCALARS):
        return
    values = spec.get("enum") if isinstance(spec, Mapping) else None
    if (
        isinstance(spec, Mapping)
        and spec.keys() == {"enum"}
        and isinstance(values, list)
        and values
        and all(isinstance(v, _SCALARS) for v in values)
    ):
        return
    yield at, 'the tested field must be {"const": value} or {"enum": [values]} of plain values'


def _not_problems(spec: Any, properties: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    if not isinstance(spec, Mapping) or spec.keys() != {"required"}:
        yield at, 'the not of an if may only be {"required": [fields]}'
        return
    yield from _names_problems(spec["required"], properties, (*at, "required"))


def _branch_problems(branch: Any, properties: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    if not isinstance(branch, Mapping):
        yield at, "a then/else must be an object with required and/or properties"
        return
    for key in branch.keys() - {"required", "properties"}:
        yield (*at, key), f"{key!r} is not supported in a then/else; use required and properties only"
    yield from _names_problems(branch.get("required") or [], properties, (*at, "required"))
    narrowed = branch.get("properties") or {}
    for name, spec in narrowed.items() if isinstance(narrowed, Mapping) else ():
        if name not in properties:
            yield (*at, "properties", name), f"field {name!r} is not a top-level field of the form"
        elif not (isinstance(spec, Mapping) and len(spec) == 1 and spec.keys() <= {"enum", "const"}):
            yield (*at, "properties", name), "a then/else may only narrow a field with enum or const"


def _names_problems(names: Any, properties: Mapping[str, Any], at: tuple[Any, ...]) -> Found:
    for i, name in enumerate(names if isinstance(names, list) else ()):
        if name not in properties:
            yield (*at, i), f"required field {name!r} is not a top-level field of the form"


def _pointer(parts: tuple[Any, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
