"""The journeys FieldBank runs: one line each. A journey is its diagram, its forms, its declaration in
`engine/journeys/<journey>/` and its evidence in `documents/journeys/<journey>/` (README "Adding a
journey"); nothing generic names it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from documents.journeys import credit_card as credit_card_evidence
from documents.journeys import debit_card as debit_card_evidence
from documents.journeys import wealth as wealth_evidence
from documents.journeys.declaration import EvidenceDeclaration
from engine.journeys import credit_card, debit_card, wealth
from engine.journeys.declaration import JourneyDeclaration
from engine.journeys.registry import JourneyRegistry


@dataclass(frozen=True)
class Journey:
    declaration: JourneyDeclaration
    evidence: EvidenceDeclaration | None = None


JOURNEYS: tuple[Journey, ...] = (
    Journey(debit_card.JOURNEY, debit_card_evidence.EVIDENCE),
    Journey(credit_card.JOURNEY, credit_card_evidence.EVIDENCE),
    Journey(wealth.JOURNEY, wealth_evidence.EVIDENCE),
)


def journey_registry(journeys: tuple[Journey, ...] = JOURNEYS) -> JourneyRegistry:
    """The engine's view; refuses a journey that leaves evidence but declares none, or evidence whose
    process id is not its journey's."""
    for journey in journeys:
        process_id = journey.declaration.process_id
        if journey.declaration.projection.leaves_evidence and journey.evidence is None:
            raise ValueError(f"journey {process_id} leaves evidence but declares no documents")
        if journey.evidence is not None and journey.evidence.process_id != process_id:
            raise ValueError(f"journey {process_id} has the evidence of {journey.evidence.process_id}")
    return JourneyRegistry(j.declaration for j in journeys)


@cache
def registry() -> JourneyRegistry:
    """The registry of `JOURNEYS`, built once per process (the pages' labels and headings read it)."""
    return journey_registry()


def evidence_declarations(journeys: tuple[Journey, ...] = JOURNEYS) -> Mapping[str, EvidenceDeclaration]:
    return {j.declaration.process_id: j.evidence for j in journeys if j.evidence is not None}
