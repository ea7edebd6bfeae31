"""The operation registry: what a BPMN service task may call, and how results become BPMN outcomes.

A handler returns a JSON-ready dict for the task's result variable, raises `BusinessRejection` for an
outcome the diagram models with an error boundary event, or raises `ExternalServiceError` for a
technical failure the worker retries (ARCHITECTURE decisions 4-5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from engine.adapters.ports import (
    CardCentre,
    CoreBanking,
    FaceCompare,
    IdentityCheck,
    SmsGateway,
    TelcoRealName,
    WatchList,
    WealthSales,
)
from engine.workflow.decisions import DecisionContract


class BusinessRejection(Exception):
    """A business outcome the BPMN models as an error: `code` is the errorCode, `payload` its data."""

    def __init__(self, code: str, payload: dict[str, Any]) -> None:
        super().__init__(code)
        self.code = code
        self.payload = payload


class OtpPort(Protocol):
    def issue(self, key: str, mobile: str) -> Any: ...

    def verify(self, key: str, code: str) -> str: ...

    def attempts_left(self, key: str) -> int: ...

    def resend_ready_at(self, key: str) -> datetime | None: ...


@dataclass(frozen=True)
class Adapters:
    identity: IdentityCheck
    face: FaceCompare
    watchlist: WatchList
    telco: TelcoRealName
    sms: SmsGateway
    core: CoreBanking
    card_centre: CardCentre | None = None
    """J2's card centre (sandbox or HTTP); None where no card centre is wired."""
    wm_sales: WealthSales | None = None  # J3 only; None where no wealth sales system is wired (HTTP mode)


@dataclass(frozen=True)
class OperationContext:
    """What a handler knows about the call: the idempotency key and the instance's facts."""

    adapters: Adapters
    otp: OtpPort
    request_id: str
    instance_id: str
    branch_code: str
    operator_id: str
    now: Callable[[], datetime]


Handler = Callable[[OperationContext, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    name: str
    handler: Handler
    system: str
    inline: bool = False
    """Inline operations are bank rules without slow I/O: they run in the request, not the worker."""
    restricted_results: frozenset[str] = field(default_factory=frozenset)
    """Result codes that only AML / post-supervision may see in the trail (no tipping off)."""


class OperationRegistry:
    """Every operator a BPMN file may name, and the contract of every decision table it may call."""

    def __init__(
        self, operations: list[Operation], decisions: Mapping[str, DecisionContract] | None = None
    ) -> None:
        self._ops = {op.name: op for op in operations}
        self.decisions: dict[str, DecisionContract] = dict(decisions or {})
        if len(self._ops) != len(operations):
            names = [op.name for op in operations]
            raise ValueError(
                f"operators registered twice: {sorted({n for n in names if names.count(n) > 1})}"
            )

    def __contains__(self, name: str) -> bool:
        return name in self._ops

    def __iter__(self) -> Iterator[str]:
        return iter(self._ops)

    def get(self, name: str) -> Operation:
        return self._ops[name]

    def with_operations(self, operations: list[Operation]) -> OperationRegistry:
        return OperationRegistry([*self._ops.values(), *operations], self.decisions)

    def inline_names(self) -> list[str]:
        return [name for name, op in self._ops.items() if op.inline]
