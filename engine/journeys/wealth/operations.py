"""J3 wealth risk assessment and product signing: the service-task operations (domain.md J3, §5).

Configuration travels as operation parameters from the diagram (defaults are the bank's defaults):
`age_caps_enabled` (False), `elderly_renewal` (True), `retakes_per_day` (2, range 1–2),
`min_total_answer_ms` (60 000). Blocks that the diagram models with error boundary events raise
`BusinessRejection` with a `WEALTH_*` code; none of them has an override (§5.3 "no overrides anywhere").
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from crypto import sm3
from engine.adapters.ports import (
    SHANGHAI,
    AssessmentRecord,
    OrderRequest,
    WealthProduct,
    WealthSales,
    result_record,
)
from engine.errors import ExternalServiceError
from engine.journeys.wealth import rules
from engine.journeys.wealth.questionnaire import CURRENT_VERSION, age_band, questionnaire
from engine.operations.registry import BusinessRejection, Operation, OperationContext
from engine.settings import REPO_ROOT
from engine.workflow.decisions import DecisionContract, load_decision_file
from forms.formats import age_on, id_birth_date

RISK_LEVEL_DECISION = REPO_ROOT / "processes" / "decisions" / "wealth_risk_level.dmn"
_ORDER_REJECTED = {"PRODUCT_NOT_FOUND", "BELOW_MINIMUM", "ACCOUNT_NOT_FOUND", "INSUFFICIENT_FUNDS"}


def _wm(ctx: OperationContext) -> WealthSales:
    if ctx.adapters.wm_sales is None:
        raise ExternalServiceError("no wealth sales system is configured", system="wm_sales")
    return ctx.adapters.wm_sales


def _age(ctx: OperationContext, id_number: str) -> tuple[int, str]:
    birth = id_birth_date(id_number)
    if birth is None:
        raise ValueError("the ID number carries no valid birth date")
    today = ctx.now().astimezone(SHANGHAI).date()
    return age_on(birth, today), age_band(birth, today)


def check_assessment(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """J3 steps 1–2: the current assessment and whether the customer must (re)take the questionnaire."""
    age, band = _age(ctx, p["id_number"])
    lookup = _wm(ctx).current_assessment(p["id_number"], ctx.request_id)
    current = result_record(lookup.assessment) if lookup.assessment else None
    reasons = rules.reassessment_reasons(
        current,
        ctx.now(),
        age,
        changed_circumstances=bool(p.get("changed_circumstances", False)),
        elderly_renewal=bool(p.get("elderly_renewal", True)),
    )
    return {
        "current": current,
        "reassessment_needed": bool(reasons),
        "reasons": reasons,
        "age": age,
        "age_band": band,
        "elderly": age >= rules.ELDERLY_AGE,
        "questionnaire_version": CURRENT_VERSION,
        "allowed_product_levels": []
        if reasons or current is None
        else rules.allowed_product_levels(current["level"]),
        "request_id": lookup.request_id,
        "responded_at": lookup.responded_at.isoformat(),
    }


def check_retake_limit(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """§5.4: at most `retakes_per_day` attempts per business day; every attempt counts, signed or not."""
    limit = rules.retake_limit(p.get("retakes_per_day", rules.RETAKES_PER_DAY[1]))
    today = ctx.now().astimezone(SHANGHAI).date()
    counted = _wm(ctx).count_attempts(p["id_number"], today, ctx.request_id)
    flags = ["LEVEL_ROSE_TODAY"] if rules.rising_level(counted.levels) else []
    facts = {"attempts_today": counted.count, "limit": limit, "business_date": today.isoformat()}
    if counted.count >= limit:
        raise BusinessRejection(
            "WEALTH_RETAKE_LIMIT",
            {
                "code": "RETAKE_LIMIT_REACHED",
                "reason": "RETAKE_LIMIT_REACHED",
                **facts,
                "flags": [*flags, "RETAKE_LIMIT_REACHED"],
            },
        )
    return {**facts, "remaining": limit - counted.count, "flags": flags}


def score_assessment(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """J3 step 4: points → DMN level and caps → the §5.6 record, valid for one year."""
    form = questionnaire(p.get("questionnaire_version") or CURRENT_VERSION)
    age, band = _age(ctx, p["id_number"])
    answers = dict(p.get("answers") or {})
    scored = rules.score_answers(form, answers, dict(p.get("answer_ms") or {}), band)
    decision = load_decision_file(RISK_LEVEL_DECISION)
    outcome = decision.evaluate(
        {
            "score": scored.score,
            "knock_out": scored.knock_out,
            "age": age,
            "age_caps_enabled": bool(p.get("age_caps_enabled", False)),
        }
    )
    level = str(outcome["level"])
    assessed_at = ctx.now().astimezone(SHANGHAI)
    min_ms = int(p.get("min_total_answer_ms", rules.MIN_TOTAL_ANSWER_MS))
    record = {
        "questionnaire_version": form.version,
        "questions": scored.questions,
        "score": scored.score,
        "knock_out": scored.knock_out,
        "level": level,
        "caps_applied": list(outcome["caps_applied"]),
        "consistency_prompts": rules.consistency_prompts(answers, age, level),
        "allowed_product_levels": rules.allowed_product_levels(level),
        "age": age,
        "elderly": age >= rules.ELDERLY_AGE,
        "elderly_steps": list(rules.ELDERLY_STEPS) if age >= rules.ELDERLY_AGE else [],
        "total_answer_ms": scored.total_answer_ms,
        "flags": ["ANSWERED_TOO_FAST"] if scored.total_answer_ms < min_ms else [],
        "assessed_at": assessed_at.isoformat(),
        "expires_at": (assessed_at + rules.VALIDITY).isoformat(),
        "decision": {"id": decision.decision_id, "file": decision.file, "content_sm3": decision.content_sm3},
        "branch_code": ctx.branch_code,
        "operator_id": ctx.operator_id,
    }
    record["record_digest"] = _digest(record)
    return record


def record_assessment(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """Keep the scored attempt in the wealth sales system (every attempt, never overwritten)."""
    a = p["assessment"]
    receipt = _wm(ctx).record_assessment(
        AssessmentRecord(
            request_id=ctx.request_id,
            id_number=p["id_number"],
            questionnaire_version=a["questionnaire_version"],
            score=int(a["score"]),
            level=a["level"],
            caps_applied=tuple(a["caps_applied"]),
            assessed_at=datetime.fromisoformat(a["assessed_at"]),
            expires_at=datetime.fromisoformat(a["expires_at"]),
            record_digest=a["record_digest"],
            branch_code=ctx.branch_code,
            operator_id=ctx.operator_id,
        )
    )
    return result_record(receipt)


def confirm_assessment(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """After the customer signed the result confirmation: the attempt becomes the current assessment."""
    receipt = _wm(ctx).confirm_assessment(p["assessment_no"], str(p["signature_ref"]), ctx.request_id)
    return result_record(receipt)


def list_shelf(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """J3 step 6: only products with R ≤ C; an expired assessment shows nothing (it must be renewed)."""
    assessment = p["assessment"]
    if ctx.now() >= datetime.fromisoformat(str(assessment["expires_at"])):
        raise BusinessRejection(
            "WEALTH_UNSUITABLE", {"code": "ASSESSMENT_EXPIRED", "reasons": ["ASSESSMENT_EXPIRED"]}
        )
    shelf = _wm(ctx).list_products(ctx.request_id)
    ceiling = rules.level_digit(assessment["level"])
    return {
        "shelf_version": shelf.shelf_version,
        "products": [
            _product(prod) for prod in shelf.products if rules.level_digit(prod.risk_level) <= ceiling
        ],
        "request_id": shelf.request_id,
        "responded_at": shelf.responded_at.isoformat(),
    }


def check_suitability(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """R ≤ C, a valid assessment and the minimums; private products also the qualified-investor check."""
    product = _find_product(ctx, p["product_code"])
    amount = rules.money(p["amount"])
    facts = _product(product)
    reasons = rules.suitability_problems(p["assessment"], facts, amount, ctx.now())
    if product.offering == "private":
        reasons += rules.qualified_investor_problems(p.get("qualified_investor"))
    if reasons:
        raise BusinessRejection(
            "WEALTH_UNSUITABLE", {"code": reasons[0], "reasons": reasons, "product_code": product.code}
        )
    return {"decision": "ALLOW", "amount": str(amount), "product": facts}


def stamp_signing(ctx: OperationContext, _p: dict[str, Any]) -> dict[str, Any]:
    """The moment the customer signed, kept in the data once, so a retried order carries the same
    `signed_at` (the sales system would refuse a changed payload under the same serial, §12.5)."""
    return {"signed_at": ctx.now().astimezone(SHANGHAI).isoformat()}


def place_order(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """J3 step 8: the request id is the channel serial, so a retried call never buys twice (§12.5)."""
    result = _wm(ctx).place_order(
        OrderRequest(
            channel_serial_no=ctx.request_id,
            id_number=p["id_number"],
            product_code=p["product_code"],
            amount=rules.money(p["amount"]),
            account_no=p["account_no"],
            assessment_no=p["assessment_no"],
            signed_at=datetime.fromisoformat(str(p["signed_at"])),
            branch_code=ctx.branch_code,
            operator_id=ctx.operator_id,
        )
    )
    if result.result in _ORDER_REJECTED:
        raise BusinessRejection("WEALTH_ORDER_REJECTED", {"code": result.result, "reason": result.result})
    if result.result != "OK":
        raise ExternalServiceError(
            f"wm_sales answered {result.result}", system="wm_sales", reason=result.result
        )
    return result_record(result)


def cancel_order(ctx: OperationContext, p: dict[str, Any]) -> dict[str, Any]:
    """Cancellation in the cooling-off period refunds the full amount (§5.4); later it is refused."""
    result = _wm(ctx).cancel_order(p["order_no"], ctx.request_id)
    if result.result != "OK":
        raise BusinessRejection("WEALTH_CANCEL_REFUSED", {"code": result.result, "reason": result.result})
    return result_record(result)


def _find_product(ctx: OperationContext, code: str) -> WealthProduct:
    shelf = _wm(ctx).list_products(ctx.request_id + ":shelf")
    found = next((prod for prod in shelf.products if prod.code == code), None)
    if found is None:
        raise BusinessRejection(
            "WEALTH_UNSUITABLE", {"code": "PRODUCT_NOT_ON_SHELF", "reasons": ["PRODUCT_NOT_ON_SHELF"]}
        )
    return found


def _product(product: WealthProduct) -> dict[str, Any]:
    facts = result_record(product)
    facts["requires_qualified_investor"] = product.offering == "private"
    return facts


def _digest(record: Mapping[str, Any]) -> str:
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sm3:" + sm3(canonical.encode()).hex()


# --- the DMN table's contract, for `fieldbank processes validate` --------------------------------------


def _risk_level_samples() -> Iterator[dict[str, Any]]:
    low, high = questionnaire(CURRENT_VERSION).score_range
    for knock_out, caps, age in ((False, False, 40), (True, False, 40), (False, True, 66), (False, True, 75)):
        for score in range(low, high + 1):
            yield {"score": score, "knock_out": knock_out, "age": age, "age_caps_enabled": caps}


def _risk_level_output_problem(out: Mapping[str, Any]) -> str | None:
    if out.get("level") not in rules.LEVELS:
        return f"level must be one of {', '.join(rules.LEVELS)}, got {out.get('level')!r}"
    caps = out.get("caps_applied")
    if not isinstance(caps, list) or not all(isinstance(c, str) for c in caps):
        return f"caps_applied must be a list of cap names, got {caps!r}"
    return None


DECISION_CONTRACTS: dict[str, DecisionContract] = {
    "wealth_risk_level": DecisionContract(
        inputs=frozenset({"score", "knock_out", "age", "age_caps_enabled"}),
        outputs=frozenset({"level", "caps_applied"}),
        samples=_risk_level_samples,
        check_output=_risk_level_output_problem,
    )
}


OPERATIONS = (
    Operation("wealth.check_assessment", check_assessment, system="wm_sales"),
    Operation("wealth.check_retake_limit", check_retake_limit, system="wm_sales"),
    Operation("wealth.score_assessment", score_assessment, system="rules", inline=True),
    Operation("wealth.record_assessment", record_assessment, system="wm_sales"),
    Operation("wealth.confirm_assessment", confirm_assessment, system="wm_sales"),
    Operation("wealth.list_shelf", list_shelf, system="wm_sales"),
    Operation("wealth.check_suitability", check_suitability, system="wm_sales"),
    Operation("wealth.stamp_signing", stamp_signing, system="rules", inline=True),
    Operation("wealth.place_order", place_order, system="wm_sales"),
    Operation("wealth.cancel_order", cancel_order, system="wm_sales"),
)
