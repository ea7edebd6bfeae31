"""J1, debit-card opening: the documents its package holds and the rules that review it."""

from __future__ import annotations

from pathlib import Path

from documents.journeys.debit_card import documents, rules, samples
from documents.journeys.declaration import EvidenceDeclaration

EVIDENCE = EvidenceDeclaration(
    process_id="debit_card_opening",
    template_dir=Path(__file__).resolve().parent / "templates",
    documents_for=documents.documents_for,
    builders=documents.BUILDERS,
    sample_facts=samples.opened_facts,
    rules=rules.RULES,
    image_fields={"customer_signature": "signature"},
    review_facts=rules.review_facts,
)
