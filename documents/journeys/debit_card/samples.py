"""Sample J1 evidence facts shaped like real instance data (sandbox identities, domain §13.2).

Used by `DocumentRenderer.warm_up`, the render benchmark and the tests: a clean OPENED journey for 张伟
and a watch-list (sanctions) refusal for 唐敏 that ended right after the ID card step.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from documents.evidence.facts import EvidenceFacts, EvidenceImage
from documents.sample_images import stroke_png

OPENED_INSTANCE = "3f6d2b8e-5c1a-4e7b-9d2f-8a1c0e4b7d62"
REFUSED_INSTANCE = "b81e4c07-2d9a-4f3b-8e6c-1a5d9f0b3c27"
_START = datetime(2025, 6, 1, 9, 30, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
_SM3 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def signature_png(width: int = 360, height: int = 120) -> bytes:
    """A pen stroke standing in for the tablet's signature capture."""
    return stroke_png(lambda x: 28 * math.sin(x / 23) * math.cos(x / 71), width, height)


def _event(
    minutes: float, kind: str, task_spec: str | None = None, actor: str | None = "fo001", **detail: Any
) -> dict[str, Any]:
    return {
        "kind": kind,
        "at": _START + timedelta(minutes=minutes),
        "actor_id": actor,
        "device_id": "TAB-WH0101-007" if actor else None,
        "task_spec": task_spec,
        "detail": detail,
    }


def request_id(instance_id: str, task: str) -> str:
    """Shaped like the engine's: instance id + SpiffWorkflow task id (both UUIDs)."""
    return f"{instance_id}:{uuid5(NAMESPACE_URL, instance_id + task)}"


def _task(minutes: float, task_spec: str) -> dict[str, Any]:
    return _event(minutes, "task_completed", task_spec, role="field_officer")


def _call(minutes: float, task_spec: str, request_id: str, result: str, **detail: Any) -> dict[str, Any]:
    return _event(minutes, "service_result", task_spec, None, request_id=request_id, result=result, **detail)


def _id_card_data(instance_id: str, name: str, id_number: str, sex: str, birth: str) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "branch_code": "WH0101",
        "operator_id": "fo001",
        "device_id": "TAB-WH0101-007",
        "product_code": "DC_STANDARD",
        "customer_name": name,
        "sex": sex,
        "ethnicity": "01",
        "birth_date": birth,
        "id_number": id_number,
        "registered_address": "湖北省武汉市武昌区中南路99号",
        "issuing_authority": "武汉市公安局武昌分局",
        "id_valid_from": "2020-01-01",
        "id_valid_to": "2040-01-01",
        "privacy_notice_ack": True,
        "biometric_separate": True,
        "third_party_verification": True,
    }


def _images() -> list[EvidenceImage]:
    png = signature_png()
    return [
        EvidenceImage(role, f"att_{i:032d}", "image/png", png, _SM3[i:] + _SM3[:i])
        for i, role in enumerate(("chip_photo", "id_front", "id_back", "live_face", "signature"))
    ]


def _facts(data: dict[str, Any], trail: list[dict[str, Any]], **over: Any) -> EvidenceFacts:
    base: dict[str, Any] = {
        "package_id": "EP-" + data["instance_id"],
        "process_id": "debit_card_opening",
        "process_name": "借记卡开户开卡 (J1)",
        "definition_version": 3,
        "definition_sha": "9d2c" * 16,
        "instance_id": data["instance_id"],
        "business_key": None,
        "branch_code": "WH0101",
        "branch_name": "武昌中南路支行",
        "staff_id": "fo001",
        "staff_name": "李明",
        "device_id": "TAB-WH0101-007",
        "outcome": data["outcome"],
        "outcome_reason": data["outcome_reason"],
        "started_at": _START,
        "completed_at": trail[-1]["at"],
        "data": data,
        "trail": trail,
    }
    return EvidenceFacts(**{**base, **over})


def _echo(instance_id: str, task: str, minutes: float, **fields: Any) -> dict[str, Any]:
    """A check's result record: the adapter's answer echoing its request id and response time."""
    at = (_START + timedelta(minutes=minutes)).isoformat()
    return {"request_id": request_id(instance_id, task), "responded_at": at, **fields}


def opened_facts() -> EvidenceFacts:
    """A clean J1: Class I account opened, every check passed, all documents signed."""
    i = OPENED_INSTANCE
    data = _id_card_data(i, "张伟", "420106199003071238", "1", "1990-03-07")
    data.update(
        identity_result=_echo(i, "identity", 1.1, result="MATCH_WITH_PHOTO", has_registry_photo=True),
        watchlist_result=_echo(i, "watchlist", 1.1, result="CLEAR", list_version="WL-2025.06-r1"),
        face_result=_echo(
            i, "face", 2.2, result="PASS", score=90.71, attempt=1, engine_version="sandbox-face 3.2.0",
            reference="registry", threshold_pass=80.0, threshold_gray=65.0,
        ),
        reserved_mobile="13900001234",
        residential_address={"province_code": "420000", "city_code": "420100", "district_code": "420106",
                             "detail": "武昌区中南路99号1栋1单元101室"},
        occupation_code="4", account_purpose="daily_spending", tax_residency="CN_ONLY",
        pep_declaration=False, marketing_optin=False,
        mobile_result=_echo(i, "mobile", 4.1, result="MATCH", operator="cmcc", status="normal", flags=[]),
        otp_result={"result": "VERIFIED"},
        account_decision={"decision": "OK", "account_class": "I", "risk_score": 0,
                          "authorization_reasons": []},
        risk_notice_read=True, declaration_own_use=True, declaration_no_rent_lend_sell=True,
        card_no="6219994201000010019",
        card_check=_echo(i, "card", 6.4, result="OK", card_no="6219994201000010019"),
        core_result=_echo(
            i, "open", 6.7, result="OK", cif_no="C1450822432", account_no="0101001550738286359",
            card_no="6219994201000010019", core_serial_no="CB202506018366719833", business_date="2025-06-01",
        ),
        customer_signature="att_00000000000000000000000000000004",
        documents_confirmed=True, operator_attestation=True,
        outcome="OPENED", outcome_reason="CARD_OPENED",
    )  # fmt: skip
    trail = [
        _event(0, "instance_started", None, process_id="debit_card_opening", definition_version=3),
        _task(1, "id_card"),
        _call(1.1, "identity_check", request_id(i, "identity"), "MATCH_WITH_PHOTO"),
        _call(1.1, "watchlist_screen", request_id(i, "watchlist"), "CLEAR"),
        _task(2, "face_check"),
        _call(2.2, "face_compare", request_id(i, "face"), "PASS"),
        _task(3.5, "customer_details"),
        _call(4.1, "mobile_check", request_id(i, "mobile"), "MATCH"),
        _task(4.6, "otp_entry"),
        _task(5, "risk_notice"),
        _task(6.3, "card_scan"),
        _call(6.4, "check_card", request_id(i, "card"), "OK"),
        _call(6.7, "open_account", request_id(i, "open"), "OK"),
        _task(8, "signing"),
        _event(8, "instance_completed", None, None, outcome="OPENED", reason="CARD_OPENED"),
    ]
    return _facts(data, trail, images=_images(), reviewer_id="fo002")


def refused_facts() -> EvidenceFacts:
    """A sanctions hit (§13.2 **912**): refused in the pre-checks; the record holds only the neutral code."""
    i = REFUSED_INSTANCE
    data = _id_card_data(i, "唐敏", "420104197004049129", "2", "1970-04-04")
    data.update(
        identity_result=_echo(i, "identity", 1.1, result="MATCH_WITH_PHOTO", has_registry_photo=True),
        precheck_rejection={"code": "WATCHLIST_BLOCK", "reason": "GENERAL_POLICY"},
        outcome="REFUSED",
        outcome_reason="GENERAL_POLICY",
    )
    trail = [
        _event(0, "instance_started", None, process_id="debit_card_opening", definition_version=3),
        _task(1, "id_card"),
        _call(1.1, "identity_check", request_id(i, "identity"), "MATCH_WITH_PHOTO"),
        _call(
            1.2,
            "watchlist_screen",
            request_id(i, "watchlist"),
            "WATCHLIST_BLOCK",
            bpmn_error="PRECHECK_REFUSED",
        ),
        _event(1.2, "instance_completed", None, None, outcome="REFUSED", reason="GENERAL_POLICY"),
    ]
    images = [image for image in _images() if image.role in ("chip_photo", "id_front", "id_back")]
    return _facts(data, trail, images=images)
