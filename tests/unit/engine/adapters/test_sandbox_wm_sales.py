"""Sandbox wm_sales: fixed shelf with SM3-pinned documents, idempotent orders and assessments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from engine.adapters.ports import SHANGHAI, AssessmentRecord, OrderRequest, WealthSales
from engine.adapters.sandbox import InMemorySandboxStore, SandboxKnobs, build_sandbox_adapters

NOW = datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI)


def wm() -> WealthSales:
    return build_sandbox_adapters(
        InMemorySandboxStore(), SandboxKnobs(latency_profile="zero"), clock=lambda: NOW
    ).wm_sales


def test_the_shelf_holds_r1_to_r5_public_and_private_products_with_four_versioned_documents():
    shelf = wm().list_products("r1")
    assert {p.risk_level for p in shelf.products if p.offering == "public"} == {"R1", "R2", "R3", "R4", "R5"}
    assert {p.risk_level for p in shelf.products if p.offering == "private"} == {"R3", "R4", "R5"}
    assert all(p.cooling_off_hours >= 24 for p in shelf.products if p.offering == "private")
    docs = [d for p in shelf.products for d in p.documents]
    assert len(docs) == 4 * len(shelf.products) and len({d.content_sm3 for d in docs}) == len(docs)
    assert wm().list_products("r2").products == shelf.products  # deterministic


def order(serial: str, amount: str = "10000") -> OrderRequest:
    return OrderRequest(
        channel_serial_no=serial,
        id_number="420106199003071238",
        product_code="WM-R2-002",
        amount=Decimal(amount),
        account_no="4201011000000000002",
        assessment_no="RA1",
        signed_at=NOW,
        branch_code="WH0101",
        operator_id="fo001",
    )


def test_an_order_serial_is_idempotent_and_refuses_a_changed_payload():
    sales = wm()
    first = sales.place_order(order("s1"))
    assert sales.place_order(order("s1")) == first
    assert sales.place_order(order("s1", "20000")).result == "DUPLICATE_SERIAL_MISMATCH"
    assert sales.place_order(order("s2", "9999")).result == "BELOW_MINIMUM"


def test_an_assessment_request_is_recorded_once_and_counted_per_day():
    sales = wm()
    record = AssessmentRecord(
        request_id="a1",
        id_number="420106199003071238",
        questionnaire_version="WRQ-2025-1",
        score=50,
        level="C3",
        caps_applied=(),
        assessed_at=NOW,
        expires_at=NOW,
        record_digest="sm3:x",
        branch_code="WH0101",
        operator_id="fo001",
    )
    first = sales.record_assessment(record)
    assert sales.record_assessment(record).assessment_no == first.assessment_no
    assert sales.count_attempts("420106199003071238", NOW.date(), "c").count == 1
    assert sales.count_attempts("420115198909099220", NOW.date(), "c").levels == ("C1", "C2")
