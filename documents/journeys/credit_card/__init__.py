"""J2, credit-card face signing: what its evidence package holds and the rules that review it (domain J2
"Evidence retained" and "Post-supervision checks")."""

from __future__ import annotations

from pathlib import Path

from documents.journeys.credit_card import documents, rules, samples
from documents.journeys.declaration import EvidenceDeclaration
from engine.journeys.credit_card.operations import DOCUMENT_NAMES

IMAGES = {
    "applicant_photo": "applicant_photo",
    "credit_auth_signature": "credit_auth_signature",
    "hand_copy_image": "hand_copy",
    "customer_signature": "signature",
    "witness_signature": "witness_signature",
    **{f"doc_{doc}_photo": f"original_{doc}" for doc in DOCUMENT_NAMES},
    **{f"supplement_{doc}_photo": f"supplement_{doc}" for doc in DOCUMENT_NAMES},
    # the supplementary card's holder (§7.2): their own ID evidence and signature
    "supp_chip_photo": "supplementary_chip_photo",
    "supp_id_front_image": "supplementary_id_front",
    "supp_id_back_image": "supplementary_id_back",
    "supp_signature": "supplementary_signature",
    "supp_live_face_image": "supplementary_live_face",
}

EVIDENCE = EvidenceDeclaration(
    process_id="credit_card_face_sign",
    template_dir=Path(__file__).resolve().parent / "templates",
    documents_for=documents.documents_for,
    builders=documents.BUILDERS,
    rules=rules.RULES,
    image_fields=IMAGES,
    party_id_fields=("supp_id_number",),
    linking_fields=rules.LINKING_FIELDS,
    review_facts=rules.review_facts,
    sample_facts=samples.approved_facts,
)
