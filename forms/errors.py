"""What forms report: field errors for people filling a form, problems for analysts deploying one.

Plain types, so callers never need jsonschema to read or catch them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one submitted field; `field` is a dotted path (`residential_address.detail`),
    `code` a stable machine code, `message` Chinese text for the staff user."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class FormProblem:
    """Why a form file cannot be deployed; `pointer` is a JSON Pointer into that file ("" = whole file)."""

    file: str
    pointer: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer}: {self.reason}" if self.pointer else f"{self.file}: {self.reason}"


class FormError(Exception):
    """Base of the errors the forms package raises."""


class FormNotFound(FormError, LookupError):
    def __init__(self, filename: str) -> None:
        super().__init__(f"form file not found: {filename}")
        self.filename = filename


class FormDefinitionInvalid(FormError, ValueError):
    """A form file that cannot be loaded or compiled; `problems` say where and why."""

    def __init__(self, problems: list[FormProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems) or "invalid form definition")
        self.problems = problems
