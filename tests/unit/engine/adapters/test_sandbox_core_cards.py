"""Sandbox card stock and binding rules (§6.6, §13.5)."""

from __future__ import annotations

import pytest

from engine.adapters.sandbox import card_number


def test_sandbox_card_numbers_are_bin_region_sequence_and_luhn():
    assert [card_number(n) for n in (1, 2, 3)] == [
        "6219994201000000010",
        "6219994201000000028",
        "6219994201000000036",
    ]


@pytest.mark.parametrize(
    ("card_no", "expected"),
    [
        ("6219994201000000010", "OK"),
        ("6219994201000000028", "OK"),
        (card_number(899_999), "OK"),
        ("6219994201000000036", "CARD_ALREADY_BOUND"),
        (card_number(99), "CARD_DAMAGED"),
        (card_number(900_000), "CARD_NOT_IN_STOCK"),
        (card_number(0), "CARD_NOT_IN_STOCK"),
        ("6219994201000000011", "CARD_NOT_IN_STOCK"),
        ("6222024201000000012", "CARD_NOT_IN_STOCK"),
        ("621999420100000001", "CARD_NOT_IN_STOCK"),
    ],
    ids=[
        "seq 1",
        "seq 2",
        "last blank",
        "pre-bound 0036",
        "damaged 99",
        "seq 900000",
        "seq 0",
        "bad Luhn",
        "other BIN",
        "too short",
    ],
)
def test_card_check_by_number(adapters, card_no, expected):
    result = adapters.core.check_card(card_no, "fo-001", "req-1")
    assert (result.result, result.card_no, result.request_id) == (expected, card_no, "req-1")


def test_a_card_bound_by_an_earlier_opening_is_already_bound(adapters, open_request):
    assert adapters.core.open_account(open_request()).result == "OK"
    assert adapters.core.check_card("6219994201000000010", "fo-002", "r").result == "CARD_ALREADY_BOUND"
    other = adapters.core.open_account(
        open_request(channel_serial_no="S-2", id_number="420102198506150026", name="王芳")
    )
    assert other.result == "CARD_ALREADY_BOUND"


@pytest.mark.parametrize(
    ("card_no", "expected"),
    [
        (card_number(99), "CARD_DAMAGED"),
        (card_number(950_000), "CARD_NOT_IN_STOCK"),
        (card_number(3), "CARD_ALREADY_BOUND"),
    ],
)
def test_an_opening_with_an_unusable_card_is_refused_and_binds_nothing(
    adapters, open_request, card_no, expected
):
    assert adapters.core.open_account(open_request(card_no=card_no)).result == expected
    retry = adapters.core.open_account(open_request(channel_serial_no="S-2"))
    assert retry.result == "OK"


def test_with_a_stock_mapping_an_officer_holds_only_their_ranges(make_adapters):
    core = make_adapters(card_stock={"fo-001": [(1, 100)], "fo-002": [(101, 200)]}).core
    assert core.check_card(card_number(50), "fo-001", "r").result == "OK"
    assert core.check_card(card_number(150), "fo-001", "r").result == "CARD_NOT_IN_STOCK"
    assert core.check_card(card_number(150), "fo-002", "r").result == "OK"
    assert core.check_card(card_number(50), "fo-999", "r").result == "CARD_NOT_IN_STOCK"


def test_an_opening_checks_the_operators_stock(make_adapters, open_request):
    core = make_adapters(card_stock={"fo-001": [(101, 200)]}).core
    assert core.open_account(open_request(card_no=card_number(1))).result == "CARD_NOT_IN_STOCK"
    assert core.open_account(open_request(channel_serial_no="S-2", card_no=card_number(101))).result == "OK"
