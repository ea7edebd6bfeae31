"""Issue 28 item 8: a refused J1's ending records no account class (nothing was opened)."""

from engine.journeys.debit_card.projection import _completion_facts


def test_a_refused_opening_records_no_account_class():
    refused = {"outcome": "REFUSED", "account_decision": {"account_class": "I"}}
    assert _completion_facts(refused)["account_class"] is None


def test_an_opened_account_records_its_class():
    opened = {"outcome": "OPENED", "account_decision": {"account_class": "I"}, "core_result": {}}
    assert _completion_facts(opened)["account_class"] == "I"
