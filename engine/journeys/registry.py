"""The declared journeys, looked up by process id: what generic code asks instead of naming a journey."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from engine.journeys.declaration import JourneyDeclaration
from engine.outcomes import SHARED_OUTCOME_WORDS, SHARED_REASON_WORDS
from engine.projections import GENERIC, ProcessProjection
from engine.settings import Settings

# what the shared identification captures (processes/shared), whatever the journey
IDENTIFICATION_PERSONAL_FIELDS = frozenset(
    {
        "customer_name",
        "id_number",
        "birth_date",
        "registered_address",
        "residential_address",
        "reserved_mobile",
        "employer_name",
        "chip_photo",
        "id_front_image",
        "id_back_image",
        "live_face_image",
        "customer_signature",
        # the shared face check's subject as its caller binds it (face_verification's ioSpecification)
        "face_subject",
        "face_reference_photo",
    }
)


class JourneyRegistry:
    def __init__(self, declarations: Iterable[JourneyDeclaration] = ()) -> None:
        self._by_process: dict[str, JourneyDeclaration] = {}
        for declaration in declarations:
            if declaration.process_id in self._by_process:
                raise ValueError(f"journey {declaration.process_id} is declared twice")
            self._by_process[declaration.process_id] = declaration
        self.personal_fields = IDENTIFICATION_PERSONAL_FIELDS.union(
            *(d.personal_fields for d in self._by_process.values())
        )

    def __iter__(self) -> Iterator[JourneyDeclaration]:
        return iter(self._by_process.values())

    def get(self, process_id: str | None) -> JourneyDeclaration | None:
        return self._by_process.get(process_id) if process_id else None

    def projection(self, process_id: str) -> ProcessProjection:
        declaration = self.get(process_id)
        return declaration.projection if declaration else GENERIC

    def customer_message(self, process_id: str, outcome: str | None, reason: str | None) -> str | None:
        """The journey's words for the reason, else the shared steps' (identification), else the
        journey's words for the outcome, else the generic ones (§6.4: refusals neutral)."""
        if outcome is None:
            return None
        declaration = self.get(process_id)
        own_reasons = declaration.reason_words if declaration else {}
        own_outcomes = declaration.outcome_words if declaration else {}
        if reason and reason in own_reasons:
            return own_reasons[reason]
        if reason and reason in SHARED_REASON_WORDS:
            return SHARED_REASON_WORDS[reason]
        return own_outcomes.get(outcome) or SHARED_OUTCOME_WORDS.get(outcome)

    def decision_fields(self, process_id: str) -> frozenset[str]:
        declaration = self.get(process_id)
        return declaration.decision_fields if declaration else frozenset()

    def start_variables(self, process_id: str, settings: Settings) -> dict[str, Any]:
        """What the journey's diagram reads from the settings, for its start data."""
        declaration = self.get(process_id)
        return dict(declaration.start_variables(settings)) if declaration else {}

    def approval_facts(self, process_id: str, data: dict[str, Any]) -> dict[str, Any]:
        declaration = self.get(process_id)
        return declaration.approval_facts(data) if declaration else {}
