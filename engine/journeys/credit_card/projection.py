"""J2, credit-card face-sign: what its ending leaves on the row and in the trail.

The diagram keeps the card centre's answers in two data fields: `cc_submission` (the result of
`credit_card.submit`, with the application number) and `card_decision` (the payload of the card
centre's `card_decision` message). Only the number, the decision and the limit become facts: the
decision's reason can be credit-report information (a bureau delinquency), which stays in the data.
"""

from __future__ import annotations

from typing import Any

from engine.projections import ProcessProjection

PROCESS_ID = "credit_card_face_sign"
SUBMISSION_FIELD = "cc_submission"
DECISION_FIELD = "card_decision"


def _completion_facts(data: dict[str, Any]) -> dict[str, Any]:
    submission = data.get(SUBMISSION_FIELD) or {}
    decision = data.get(DECISION_FIELD) or {}
    return {
        "application_no": submission.get("application_no"),
        "decision": decision.get("decision"),
        "credit_limit": decision.get("credit_limit"),
        "supplementary_card": _supplementary(data),
    }


def _supplementary(data: dict[str, Any]) -> str | None:
    """Whether a supplementary card went with the application (None when none was asked for); why one
    did not stays in the data (`supplementary_refusal`: a watch-list hit is for AML only)."""
    if data.get("supplementary_card_wanted") is not True:
        return None
    if data.get("supplementary_card_accepted") is True:
        return "SUBMITTED_WITH_MAIN"
    return "NOT_ACCEPTED" if "supplementary_card_accepted" in data else None


PROJECTION = ProcessProjection(
    leaves_evidence=True, customer_id_field="id_number", completion_facts=_completion_facts
)
