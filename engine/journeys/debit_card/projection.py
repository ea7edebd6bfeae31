"""J1, debit-card opening: what its ending leaves on the row and in the trail."""

from __future__ import annotations

from typing import Any

from crypto import mask_card_number
from engine.projections import ProcessProjection

PROCESS_ID = "debit_card_opening"


def _completion_facts(data: dict[str, Any]) -> dict[str, Any]:
    """The account class only when an account was opened: a refusal after the class was decided (a
    screening hit, a risk refusal) opened nothing, and its outcome screen must not read "I类账户"."""
    core = data.get("core_result") or {}
    card_no = core.get("card_no")
    opened = data.get("outcome") == "OPENED" or bool(card_no or core.get("account_no"))
    return {
        "account_class": (
            core.get("account_class") or (data.get("account_decision") or {}).get("account_class")
            if opened
            else None
        ),
        "card_no_masked": mask_card_number(card_no) if card_no else None,
    }


PROJECTION = ProcessProjection(
    leaves_evidence=True, customer_id_field="id_number", completion_facts=_completion_facts
)
