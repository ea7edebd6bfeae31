"""J3, wealth risk assessment and product signing: what its evidence package holds (domain J3 "Evidence
retained"): the questionnaire record and the signed result confirmation so far; and the rules that review it
("Post-supervision checks")."""

from __future__ import annotations

from pathlib import Path

from documents.journeys.declaration import EvidenceDeclaration
from documents.journeys.wealth import documents, pattern_rules, rules, samples

EVIDENCE = EvidenceDeclaration(
    process_id="wealth_risk_assessment",
    template_dir=Path(__file__).resolve().parent / "templates",
    documents_for=documents.documents_for,
    builders=documents.BUILDERS,
    rules=rules.RULES,
    image_fields={
        "assessment_signature": "assessment_signature",
        "risk_hand_copy_image": "hand_copy",
        "agreement_signature": "agreement_signature",
        "dual_recording": "dual_recording",
    },
    fingerprints={pattern_rules.ANSWER_PATTERN: pattern_rules.answer_pattern},
    review_facts=rules.review_facts,
    sample_facts=samples.signed_facts,
)
