"""One error hierarchy with stable codes; `api/errors.py` is the only place mapping them to HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class FieldBankError(Exception):
    """Base of every error FieldBank raises on purpose; `code` is stable and part of the API."""

    code = "error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(FieldBankError):
    code = "not_found"


class Conflict(FieldBankError):
    """A stale write or a second completion: the caller must reload and decide again."""

    code = "conflict"


class JourneyHeld(Conflict):
    """Staff tried to move a journey held because its device left service (engine/device_hold.py);
    `screen_message` is the Chinese sentence the officer's page shows."""

    code = "journey_held"

    def __init__(self, device_id: str, device_state: str, screen_message: str) -> None:
        super().__init__(
            f"the journey is held: its device {device_id} is {device_state}; resume it on this device first",
            {"device_id": device_id, "device_state": device_state},
        )
        self.screen_message = screen_message


class Forbidden(FieldBankError):
    code = "forbidden"


class DeviceRefused(Forbidden):
    """The device gate refused the call (devices/gate.py): `code` names the cause (`device_locked`, ...),
    `screen_message` is the Chinese sentence the officer's page shows."""

    def __init__(self, code: str, screen_message: str) -> None:
        super().__init__(f"the device gate refused this device: {code}", {"reason": code})
        self.code = code
        self.screen_message = screen_message


class Unauthenticated(FieldBankError):
    code = "unauthenticated"


class Throttled(FieldBankError):
    """Too many attempts: refused before any work is done (e.g. a password is not even checked)."""

    code = "too_many_attempts"


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; `field` is a dotted path into the submitted data."""

    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class ValidationFailed(FieldBankError):
    code = "validation_failed"

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        self.errors = list(errors or [])
        super().__init__(message, [e.as_dict() for e in self.errors])


@dataclass(frozen=True)
class DefinitionProblem:
    """Why a BPMN/DMN/form file cannot be deployed, pointing at the element an analyst must fix."""

    file: str
    element_id: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.element_id}" if self.element_id else self.file
        return f"{where}: {self.reason}"


class ProcessDefinitionError(FieldBankError):
    code = "process_definition_invalid"

    def __init__(self, problems: list[DefinitionProblem]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(str(p) for p in problems) or "invalid process definition",
            [{"file": p.file, "element_id": p.element_id, "reason": p.reason} for p in problems],
        )


class ExternalServiceError(FieldBankError):
    """A technical failure talking to an external system (timeout, unavailable, 5xx): retryable."""

    code = "external_service_error"

    def __init__(self, message: str, *, system: str = "", reason: str = "UNAVAILABLE") -> None:
        super().__init__(message, {"system": system, "reason": reason})
        self.system = system
        self.reason = reason


class ExternalTimeout(ExternalServiceError):
    """The call may or may not have taken effect; state-changing callers must query status first."""

    code = "external_timeout"

    def __init__(self, message: str, *, system: str = "") -> None:
        super().__init__(message, system=system, reason="TIMEOUT")


class ProcessStepFailed(FieldBankError):
    """A step of the diagram failed at run time (a script, a condition, a decision cell, a gateway no
    flow leaves): a defect of the deployed model, not of the caller's input. The command that ran it
    is rolled back; where the instance exists it is parked as an incident naming the step."""

    code = "process_step_failed"

    def __init__(
        self,
        process_id: str,
        element_id: str,
        expression: str | None,
        error: str,
        incident_id: int | None = None,
    ) -> None:
        what = f"expression {expression!r}" if expression else "step"
        super().__init__(
            f"process {process_id}, element {element_id}: {what} failed ({error})",
            {
                "process_id": process_id,
                "element_id": element_id,
                "expression": expression,
                "error": error,
                "incident_id": incident_id,
            },
        )
        self.process_id = process_id
        self.element_id = element_id
        self.expression = expression
        self.error = error
        self.incident_id = incident_id

    def with_incident(self, incident_id: int) -> ProcessStepFailed:
        return ProcessStepFailed(self.process_id, self.element_id, self.expression, self.error, incident_id)
