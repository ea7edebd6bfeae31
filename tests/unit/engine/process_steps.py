"""What the process tests share: a service task run by its real operator on the sandbox, its business
rejection thrown as the diagram's BPMN error, a technical failure failing the test."""

from __future__ import annotations

from typing import Any

from engine.errors import ExternalServiceError
from engine.operations.registry import BusinessRejection, OperationContext, OperationRegistry
from engine.workflow.instance import WorkflowInstance


def run_service_call(
    wf: WorkflowInstance, call: Any, operations: OperationRegistry, ctx: OperationContext, errors: list[str]
) -> None:
    """Completes `call` with its operator's result, or throws its rejection's code (kept in `errors`)."""
    try:
        wf.complete_service(call.task_id, operations.get(call.operation).handler(ctx, call.params))
    except BusinessRejection as exc:
        errors.append(exc.code)
        assert wf.throw_business_error(call.task_id, exc.code, exc.payload), exc.code
    except ExternalServiceError as exc:
        raise AssertionError(f"unexpected technical failure {exc.reason}") from exc
