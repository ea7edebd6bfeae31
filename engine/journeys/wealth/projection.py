"""J3, wealth risk assessment and product signing: what its ending leaves on the row and in the trail.

The level the journey went on with is `current_assessment` (a new, signed one or the still valid one
from `wm_sales`); the product is `chosen_product` (the shelf's entry the officer picked). Only codes
become facts: the answers and the score stay in the data and the evidence package. An order placed on
the tablet adds its number, amount, the account its funds are frozen on (masked, §8.3: the customer
hears `尾号1234`), the end of a private product's cooling-off and, when cancelled, the refund.
"""

from __future__ import annotations

from typing import Any

from crypto.masking import mask_account_number
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
        **_order_facts(data),
    }


def _order_facts(data: dict[str, Any]) -> dict[str, Any]:
    order = data.get("order") or {}
    if not order.get("order_no"):
        return {}
    cancellation = data.get("cancellation") or {}
    account = data.get("payment_account_no")
    return {
        "order_no": order["order_no"],
        "order_amount": order.get("amount"),
        "frozen_account": mask_account_number(str(account), customer_facing=True) if account else None,
        "cooling_off_ends_at": order.get("cooling_off_ends_at"),
        "refund_amount": cancellation.get("refund_amount") if cancellation.get("result") == "OK" else None,
    }


PROJECTION = ProcessProjection(
    leaves_evidence=True, customer_id_field="id_number", completion_facts=_completion_facts
)
