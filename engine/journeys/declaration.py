"""A journey, declared once (ARCHITECTURE decision 11): everything the generic engine and the pages need
to know of it. Each journey writes one in `engine/journeys/<journey>/`; generic code reads only these."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from engine.operations.registry import Operation
from engine.projections import GENERIC, ProcessProjection
from engine.settings import Settings
from engine.workflow.decisions import DecisionContract

BEIJING = ZoneInfo("Asia/Shanghai")


def _no_approval_facts(_data: dict[str, Any]) -> dict[str, Any]:
    return {}


def _no_start_variables(_settings: Settings) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class EndingFact:
    """One masked fact of the journey's ending (its projection's `completion_facts`), as the outcome
    screen names it: a code in `values` reads as its word, a number takes thousands separators and its
    `unit` (元). `kind="money"` shows a decimal amount (stored as text, exact) with two decimals; a
    `kind="time"` instant (ISO text) shows in Beijing time, like every time on the pages."""

    key: str
    name: str
    values: Mapping[str, str] = field(default_factory=dict)
    unit: str = ""
    kind: Literal["text", "money", "time"] = "text"

    def shown(self, value: object) -> str:
        if self.kind == "money":
            text = f"{Decimal(str(value)):,.2f}"
        elif self.kind == "time":
            moment = datetime.fromisoformat(str(value))
            text = moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + "（北京时间）"
        elif isinstance(value, int) and not isinstance(value, bool):
            text = f"{value:,}"
        else:
            text = self.values.get(str(value), str(value))
        return f"{text} {self.unit}" if self.unit else text


@dataclass(frozen=True)
class JourneyDeclaration:
    process_id: str
    title: str
    """The Chinese name staff and customers read (the diagram's process name must say the same)."""
    projection: ProcessProjection = GENERIC
    start_qualification: str | None = None
    """A qualification the officer must hold to start it (面签资格); the diagram's process property
    `startQualification` must name the same (tests/unit/api/test_journey_boundaries.py checks)."""
    outcome_headings: Mapping[str, str] = field(default_factory=dict)
    """The outcome screen's heading per outcome, said to the customer's face (refusals stay neutral)."""
    outcome_words: Mapping[str, str] = field(default_factory=dict)
    """What staff tell the customer per outcome, when the reason has no words of its own."""
    reason_words: Mapping[str, str] = field(default_factory=dict)
    """What staff tell the customer per outcome reason this journey sets."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Its coded values (outcomes, products, reasons) in Chinese, for the pages."""
    ending_facts: tuple[EndingFact, ...] = ()
    approval_facts: Callable[[dict[str, Any]], dict[str, Any]] = _no_approval_facts
    """What an approver sees of this journey beside the shared identification's checks, masked."""
    decision_fields: frozenset[str] = frozenset()
    """Its customer's or officer's choices (codes, never personal data) the trail records with the task
    that made them, beside an approval's `decision` and `reason_code`."""
    operations: tuple[Operation, ...] = ()
    decision_contracts: Mapping[str, DecisionContract] = field(default_factory=dict)
    """What each of its decision tables (processes/decisions/<name>.dmn) must take and give: checked
    when the diagrams are validated and deployed."""
    """The operators only its diagram names (its rules, its system's calls), beside the shared ones."""
    personal_fields: frozenset[str] = frozenset()
    """Its data fields holding personal data (JR/T 0171 C2+): a view of them is recorded (§8.5)."""
    start_variables: Callable[[Settings], Mapping[str, Any]] = _no_start_variables
    """The process variables its diagram reads from the bank's settings (switches such as a mode the
    bank turns on), set at the start from the settings, never from the caller's data."""
