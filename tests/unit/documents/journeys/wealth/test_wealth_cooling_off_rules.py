"""COOLING_OFF_RESPECTED on the signed sample turned into an order placed on the tablet, shaped as the
diagram records it: `signing`, `order` and `cancellation` / `cancel_rejection` in Asia/Shanghai, the
trail (timer, cancellation message, wm_sales results, the end) in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from documents.journeys.wealth import cooling_off_rules
from documents.supervision.review import FLAG, NOT_APPLICABLE, PASS, ReviewInput, RuleResult
from tests.unit.documents.journeys.wealth.test_wealth_supervision_rules import event, review_input

SHANGHAI = ZoneInfo("Asia/Shanghai")
PRIVATE = {"code": "WM-R4-006", "name": "私募稳健一号", "risk_level": "R3", "offering": "private"}


def trail_event(kind: str, at: datetime, task_spec: str | None = None, **detail: Any) -> dict[str, Any]:
    at_utc = at.astimezone(UTC).isoformat()
    return {"kind": kind, "at": at_utc, "actor_id": None, "task_spec": task_spec, "detail": detail}


def ordered(*, hours: float = 24, private: bool = True, amount: str = "300000.00") -> ReviewInput:
    """The sample, signed and then ordered: a private product's order waits `hours` of cooling-off."""
    r = review_input()
    signed = datetime.fromisoformat(event(r, "product_signing")["at"]).astimezone(SHANGHAI)
    ends = signed + timedelta(hours=hours) if private else None
    r.data["chosen_product"] = PRIVATE if private else {**PRIVATE, "offering": "public"}
    r.data["signing"] = {"signed_at": signed.isoformat()}
    r.data["order"] = {
        "result": "OK",
        "order_no": "WO202506121234567890",
        "status": "COOLING_OFF" if private else "ACCEPTED",
        "amount": amount,
        "cooling_off_ends_at": ends.isoformat() if ends else None,
    }
    r.trail = [e for e in r.trail if e["kind"] != "instance_completed"]
    r.trail.append(trail_event("service_result", signed, "place_order", operation="wealth.place_order"))
    return r


def ends_at(r: ReviewInput) -> datetime:
    return datetime.fromisoformat(r.data["order"]["cooling_off_ends_at"])


def confirmed(r: ReviewInput, at: datetime) -> ReviewInput:
    """The cooling-off timer fires at `at` and the journey ends with the order effective."""
    r.trail.append(trail_event("timer_fired", at, "await_cooling_off"))  # as the engine records it
    r.trail.append(trail_event("instance_completed", at, outcome="ORDER_PLACED", reason="COOLING_OFF_ENDED"))
    return r


def cancelled(
    r: ReviewInput, at: datetime, *, refund: str | None = None, refused: str | None = None
) -> ReviewInput:
    r.trail.append(trail_event("message_received", at, message="wealth_cooling_off_cancel"))
    result = refused or "OK"
    r.trail.append(
        trail_event("service_result", at, "cancel_order", operation="wealth.cancel_order", result=result)
    )
    if refused:
        r.data["cancel_rejection"] = {"code": refused, "reason": refused}
        outcome = "ORDER_PLACED"
    else:
        r.data["cancellation"] = {
            "result": "OK",
            "order_no": r.data["order"]["order_no"],
            "refund_amount": refund,
        }
        outcome = "CANCELLED_IN_COOLING_OFF"
    r.trail.append(trail_event("instance_completed", at, outcome=outcome))
    return r


def check(r: ReviewInput) -> RuleResult:
    return cooling_off_rules.cooling_off_respected(r)


# ------------------------------------------------------------------ not applicable


def test_no_order_or_a_public_product_has_no_cooling_off() -> None:
    assert check(review_input()) == RuleResult(
        "COOLING_OFF_RESPECTED", NOT_APPLICABLE, "no order placed on the tablet"
    )
    public = ordered(private=False)
    public.trail.append(trail_event("instance_completed", datetime.now(UTC), outcome="ORDER_PLACED"))
    assert check(public) == RuleResult(
        "COOLING_OFF_RESPECTED", NOT_APPLICABLE, "public product: no cooling-off"
    )


def test_a_private_product_ordered_without_a_cooling_off_is_flagged() -> None:
    r = ordered()
    r.data["order"]["cooling_off_ends_at"] = None
    assert check(r) == RuleResult(
        "COOLING_OFF_RESPECTED", FLAG, "a private product ordered without a cooling-off"
    )


# ------------------------------------------------------------------ confirmation


def test_an_order_confirmed_when_the_24_hours_ran_out_passes() -> None:
    r = ordered()
    result = check(confirmed(r, ends_at(r) + timedelta(seconds=1)))
    assert result == RuleResult("COOLING_OFF_RESPECTED", PASS, "24 h cooling-off respected")


def test_an_order_confirmed_before_the_cooling_off_ended_is_flagged() -> None:
    r = ordered()
    result = check(confirmed(r, ends_at(r) - timedelta(minutes=1)))
    assert result.result == FLAG
    assert result.reason == (
        "the cooling-off timer fired before it ended; "
        "the order was treated as effective before the cooling-off ended"
    )


def test_an_order_the_sales_system_accepted_at_once_is_flagged() -> None:
    r = ordered()
    r.data["order"]["status"] = "ACCEPTED"
    result = check(confirmed(r, ends_at(r)))
    assert (result.result, result.reason) == (FLAG, "the order was confirmed at placement")


def test_a_cooling_off_under_24_hours_from_the_signing_is_flagged() -> None:
    r = ordered(hours=23.5)
    result = check(confirmed(r, ends_at(r)))
    assert (result.result, result.reason) == (FLAG, "the cooling-off ends 23.5 h after the signing")


def test_the_24_hours_count_from_the_latest_record_of_the_signing() -> None:
    r = ordered()
    stamped = datetime.fromisoformat(r.data["signing"]["signed_at"])
    r.data["signing"]["signed_at"] = (stamped + timedelta(hours=1)).isoformat()  # stamped an hour later
    result = check(confirmed(r, ends_at(r)))
    assert (result.result, result.reason) == (FLAG, "the cooling-off ends 23.0 h after the signing")


def test_unreadable_times_are_flagged() -> None:
    r = ordered()
    r.data["order"]["cooling_off_ends_at"] = "tomorrow"
    assert check(r).result == FLAG
    r = ordered()
    r.data["signing"]["signed_at"] = "2025-06-12T10:12:00"  # no offset: not ours to guess
    r.trail = [e for e in r.trail if e.get("task_spec") != "product_signing"]
    assert check(r).result == FLAG


# ------------------------------------------------------------------ cancellation


def test_a_cancellation_inside_the_cooling_off_refunded_in_full_passes() -> None:
    r = ordered()
    result = check(cancelled(r, ends_at(r) - timedelta(hours=4), refund="300000.00"))
    assert result == RuleResult(
        "COOLING_OFF_RESPECTED", PASS, "cancelled in a 24 h cooling-off, refunded in full"
    )
    r = ordered(amount="300000")
    assert check(cancelled(r, ends_at(r) - timedelta(hours=4), refund="300000.00")).result == PASS


def test_a_cancellation_refunded_in_part_is_flagged() -> None:
    r = ordered()
    result = check(cancelled(r, ends_at(r) - timedelta(hours=4), refund="299000.00"))
    assert (result.result, result.reason) == (FLAG, "refunded 299000.00 of 300000.00")
    r = ordered()
    assert check(cancelled(r, ends_at(r) - timedelta(hours=4), refund=None)).result == FLAG


def test_a_cancellation_inside_the_cooling_off_that_was_refused_is_flagged() -> None:
    r = ordered()
    result = check(cancelled(r, ends_at(r) - timedelta(hours=1), refused="COOLING_OFF_ENDED"))
    assert result.result == FLAG
    assert "a cancellation inside the cooling-off was refused (COOLING_OFF_ENDED)" in result.reason


def test_a_cancellation_refused_after_the_cooling_off_ended_passes() -> None:
    r = ordered()
    result = check(cancelled(r, ends_at(r) + timedelta(minutes=5), refused="COOLING_OFF_ENDED"))
    assert result == RuleResult("COOLING_OFF_RESPECTED", PASS, "24 h cooling-off respected")


def test_a_cancellation_asked_for_inside_the_cooling_off_without_any_answer_is_flagged() -> None:
    r = ordered()
    r.trail.append(
        trail_event("message_received", ends_at(r) - timedelta(hours=2), message="wealth_cooling_off_cancel")
    )
    result = check(r)
    assert (result.result, result.reason) == (FLAG, "a cancellation inside the cooling-off has no refund")


def test_times_in_utc_and_in_shanghai_compare_as_moments() -> None:
    r = ordered()
    # 08:00 UTC is 16:00 in Shanghai: one minute before the end however it is written
    end = ends_at(r)
    just_before = (end - timedelta(minutes=1)).astimezone(UTC)
    assert just_before.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(hours=8)
    assert check(confirmed(r, just_before)).result == FLAG
