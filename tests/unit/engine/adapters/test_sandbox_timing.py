"""Latency profiles, client timeouts and chaos knobs (§12.1, §13.1), all on a recording fake sleep."""

from __future__ import annotations

import statistics

import pytest

from engine.adapters.sandbox.timing import CORE, IDENTITY, TELCO, WATCHLIST_EXACT, WATCHLIST_FUZZY
from engine.errors import ExternalServiceError, ExternalTimeout

SPECS = [IDENTITY, TELCO, CORE, WATCHLIST_EXACT, WATCHLIST_FUZZY]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.system}-{s.p50_s}")
def test_latencies_follow_the_table_p50_and_p95(make_pacer, spec):
    pacer = make_pacer("normal")
    samples = sorted(pacer.latency(spec, f"req-{i}") for i in range(4000))
    assert statistics.median(samples) == pytest.approx(spec.p50_s, rel=0.08)
    assert samples[int(0.95 * len(samples))] == pytest.approx(spec.p95_s, rel=0.12)
    assert samples[-1] < spec.client_timeout_s


def test_the_same_request_always_takes_the_same_time(adapters, make_adapters, sleeps):
    identity = make_adapters(latency_profile="normal").identity
    identity.verify("张伟", "420106199003071238", "req-1")
    identity.verify("张伟", "420106199003071238", "req-1")
    identity.verify("张伟", "420106199003071238", "req-2")
    assert sleeps.calls[0] == sleeps.calls[1] != sleeps.calls[2]


@pytest.mark.parametrize(("profile", "factor"), [("fast", 0.1), ("peak", 3.0), ("degraded", 10.0)])
def test_a_profile_scales_the_normal_latency(make_adapters, sleeps, profile, factor):
    make_adapters(latency_profile="normal").face.compare("420106199003071238", "img", True, 1, None, "r")
    make_adapters(latency_profile=profile).face.compare("420106199003071238", "img", True, 1, None, "r")
    normal, scaled = sleeps.calls
    assert scaled == pytest.approx(normal * factor)


def test_the_zero_profile_never_sleeps(adapters, sleeps, open_request):
    adapters.identity.verify("张伟", "420106199003071238", "r")
    adapters.face.compare("420106199003071238", "img", True, 1, None, "r")
    adapters.watchlist.screen_person("张伟", "420106199003071238", None, "r")
    adapters.watchlist.screen_mobile("13900001234", "r")
    adapters.telco.verify("张伟", "420106199003071238", "13900001234", "r")
    adapters.core.lookup_customer("420106199003071238", "张伟", "r")
    adapters.core.check_card("6219994201000000010", "fo-001", "r")
    adapters.core.open_account(open_request())
    adapters.core.query_status("FB20250612-0001", "r")
    assert sleeps.calls == []


def test_degraded_latency_past_the_client_timeout_becomes_a_timeout_after_the_full_wait(make_pacer, sleeps):
    pacer = make_pacer("degraded")
    slow_key = next(f"k{i}" for i in range(1000) if pacer.latency(IDENTITY, f"k{i}") * 10 >= 10)
    with pytest.raises(ExternalTimeout):
        pacer.wait(IDENTITY, slow_key)
    assert sleeps.calls == [10.0]


def test_the_fast_profile_compresses_the_client_timeout_too(make_adapters, sleeps):
    with pytest.raises(ExternalTimeout):
        make_adapters(latency_profile="fast").identity.verify("高峰", "420117198606069051", "r")
    assert sleeps.calls == [pytest.approx(1.0)]


def test_an_unknown_profile_is_refused(make_pacer):
    with pytest.raises(ValueError, match="latency profile"):
        make_pacer("glacial")


def test_error_rate_fails_a_deterministic_share_of_request_ids(make_adapters):
    identity = make_adapters(error_rate_pct=30).identity
    failed = set()
    for i in range(400):
        try:
            identity.verify("张伟", "420106199003071238", f"req-{i}")
        except ExternalServiceError as exc:
            assert exc.reason == "UNAVAILABLE"
            failed.add(i)
    assert 80 < len(failed) < 160
    again = set()
    for i in range(400):
        try:
            identity.verify("张伟", "420106199003071238", f"req-{i}")
        except ExternalServiceError:
            again.add(i)
    assert again == failed


def test_timeout_rate_times_out_a_share_of_request_ids_after_the_client_timeout(make_adapters, sleeps):
    telco = make_adapters(latency_profile="normal", timeout_rate_pct=50).telco
    outcomes = []
    for i in range(40):
        sleeps.calls.clear()
        try:
            telco.verify("张伟", "420106199003071238", "13900001234", f"req-{i}")
            outcomes.append("ok")
        except ExternalTimeout:
            outcomes.append("timeout")
            assert sleeps.calls == [8.0]
    assert 10 < outcomes.count("timeout") < 30


def test_chaos_can_be_limited_to_some_systems(make_adapters):
    adapters = make_adapters(error_rate_pct=100, chaos_systems=frozenset({"telco"}))
    assert adapters.identity.verify("张伟", "420106199003071238", "r").result == "MATCH_WITH_PHOTO"
    with pytest.raises(ExternalServiceError):
        adapters.telco.verify("张伟", "420106199003071238", "13900001234", "r")
