"""Per-journey registrations of the generic engine (projections today; one module per journey)."""

from __future__ import annotations

from engine.journeys import credit_card, debit_card
from engine.projections import ProcessProjection

PROJECTIONS: dict[str, ProcessProjection] = {
    debit_card.PROCESS_ID: debit_card.PROJECTION,
    credit_card.PROCESS_ID: credit_card.PROJECTION,
}
