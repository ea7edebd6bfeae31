"""J3, wealth risk assessment and product signing: what its ending leaves on the row and in the trail.

The level the journey went on with is `current_assessment` (a new, signed one or the still valid one
from `wm_sales`); the product is `chosen_product` (the shelf's entry the officer picked). Only codes
become facts: the answers and the score stay in the data and the evidence package.
"""

from __future__ import annotations

from typing import Any

from engine.projections import ProcessProjection

PROCESS_ID = "wealth_risk_assessment"


def _completion_facts(data: dict[str, Any]) -> dict[str, Any]:
    assessment = data.get("current_assessment") or {}
    product = data.get("chosen_product") or {}
    return {
        "risk_level": assessment.get("level"),
        "assessment_renewed": bool((data.get("assessment_check") or {}).get("reassessment_needed")),
        "product_code": product.get("code"),
        "product_risk_level": product.get("risk_level"),
    }


PROJECTION = ProcessProjection(
    leaves_evidence=True, customer_id_field="id_number", completion_facts=_completion_facts
)
