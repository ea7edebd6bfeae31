"""J1's declaration: what its ending leaves on the row and in the trail, and nothing for others."""

from __future__ import annotations

from engine.journeys.debit_card import JOURNEY
from engine.journeys.registry import JourneyRegistry
from engine.projections import GENERIC

J1 = JOURNEY.projection


def test_j1_records_the_opened_card_masked_and_the_class() -> None:
    facts = J1.completion_facts({"core_result": {"card_no": "6219994201000000010", "account_class": "I"}})
    assert facts == {"account_class": "I", "card_no_masked": "621999*********0010"}


def test_j1_without_an_opening_records_no_class_and_no_card() -> None:
    # issue 28 item 8: the class offered is no fact of an ending that opened nothing
    facts = J1.completion_facts({"account_decision": {"account_class": "II"}, "outcome": "ABANDONED"})
    assert facts == {"account_class": None, "card_no_masked": None}


def test_j1_leaves_evidence_and_indexes_its_customer_and_other_processes_do_neither() -> None:
    assert (J1.leaves_evidence, J1.customer_id_field) == (True, "id_number")
    assert JourneyRegistry([JOURNEY]).projection("Process_account_opening") is GENERIC
    assert (GENERIC.leaves_evidence, GENERIC.customer_id_field, GENERIC.completion_facts({"x": 1})) == (
        False,
        None,
        {},
    )
