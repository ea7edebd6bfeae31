"""Sandbox core idempotency on channel_serial_no and the unknown-outcome modes (§12.5, §13.5)."""

from __future__ import annotations

import pytest

from engine.errors import ExternalServiceError, ExternalTimeout

SERIAL = "FB20250612-0001"


def test_the_same_serial_and_payload_returns_the_original_response(adapters, open_request, clock):
    first = adapters.core.open_account(open_request())
    clock.advance(120)
    assert adapters.core.open_account(open_request()) == first
    assert adapters.core.lookup_customer("420106199003071238", "张伟", "r").class_i_count == 1


def test_the_same_serial_with_a_different_payload_is_a_duplicate_serial_mismatch(adapters, open_request):
    adapters.core.open_account(open_request())
    other = adapters.core.open_account(open_request(account_class="II", card_no="6219994201000000028"))
    assert (other.result, other.account_no) == ("DUPLICATE_SERIAL_MISMATCH", None)
    assert adapters.core.lookup_customer("420106199003071238", "张伟", "r").class_ii_count == 0


def test_a_business_rejection_is_not_recorded_against_the_serial(adapters, open_request):
    refused = adapters.core.open_account(open_request(card_no="6219994201000000036"))
    assert refused.result == "CARD_ALREADY_BOUND"
    assert adapters.core.query_status(SERIAL, "r").status == "NOT_FOUND"
    assert adapters.core.open_account(open_request()).result == "OK"


def test_status_of_an_opened_serial_is_opened_with_the_original_result(adapters, open_request):
    opened = adapters.core.open_account(open_request())
    status = adapters.core.query_status(SERIAL, "status-1")
    assert (status.status, status.result, status.request_id) == ("OPENED", opened, "status-1")


def test_status_of_an_unknown_serial_is_not_found(adapters):
    status = adapters.core.query_status("never-sent", "r")
    assert (status.status, status.result) == ("NOT_FOUND", None)


def test_commit_then_timeout_creates_the_account_but_drops_the_answer(make_adapters, open_request):
    core = make_adapters(core_mode="commit_then_timeout").core
    with pytest.raises(ExternalTimeout):
        core.open_account(open_request())
    status = core.query_status(SERIAL, "r")
    assert status.status == "OPENED" and status.result is not None and status.result.result == "OK"
    assert core.open_account(open_request()) == status.result
    assert core.lookup_customer("420106199003071238", "张伟", "r").class_i_count == 1


def test_commit_then_timeout_waits_the_thirty_second_client_timeout(make_adapters, open_request, sleeps):
    core = make_adapters(core_mode="commit_then_timeout", latency_profile="normal").core
    with pytest.raises(ExternalTimeout):
        core.open_account(open_request())
    assert sum(sleeps.calls) == pytest.approx(30.0)


def test_timeout_no_commit_waits_the_client_timeout_in_all(make_adapters, open_request, sleeps):
    core = make_adapters(core_mode="timeout_no_commit", latency_profile="normal").core
    with pytest.raises(ExternalTimeout):
        core.open_account(open_request())
    assert sum(sleeps.calls) == pytest.approx(30.0)


def test_timeout_no_commit_leaves_nothing_and_the_retry_with_the_same_serial_succeeds(
    make_adapters, open_request
):
    core = make_adapters(core_mode="timeout_no_commit").core
    with pytest.raises(ExternalTimeout):
        core.open_account(open_request())
    assert core.query_status(SERIAL, "r").status == "NOT_FOUND"
    assert core.check_card("6219994201000000010", "fo-001", "r").result == "OK"
    assert core.open_account(open_request()).result == "OK"
    assert core.query_status(SERIAL, "r").status == "OPENED"


def test_processing_reports_processing_for_sixty_seconds_then_opened(make_adapters, open_request, clock):
    core = make_adapters(core_mode="processing").core
    with pytest.raises(ExternalTimeout):
        core.open_account(open_request())
    assert core.query_status(SERIAL, "r").status == "PROCESSING"
    clock.advance(59)
    assert core.query_status(SERIAL, "r").status == "PROCESSING"
    with pytest.raises(ExternalServiceError) as raised:
        core.open_account(open_request())
    assert raised.value.reason == "IN_PROGRESS"
    clock.advance(1)
    status = core.query_status(SERIAL, "r")
    assert status.status == "OPENED" and status.result is not None
    assert core.open_account(open_request()) == status.result


def test_normal_mode_answers_at_once(adapters, open_request):
    assert adapters.core.open_account(open_request()).result == "OK"


def test_an_unknown_core_mode_is_refused(make_adapters):
    with pytest.raises(ValueError, match="core mode"):
        make_adapters(core_mode="sometimes")


def test_core_chaos_hits_a_serial_only_on_its_first_attempt(make_adapters, open_request):
    core = make_adapters(timeout_rate_pct=100).core
    with pytest.raises(ExternalTimeout):
        core.open_account(open_request())
    assert make_adapters().core.query_status(SERIAL, "r").status == "NOT_FOUND"
    assert core.open_account(open_request()).result == "OK"


def test_core_chaos_errors_are_unavailable_once_per_serial(make_adapters, open_request):
    core = make_adapters(error_rate_pct=100, chaos_systems=frozenset({"core"})).core
    with pytest.raises(ExternalServiceError) as raised:
        core.open_account(open_request())
    assert raised.value.reason == "UNAVAILABLE"
    assert core.open_account(open_request()).result == "OK"
