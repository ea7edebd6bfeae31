"""A sample finished J3 shaped like real instance data: 张伟 (§13.2, clean) retook the questionnaire on
a changed circumstance, scored by the real rules, signed the result and the agreement of an R3 product."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crypto import sm3
from documents.evidence.facts import EvidenceFacts, EvidenceImage
from documents.journeys.debit_card.samples import signature_png
from engine.adapters.sandbox.recording import sandbox_recording
from engine.journeys.wealth import rules
from engine.journeys.wealth.questionnaire import WRQ_2025_1

INSTANCE = "5a0c3e91-7b2d-4c6f-8e14-2d9b6f0a1c33"
_START = datetime(2025, 6, 12, 10, 0, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
_SM3 = "0b4d6e5f3c2a1908f7e6d5c4b3a29180706f5e4d3c2b1a09f8e7d6c5b4a39281"
ANSWERS = {
    "income_band": "200k_500k",
    "invest_share": "50_70",
    "experience_type": "bonds_bond_funds",
    "experience_years": "1_3",
    "knowledge": "basic",
    "objective": "balanced",
    "horizon": "6_12m",
    "max_loss": "5_10",
    "loss_reaction": "hold",
}


def _event(minutes: float, kind: str, task_spec: str | None = None, **detail: Any) -> dict[str, Any]:
    actor = "fo001" if kind in ("instance_started", "task_completed") else None
    return {
        "kind": kind,
        "at": _START + timedelta(minutes=minutes),
        "actor_id": actor,
        "device_id": "TAB-WH0101-007" if actor else None,
        "task_spec": task_spec,
        "detail": detail,
    }


def _documents(code: str, name: str, version: str) -> list[dict[str, str]]:
    """A product's four sales documents as the sandbox shelf pins them (sandbox/wm_sales.py)."""
    titles = {
        "product_description": "产品说明书",
        "risk_disclosure": "风险揭示书",
        "sales_agreement": "销售协议书",
        "investor_rights": "投资者权益须知",
    }
    return [
        {
            "kind": kind,
            "title": f"《{name}{title}》",
            "version": version,
            "content_sm3": sm3(f"{code}|{kind}|{version}".encode()).hex(),
        }
        for kind, title in titles.items()
    ]


def signed_facts() -> EvidenceFacts:
    answers = dict(ANSWERS)
    scored = rules.score_answers(WRQ_2025_1, answers, dict.fromkeys(answers, 14_000), "31_50")
    assessed_at = _START + timedelta(minutes=6)
    assessment = {
        "questionnaire_version": WRQ_2025_1.version,
        "questions": scored.questions,
        "score": scored.score,
        "knock_out": scored.knock_out,
        "level": "C3",
        "caps_applied": [],
        "consistency_prompts": [],
        "allowed_product_levels": rules.allowed_product_levels("C3"),
        "total_answer_ms": scored.total_answer_ms,
        "flags": [],
        "assessed_at": assessed_at.isoformat(),
        "expires_at": (assessed_at + rules.VALIDITY).isoformat(),
        "record_digest": "sm3:" + _SM3,
    }
    data = {
        "customer_name": "张伟",
        "id_number": "420106199003071238",
        "changed_circumstances": True,
        "assessment_check": {
            "reassessment_needed": True,
            "reasons": ["CHANGED_CIRCUMSTANCES"],
            # the previous assessment wm_sales held when the journey started
            "current": {"level": "C2", "assessed_at": (_START - timedelta(days=200)).isoformat()},
        },
        **answers,
        "assessment": assessment,
        "assessment_receipt": {"assessment_no": "RA2025061212345678", "status": "SCORED"},
        "current_assessment": assessment,
        "assessment_signature": "att_" + "4" * 32,
        "risk_hand_copy_image": "att_" + "6" * 32,
        "agreement_signature": "att_" + "5" * 32,
        "dual_recording": "att_" + "7" * 32,
        "chosen_product": {
            "code": "WM-R3-003",
            "name": "平衡增利一年",
            "risk_level": "R3",
            "offering": "public",
            "asset_class": "mixed",
            "issuer": "wm_company",
            "min_amount": "10000.00",
            "cooling_off_hours": 0,
            "documents": _documents("WM-R3-003", "平衡增利一年", "2025.03"),
            "requires_qualified_investor": False,
        },
        "product_code": "WM-R3-003",
        "outcome": "AGREEMENT_SIGNED",
        "outcome_reason": "AGREEMENT_SIGNED",
    }
    trail = [
        _event(
            0,
            "instance_started",
            process_id="wealth_risk_assessment",
            definition_version=1,
            qualification="wealth_sales",
        ),
        _event(1, "task_completed", "circumstances", role="field_officer", changed_circumstances=True),
        _event(4, "task_completed", "questionnaire", role="field_officer", by_customer=True),
        _event(7, "task_completed", "confirmation", role="field_officer", by_customer=True),
        _event(9, "task_completed", "product_selection", role="field_officer", product_code="WM-R3-003"),
        _event(12, "task_completed", "product_signing", role="field_officer", by_customer=True),
        _event(12, "instance_completed", outcome="AGREEMENT_SIGNED", reason="AGREEMENT_SIGNED"),
    ]
    png = signature_png()
    images = [  # the package holds them under their roles, each with its upload's SM3
        EvidenceImage(role, str(data[field]), "image/png", png, sm3(png).hex())
        for field, role in (
            ("assessment_signature", "assessment_signature"),
            ("risk_hand_copy_image", "hand_copy"),
            ("agreement_signature", "agreement_signature"),
        )
    ]
    recording = sandbox_recording(185_000, seed=INSTANCE)
    images.append(
        EvidenceImage(
            "dual_recording", str(data["dual_recording"]), "video/mp4", recording, sm3(recording).hex()
        )
    )
    return EvidenceFacts(
        package_id="EP-" + INSTANCE,
        process_id="wealth_risk_assessment",
        process_name="理财风险测评与产品签约 (J3)",
        definition_version=1,
        definition_sha="3e7a" * 16,
        instance_id=INSTANCE,
        business_key=None,
        branch_code="WH0101",
        branch_name="武昌中南路支行",
        staff_id="fo001",
        staff_name="李明",
        device_id="TAB-WH0101-007",
        outcome="AGREEMENT_SIGNED",
        outcome_reason="AGREEMENT_SIGNED",
        started_at=_START,
        completed_at=trail[-1]["at"],
        data=data,
        trail=trail,
        images=images,
    )


def cancelled_order_facts() -> EvidenceFacts:
    """The same customer bought the private 私享固收一号 on the tablet (purchase on) and cancelled it in the
    cooling-off period for a full refund (§5.4)."""
    facts = signed_facts()
    signed = _START + timedelta(minutes=12)
    ends = signed + timedelta(hours=24)
    product = {
        **facts.data["chosen_product"],
        "code": "PWM-R3-101",
        "name": "私享固收一号",
        "offering": "private",
        "asset_class": "fixed_income",
        "min_amount": "300000.00",
        "cooling_off_hours": 24,
        "documents": _documents("PWM-R3-101", "私享固收一号", "2025.04"),
        "requires_qualified_investor": True,
    }
    data = {
        **facts.data,
        "chosen_product": product,
        "product_code": "PWM-R3-101",
        "amount": "300000.00",
        "payment_account_no": "6230580000012345678",
        "cif_result": {"cif_no": "CIF0000123456", "class_i_count": 1, "class_ii_count": 0},
        "signing": {"signed_at": signed.isoformat()},
        "order": {
            "result": "OK",
            "order_no": "WO2025061200000042",
            "status": "COOLING_OFF",
            "amount": "300000.00",
            "cooling_off_ends_at": ends.isoformat(),
            "request_id": "req-" + INSTANCE[:8] + "-place_order",
            "responded_at": (signed + timedelta(seconds=2)).isoformat(),
        },
        "cooling_off": {"started_at": signed.isoformat(), "ends_at": ends.isoformat(), "duration": "PT24H"},
        "cancellation": {
            "result": "OK",
            "order_no": "WO2025061200000042",
            "refund_amount": "300000.00",
            "responded_at": (signed + timedelta(hours=5)).isoformat(),
        },
        "outcome": "CANCELLED_IN_COOLING_OFF",
        "outcome_reason": "CANCELLED_IN_COOLING_OFF",
    }
    ended = signed + timedelta(hours=5, seconds=3)
    trail = [
        *facts.trail[:-1],
        _event(12.1, "service_result", "place_order", operation="wealth.place_order", result="OK"),
        _event(300, "service_result", "cancel_order", operation="wealth.cancel_order", result="OK"),
        {**_event(300.1, "instance_completed", outcome="CANCELLED_IN_COOLING_OFF"), "at": ended},
    ]
    return dataclasses.replace(
        facts,
        data=data,
        trail=trail,
        outcome="CANCELLED_IN_COOLING_OFF",
        outcome_reason="CANCELLED_IN_COOLING_OFF",
        completed_at=ended,
    )
