"""Concurrent workers never open two accounts for one serial or bind one card twice (§12.5, §6.6)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from engine.adapters.sandbox import build_sandbox_adapters, card_number
from engine.adapters.sandbox.factory import SandboxKnobs
from engine.adapters.sandbox.store import claim_next
from engine.errors import ExternalServiceError

WORKERS = 8
CLEAN_PEOPLE = [
    ("420106199003071238", "张伟"),
    ("420102198506150026", "王芳"),
    ("420111195501010035", "李建国"),
    ("420102195901010070", "刘志强"),
    ("420115194909090084", "陈秀英"),
    ("42010320070220004X", "赵雨桐"),
    ("11010519491231002X", "周淑兰"),
    ("420106199211110019", "欧阳明"),
]


@pytest.fixture
def core(slow_store, clock, sleeps):
    return build_sandbox_adapters(
        slow_store, SandboxKnobs(latency_profile="zero"), clock=clock, sleep=sleeps
    ).core


def run_together(calls):
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except ExternalServiceError as exc:
            return exc.reason

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_eight_workers_opening_with_the_same_serial_open_exactly_one_account(core, open_request):
    outcomes = run_together([lambda: core.open_account(open_request())] * WORKERS)
    results = {o for o in outcomes if not isinstance(o, str)}
    assert len(results) == 1 and next(iter(results)).result == "OK"
    assert set(o for o in outcomes if isinstance(o, str)) <= {"IN_PROGRESS"}
    assert core.lookup_customer("420106199003071238", "张伟", "r").class_i_count == 1


def test_eight_workers_binding_the_same_card_with_different_serials_bind_it_once(core, open_request):
    calls = [
        (
            lambda i=i, p=p: core.open_account(
                open_request(channel_serial_no=f"S-{i}", id_number=p[0], name=p[1])
            )
        )
        for i, p in enumerate(CLEAN_PEOPLE)
    ]
    codes = sorted(o.result for o in run_together(calls))
    assert codes == ["CARD_ALREADY_BOUND"] * (WORKERS - 1) + ["OK"]


def test_eight_workers_opening_class_i_for_one_person_open_exactly_one(core, open_request):
    calls = [
        (lambda i=i: core.open_account(open_request(channel_serial_no=f"S-{i}", card_no=card_number(10 + i))))
        for i in range(WORKERS)
    ]
    codes = sorted(o.result for o in run_together(calls))
    assert codes == ["CLASS_I_EXISTS"] * (WORKERS - 1) + ["OK"]
    assert core.lookup_customer("420106199003071238", "张伟", "r").class_i_count == 1


def test_concurrent_class_ii_openings_never_exceed_five(core, open_request):
    calls = [
        (
            lambda i=i: core.open_account(
                open_request(channel_serial_no=f"S-{i}", account_class="II", card_no=card_number(10 + i))
            )
        )
        for i in range(WORKERS)
    ]
    codes = [o.result for o in run_together(calls)]
    assert codes.count("OK") <= 5
    assert core.lookup_customer("420106199003071238", "张伟", "r").class_ii_count == codes.count("OK")


def test_concurrent_claims_get_distinct_contiguous_numbers(slow_store):
    numbers = run_together([lambda: claim_next(slow_store, "ns", "p", {"x": 1})] * WORKERS)
    assert sorted(numbers) == list(range(1, WORKERS + 1))
