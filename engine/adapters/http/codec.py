"""JSON ↔ port dataclasses, validated against the dataclasses' own type hints.

Both ends of the wire use it: the HTTP clients to refuse a malformed answer before the engine acts on
it, the sandbox HTTP server to refuse a malformed request. The port dataclasses stay the one schema,
so the wire format cannot drift from `ports.py`. Unknown keys are ignored (a gateway may add fields);
missing required keys, wrong JSON types and result codes outside the port's `Literal` are refused.
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date, datetime
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from engine.adapters.ports import SHANGHAI

T = TypeVar("T")
_HINTS: dict[Any, dict[str, Any]] = {}


class PayloadError(ValueError):
    """A JSON document that does not fit the expected shape; `where` is a JSON path like `$.hits[0]`.

    The message names the place and the expected type only, never the offending value (it may be an
    ID or mobile number).
    """

    def __init__(self, where: str, expected: str) -> None:
        super().__init__(f"{where}: expected {expected}")
        self.where = where


def decode(target: type[T], value: Any, where: str = "$") -> T:
    """`value` (parsed JSON) as an instance of the dataclass `target`, or `PayloadError`."""
    result: T = _decode(target, value, where)
    return result


def decode_value(tp: Any, value: Any, where: str = "$") -> Any:
    """`value` as any annotated type the ports use (`date | None`, a `Literal`, a dataclass…)."""
    return _decode(tp, value, where)


def type_hints(target: Any) -> dict[str, Any]:
    """Resolved annotations of a dataclass or function (ports.py uses postponed annotations)."""
    hints = _HINTS.get(target)
    if hints is None:
        hints = _HINTS[target] = get_type_hints(target)
    return hints


def _decode(tp: Any, value: Any, where: str) -> Any:
    origin = get_origin(tp)
    if origin is Literal:
        return _literal(get_args(tp), value, where)
    if origin in (Union, types.UnionType):
        return _union(get_args(tp), value, where)
    if origin is tuple:
        return _tuple(get_args(tp), value, where)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass(tp, value, where)
    if tp is datetime:
        return _datetime(value, where)
    if tp is date:
        return _date(value, where)
    return _scalar(tp, value, where)


def _literal(options: tuple[Any, ...], value: Any, where: str) -> Any:
    if any(type(value) is type(option) and value == option for option in options):
        return value
    raise PayloadError(where, "one of " + ", ".join(map(str, options)))


def _union(options: tuple[Any, ...], value: Any, where: str) -> Any:
    if value is None and type(None) in options:
        return None
    candidates = [option for option in options if option is not type(None)]
    for option in candidates[:-1]:
        try:
            return _decode(option, value, where)
        except PayloadError:
            continue
    return _decode(candidates[-1], value, where)


def _tuple(args: tuple[Any, ...], value: Any, where: str) -> tuple[Any, ...]:
    if len(args) != 2 or args[1] is not Ellipsis:
        raise TypeError(f"only tuple[X, ...] is supported on the wire, not {args}")
    if not isinstance(value, list):
        raise PayloadError(where, "an array")
    return tuple(_decode(args[0], item, f"{where}[{i}]") for i, item in enumerate(value))


def _dataclass(tp: type[Any], value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise PayloadError(where, "an object")
    hints = type_hints(tp)
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(tp):
        if not field.init:
            continue
        if field.name in value:
            kwargs[field.name] = _decode(hints[field.name], value[field.name], f"{where}.{field.name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise PayloadError(f"{where}.{field.name}", "a value (missing)")
    return tp(**kwargs)


def _datetime(value: Any, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise PayloadError(where, "an ISO 8601 date-time with offset")
    return parsed.astimezone(SHANGHAI)  # the ports promise Asia/Shanghai timestamps


def _date(value: Any, where: str) -> date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PayloadError(where, "a date YYYY-MM-DD")


def _scalar(tp: Any, value: Any, where: str) -> Any:
    if tp is Any:
        return value
    if tp is type(None):
        if value is None:
            return None
        raise PayloadError(where, "null")
    if tp is bool and isinstance(value, bool):
        return value
    if tp is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if tp is str and isinstance(value, str):
        return value
    raise PayloadError(where, getattr(tp, "__name__", str(tp)))
