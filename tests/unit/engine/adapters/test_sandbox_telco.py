"""Sandbox mobile three-element check (§2.6, §13.3)."""

from __future__ import annotations

import pytest

from engine.errors import ExternalServiceError, ExternalTimeout

NAME, ID = "张伟", "420106199003071238"

MOBILES = [
    ("13900001234", "MATCH", "cmcc", False, "normal", "[24,inf)", False),
    ("13900008999", "MATCH", "cmcc", False, "normal", "[24,inf)", False),
    ("13900009001", "MISMATCH", "cmcc", False, None, None, False),
    ("13900009002", "NO_RECORD", None, False, None, None, False),
    ("13900009003", "MATCH", "cmcc", False, "suspended", "[24,inf)", False),
    ("13900009004", "MATCH", "cmcc", False, "cancelled", "[24,inf)", False),
    ("13900009005", "MATCH", "cmcc", False, "normal", "[0,3)", False),
    ("13900009006", "MATCH", "cmcc", True, "normal", "[24,inf)", False),
    ("13900009009", "MATCH", "cmcc", False, "normal", "[24,inf)", False),
    ("13900009010", "MATCH", "cmcc", False, "normal", "[24,inf)", False),
    ("17000009001", "MATCH", "ctcc", False, "normal", "[12,24)", True),
    ("19200009001", "MATCH", "cbn", False, "normal", "[6,12)", False),
]


@pytest.mark.parametrize(("mobile", "result", "operator", "ported", "status", "tenure", "mvno"), MOBILES)
def test_each_test_mobile_answers_as_listed(adapters, mobile, result, operator, ported, status, tenure, mvno):
    answer = adapters.telco.verify(NAME, ID, mobile, "req-1")
    assert (answer.result, answer.operator, answer.ported) == (result, operator, ported)
    assert (answer.status, answer.tenure_bucket, answer.mvno) == (status, tenure, mvno)


def test_13900009007_waits_the_eight_second_client_timeout_then_raises(make_adapters, sleeps):
    with pytest.raises(ExternalTimeout) as raised:
        make_adapters(latency_profile="normal").telco.verify(NAME, ID, "13900009007", "req-1")
    assert raised.value.system == "telco"
    assert sleeps.calls == [8.0]


def test_13900009007_times_out_at_once_with_the_zero_profile(adapters, sleeps):
    with pytest.raises(ExternalTimeout):
        adapters.telco.verify(NAME, ID, "13900009007", "req-1")
    assert sleeps.calls == []


def test_13900009008_is_unavailable(adapters):
    with pytest.raises(ExternalServiceError) as raised:
        adapters.telco.verify(NAME, ID, "13900009008", "req-1")
    assert raised.value.reason == "UNAVAILABLE"


def test_any_other_mainland_mobile_matches_with_facts_fixed_by_the_number(adapters):
    first = adapters.telco.verify(NAME, ID, "13812345678", "req-1")
    again = adapters.telco.verify("李四", "420102198506150026", "+86 138 1234 5678", "req-2")
    assert first.result == "MATCH" and first.status == "normal"
    assert (first.operator, first.tenure_bucket, first.ported) == (
        again.operator,
        again.tenure_bucket,
        again.ported,
    )


def test_the_operator_is_not_inferred_from_the_prefix(adapters):
    operators = {adapters.telco.verify(NAME, ID, f"1391234{i:04d}", "r").operator for i in range(200)}
    assert {"cmcc", "cucc", "ctcc"} <= operators


def test_tenure_varies_between_synthetic_numbers(adapters):
    buckets = {adapters.telco.verify(NAME, ID, f"1581234{i:04d}", "r").tenure_bucket for i in range(300)}
    assert len(buckets) >= 4


@pytest.mark.parametrize("prefix", ["162", "165", "167", "170", "171"])
def test_virtual_operator_ranges_are_flagged(adapters, prefix):
    assert adapters.telco.verify(NAME, ID, f"{prefix}12345678", "req-1").mvno is True


def test_a_number_that_is_not_a_mainland_mobile_has_no_record(adapters):
    assert adapters.telco.verify(NAME, ID, "1064812345678", "req-1").result == "NO_RECORD"
