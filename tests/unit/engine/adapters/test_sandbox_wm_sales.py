"""Sandbox wm_sales: fixed shelf with SM3-pinned documents, idempotent orders and assessments, and
purchases that freeze the sandbox core's own balances (one source of truth, §13.5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from engine.adapters.ports import SHANGHAI, AssessmentRecord, OpenAccountRequest, OrderRequest, WealthSales
from engine.adapters.sandbox import (
    InMemorySandboxStore,
    SandboxAdapters,
    SandboxKnobs,
    build_sandbox_adapters,
    card_number,
)

NOW = datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI)
ZHANG, WANG = ("420106199003071238", "张伟"), ("420102198506150026", "王芳")


def bank(clock: list[datetime] | None = None) -> SandboxAdapters:
    moment = clock or [NOW]
    return build_sandbox_adapters(
        InMemorySandboxStore(), SandboxKnobs(latency_profile="zero"), clock=lambda: moment[0]
    )


def wm() -> WealthSales:
    return bank().wm_sales


def open_account(adapters: SandboxAdapters, person: tuple[str, str], sequence: int = 1) -> str:
    """A J1's Class I (sequence 1) or Class II account in the sandbox core; the card is per person."""
    opened = adapters.core.open_account(
        OpenAccountRequest(
            channel_serial_no=f"j1-{person[0]}-{sequence}",
            id_number=person[0],
            name=person[1],
            mobile="13900001234",
            account_class="I" if sequence == 1 else "II",
            product_code="DC_STANDARD",
            card_no=card_number(int(person[0][-5:-1]) * 10 + sequence),
            branch_code="WH0101",
            operator_id="fo001",
        )
    )
    assert opened.result == "OK" and opened.account_no, opened
    return opened.account_no


def test_the_shelf_holds_r1_to_r5_public_and_private_products_with_four_versioned_documents():
    shelf = wm().list_products("r1")
    assert {p.risk_level for p in shelf.products if p.offering == "public"} == {"R1", "R2", "R3", "R4", "R5"}
    assert {p.risk_level for p in shelf.products if p.offering == "private"} == {"R3", "R4", "R5"}
    assert all(p.cooling_off_hours >= 24 for p in shelf.products if p.offering == "private")
    docs = [d for p in shelf.products for d in p.documents]
    assert len(docs) == 4 * len(shelf.products) and len({d.content_sm3 for d in docs}) == len(docs)
    assert wm().list_products("r2").products == shelf.products  # deterministic


def order(
    serial: str,
    amount: str = "10000",
    account_no: str = "4201011000000000002",
    *,
    buyer: str = ZHANG[0],
    product: str = "WM-R2-002",
) -> OrderRequest:
    return OrderRequest(
        channel_serial_no=serial,
        id_number=buyer,
        product_code=product,
        amount=Decimal(amount),
        account_no=account_no,
        assessment_no="RA1",
        signed_at=NOW,
        branch_code="WH0101",
        operator_id="fo001",
    )


def test_an_order_serial_is_idempotent_and_refuses_a_changed_payload():
    adapters = bank()
    sales, account = adapters.wm_sales, open_account(adapters, ZHANG)
    first = sales.place_order(order("s1", account_no=account))
    assert first.result == "OK"
    assert sales.place_order(order("s1", account_no=account)) == first
    assert sales.place_order(order("s1", "20000", account)).result == "DUPLICATE_SERIAL_MISMATCH"
    assert sales.place_order(order("s2", "9999", account)).result == "BELOW_MINIMUM"
    assert adapters.core.balances.available(account) == Decimal("190000.00")  # frozen once, not thrice


def test_an_order_freezes_the_sandbox_cores_balance_and_a_second_order_sees_only_the_rest():
    adapters = bank()
    core, sales, account = adapters.core, adapters.wm_sales, open_account(adapters, ZHANG)
    assert core.balances.available(account) == Decimal("200000.00")  # 张伟's fixture balance in the core
    assert sales.place_order(order("s1", "150000", account)).result == "OK"
    assert core.balances.available(account) == Decimal("50000.00")
    assert core.balances.balance(account) == Decimal("200000.00")  # frozen, not debited
    assert sales.place_order(order("s2", "60000", account)).result == "INSUFFICIENT_FUNDS"
    assert sales.place_order(order("s3", "50000", account)).result == "OK"  # exactly what is left
    assert core.balances.available(account) == Decimal(0)


def test_a_freeze_stays_on_its_account_and_an_order_must_name_the_buyers_own_account():
    adapters = bank()
    first, second = open_account(adapters, ZHANG), open_account(adapters, ZHANG, 2)
    theirs = open_account(adapters, WANG)
    sales = adapters.wm_sales
    assert sales.place_order(order("s1", "200000", first)).result == "OK"
    assert adapters.core.balances.available(second) == Decimal("200000.00")  # its own balance
    assert sales.place_order(order("s2", "10000", theirs)).result == "ACCOUNT_NOT_FOUND"  # 王芳's
    assert sales.place_order(order("s3", "10000", "4201011999999999999")).result == "ACCOUNT_NOT_FOUND"
    assert adapters.core.balances.available(theirs) == Decimal("8000000.00")  # nothing frozen there


def test_a_cancellation_in_the_cooling_off_releases_the_freeze_in_full_once():
    clock = [NOW]
    adapters = bank(clock)
    sales, balances, account = adapters.wm_sales, adapters.core.balances, open_account(adapters, WANG)
    placed = sales.place_order(order("p1", "300000", account, buyer=WANG[0], product="PWM-R3-101"))
    assert (placed.status, balances.available(account)) == ("COOLING_OFF", Decimal("7700000.00"))
    assert placed.order_no is not None
    cancelled = sales.cancel_order(placed.order_no, "c1")
    assert (cancelled.result, cancelled.refund_amount) == ("OK", Decimal("300000.00"))
    assert balances.available(account) == Decimal("8000000.00")
    assert sales.cancel_order(placed.order_no, "c2").result == "ALREADY_CANCELLED"
    assert balances.available(account) == Decimal("8000000.00")  # released once, not twice

    late = sales.place_order(order("p2", "300000", account, buyer=WANG[0], product="PWM-R3-101"))
    assert late.order_no is not None
    clock[0] = NOW + timedelta(hours=24)
    assert sales.cancel_order(late.order_no, "c3").result == "COOLING_OFF_ENDED"
    assert balances.available(account) == Decimal("7700000.00")  # the order stands, the money stays


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
