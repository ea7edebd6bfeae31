"""J3's "cooling-off respected" check (domain J3 "Post-supervision checks", step 10, §5.4): a private
product's order placed on the tablet is not treated as effective before its cooling-off ends, the
cooling-off lasts at least 24 h from the signing, and a cancellation inside it is refunded in full.

It reads what the journey recorded (processes/wealth_risk_assessment.bpmn): `order` (wm_sales' answer,
with `cooling_off_ends_at`), `signing.signed_at`, `cancellation` (its `refund_amount`) or
`cancel_rejection`, and the trail: the cooling-off timer, the cancellation message, the
`wealth.cancel_order` results and the journey's end. Times are compared as moments: the trail holds UTC,
the journey's own records Asia/Shanghai.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from documents.supervision.review import FLAG, NOT_APPLICABLE, PASS, ReviewInput, RuleResult, moment

CODE = "COOLING_OFF_RESPECTED"
MIN_COOLING_OFF = timedelta(hours=24)  # §5.4: at least 24 h from the signing
SIGNING = "product_signing"
# the diagram's timer (`cooling_off_over`, after the event-based gateway `await_cooling_off`) makes the
# order effective; the engine's `timer_fired` event names the first step the timer moved: the gateway
COOLING_OFF_TIMER_STEPS = ("await_cooling_off", "cooling_off_over")
CANCEL_MESSAGE = "wealth_cooling_off_cancel"
CANCEL_ORDER = "wealth.cancel_order"
EFFECTIVE_OUTCOME = "ORDER_PLACED"


def _record(r: ReviewInput, name: str) -> dict[str, Any]:
    value = r.data.get(name)
    return value if isinstance(value, dict) else {}


def _money(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _signed_at(r: ReviewInput) -> datetime | None:
    """The latest record of the signing (the stamped `signed_at`, the signing task's completion): the
    cooling-off must run 24 h from each."""
    times = [moment(_record(r, "signing").get("signed_at"))]
    times += [moment(e.get("at")) for e in r.completed(SIGNING)]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _private(r: ReviewInput) -> bool:
    product = _record(r, "chosen_product")
    return product.get("offering") == "private" or product.get("requires_qualified_investor") is True


def _ended(r: ReviewInput) -> tuple[datetime | None, str | None]:
    """When the journey ended and with which outcome: its trail's end, else the manifest's."""
    end = next((e for e in r.trail if e.get("kind") == "instance_completed"), None)
    if end is not None:
        return moment(end.get("at")), (end.get("detail") or {}).get("outcome")
    return moment(r.manifest.get("completed_at")), r.outcome


def _effective_early(r: ReviewInput, order: dict[str, Any], ends: datetime) -> list[str]:
    """Signs that the order was treated as effective before the cooling-off ended."""
    found = []
    if order.get("status") == "ACCEPTED":
        found.append("the order was confirmed at placement")
    timers = [
        moment(e.get("at"))
        for e in r.trail
        if e.get("kind") == "timer_fired" and e.get("task_spec") in COOLING_OFF_TIMER_STEPS
    ]
    if any(t is None or t < ends for t in timers):
        found.append("the cooling-off timer fired before it ended")
    ended_at, outcome = _ended(r)
    if outcome == EFFECTIVE_OUTCOME and (ended_at is None or ended_at < ends):
        found.append("the order was treated as effective before the cooling-off ended")
    return found


def _cancel_requested(r: ReviewInput) -> datetime | None:
    """The first sign of the customer's cancellation: the message, else the call to wm_sales."""
    times = [
        moment(e.get("at"))
        for e in r.trail
        if e.get("kind") == "message_received" and (e.get("detail") or {}).get("message") == CANCEL_MESSAGE
    ]
    times += [moment(e.get("at")) for e in r.results_of(CANCEL_ORDER)]
    known = [t for t in times if t is not None]
    return min(known) if known else None


def _cancellation_problems(r: ReviewInput, order: dict[str, Any], ends: datetime) -> list[str]:
    cancellation, rejection = _record(r, "cancellation"), _record(r, "cancel_rejection")
    requested = _cancel_requested(r)
    if requested is None and not cancellation and not rejection:
        return []
    inside = requested is None or requested < ends  # an undated cancellation gets the benefit of the doubt
    if cancellation.get("result") == "OK":
        refund, amount = _money(cancellation.get("refund_amount")), _money(order.get("amount"))
        if refund is None or amount is None or refund != amount:
            return [f"refunded {cancellation.get('refund_amount')} of {order.get('amount')}"]
        return []
    if not inside:
        return []  # after the cooling-off a refusal is what §5.4 allows
    if rejection:
        return [f"a cancellation inside the cooling-off was refused ({rejection.get('code')})"]
    return ["a cancellation inside the cooling-off has no refund"]


def cooling_off_respected(r: ReviewInput) -> RuleResult:
    """No confirmation before the cooling-off ends, at least 24 h from the signing, and cancellations
    inside it refunded in full (§5.4). Public products and journeys without an order have none."""
    order = _record(r, "order")
    if not order.get("order_no"):
        return RuleResult(CODE, NOT_APPLICABLE, "no order placed on the tablet")
    if order.get("cooling_off_ends_at") is None:
        if _private(r):
            return RuleResult(CODE, FLAG, "a private product ordered without a cooling-off")
        return RuleResult(CODE, NOT_APPLICABLE, "public product: no cooling-off")
    ends, signed = moment(order.get("cooling_off_ends_at")), _signed_at(r)
    if ends is None or signed is None:
        return RuleResult(CODE, FLAG, "the cooling-off end or the signing time is unreadable")
    hours = (ends - signed) / timedelta(hours=1)
    problems = (
        [f"the cooling-off ends {hours:.1f} h after the signing"] if ends - signed < MIN_COOLING_OFF else []
    )
    problems += _effective_early(r, order, ends)
    problems += _cancellation_problems(r, order, ends)
    if problems:
        return RuleResult(CODE, FLAG, "; ".join(problems))
    if _record(r, "cancellation").get("result") == "OK":
        return RuleResult(CODE, PASS, f"cancelled in a {hours:.0f} h cooling-off, refunded in full")
    return RuleResult(CODE, PASS, f"{hours:.0f} h cooling-off respected")
