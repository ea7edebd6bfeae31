"""SpiffWorkflow's run-time errors as `ProcessStepFailed`: process id, BPMN element id, the failing
expression. Callers outside this package never see the library's exceptions (ARCHITECTURE: SpiffWorkflow
only in `engine/workflow/`), and the API answers a model defect as a 409 naming it, not a bare 500."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from SpiffWorkflow.exceptions import WorkflowException

from engine.errors import ProcessStepFailed
from engine.workflow.spiff import ScriptFailure, UnsafeScript

P = ParamSpec("P")
R = TypeVar("R")
_EXPRESSION_MAX = 200
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# errors whose text names code (a variable, an attribute, a type), never the data the step failed on
_CODE_ONLY = (NameError, AttributeError, TypeError, ZeroDivisionError, SyntaxError, UnsafeScript)


def naming_failures(method: Callable[P, R]) -> Callable[P, R]:
    """Decorates each facade method that runs diagram code."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except ScriptFailure as exc:
            raise step_failed(exc.task_spec, exc.source, error_text(exc.error)) from exc
        except WorkflowException as exc:
            if exc.task_spec is None:
                raise
            raise step_failed(exc.task_spec, None, _first_line(exc)) from exc

    return wrapper


def step_failed(task_spec: Any, expression: str | None, error: str) -> ProcessStepFailed:
    process_id = getattr(getattr(task_spec, "_wf_spec", None), "name", None) or "?"
    element_id = getattr(task_spec, "bpmn_id", None) or getattr(task_spec, "name", "?")
    if expression is not None and len(expression) > _EXPRESSION_MAX:
        expression = expression[: _EXPRESSION_MAX - 1] + "…"
    return ProcessStepFailed(str(process_id), str(element_id), expression, error)


def error_text(error: Exception) -> str:
    """The error's type, and its text when that cannot quote task data: a ValueError says which value
    it could not read (an ID number, say); the incident and the API answer must not carry it."""
    kind = type(error).__name__
    if isinstance(error, _CODE_ONLY):
        return f"{kind}: {error}"
    if isinstance(error, KeyError) and len(error.args) == 1 and _IDENTIFIER.match(str(error.args[0])):
        return f"{kind}: {error.args[0]!r}"  # a missing field, not a looked-up value
    return kind


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
