"""Sandbox card stock (§6.6, §13.5): which blank cards a field officer holds and whether they can be bound.

Card numbers are BIN `621999` + region `4201` + an 8-digit stock sequence + a Luhn digit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from engine.adapters.ports import CardCode
from engine.adapters.sandbox import fixtures
from forms.formats import is_luhn_valid, luhn_check_digit

Ranges = Sequence[tuple[int, int]]


def card_number(sequence: int) -> str:
    """The sandbox card with this stock sequence, e.g. 1 → 6219994201000000010."""
    body = f"{fixtures.CARD_BIN}{fixtures.CARD_REGION}{sequence:08d}"
    return body + luhn_check_digit(body)


def card_sequence(card_no: str) -> int | None:
    """The stock sequence of a well-formed sandbox card number, else None (not our stock)."""
    prefix = fixtures.CARD_BIN + fixtures.CARD_REGION
    if len(card_no) != 19 or not card_no.startswith(prefix) or not is_luhn_valid(card_no):
        return None
    return int(card_no[len(prefix) : -1])


class CardStock:
    """Officer → held sequence ranges (inclusive). None means every officer holds the default blank stock
    1..899999 (the demo set-up); with a mapping, unlisted officers hold nothing."""

    def __init__(self, holdings: Mapping[str, Ranges] | None = None) -> None:
        self._holdings = None if holdings is None else {k: tuple(v) for k, v in holdings.items()}

    def holds(self, officer_id: str, sequence: int) -> bool:
        low, high = fixtures.CARD_STOCK_RANGE
        if not low <= sequence <= high:
            return False  # ≥ 900000 was never issued to the branch vault
        if self._holdings is None:
            return True
        return any(a <= sequence <= b for a, b in self._holdings.get(officer_id, ()))

    def check(self, card_no: str, officer_id: str, is_bound: Callable[[str], bool]) -> CardCode:
        """Stock first (a card you do not hold says nothing else), then damage, then binding."""
        sequence = card_sequence(card_no)
        if sequence is None or not self.holds(officer_id, sequence):
            return "CARD_NOT_IN_STOCK"
        if sequence in fixtures.CARD_DAMAGED_SEQUENCES:
            return "CARD_DAMAGED"
        if sequence in fixtures.PREBOUND_CARDS or is_bound(card_no):
            return "CARD_ALREADY_BOUND"
        return "OK"
