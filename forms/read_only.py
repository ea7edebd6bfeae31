"""Read-only fields keep what the journey already knows.

A field marked `readOnly` in the schema, or `ui:readonly` / `ui:disabled` in the UI schema (the page
draws all three alike, so the server treats them alike: `is_read_only`), shows data the journey holds
(the chip's name on the credit-card application, the product the customer chose). The page does not let
the officer change it, and neither may a client that posts the task directly: a read-only field whose
value is already in the task's data must come back unchanged (or not at all, and the known value is
kept). A read-only field the journey does not know yet (the chip fields on the ID screen, filled by the
card reader) is taken as submitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forms.errors import FieldError

MESSAGE = "此项由系统带出，不能修改"


def is_read_only(prop: Mapping[str, Any], ui: Mapping[str, Any]) -> bool:
    """Whether the page shows the field read-only; the server holds the same fields to what it knows."""
    return bool(prop.get("readOnly") or ui.get("ui:readonly") or ui.get("ui:disabled"))


def keep_read_only(
    schema: Mapping[str, Any],
    known: Mapping[str, Any],
    submitted: dict[str, Any],
    *,
    ui_schema: Mapping[str, Any],
    prefix: str = "",
) -> list[FieldError]:
    """Fill absent read-only fields from `known` (in place) and report the ones that were changed."""
    problems: list[FieldError] = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, Mapping):
            continue
        ui = ui_schema.get(name)
        ui = ui if isinstance(ui, Mapping) else {}
        was, given = known.get(name), submitted.get(name)
        if prop.get("type") == "object" and isinstance(was, Mapping) and isinstance(given, dict):
            problems += keep_read_only(prop, was, given, ui_schema=ui, prefix=f"{prefix}{name}.")
            continue
        if not is_read_only(prop, ui) or was is None:
            continue
        if submitted.get(name) is None:
            submitted[name] = was
        elif submitted[name] != was:
            problems.append(FieldError(prefix + name, "read_only", MESSAGE))
    return problems
