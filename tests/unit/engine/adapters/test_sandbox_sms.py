"""The sandbox SMS sink and its inbox (§13.1, §13.3)."""

from __future__ import annotations

import pytest


def test_a_sent_message_lands_in_the_inbox_of_that_mobile_only(adapters, clock):
    adapters.sms.send("13900001234", "hello", "req-1")
    [message] = adapters.sms.inbox("13900001234")
    assert (message.mobile, message.text, message.sent_at, message.request_id) == (
        "13900001234",
        "hello",
        clock.now,
        "req-1",
    )
    assert adapters.sms.inbox("13900005678") == []


def test_the_inbox_lists_the_newest_message_last(adapters, clock):
    for n in range(3):
        adapters.sms.send("13900001234", f"message {n}", f"req-{n}")
        clock.advance(1)
    assert [m.text for m in adapters.sms.inbox("13900001234")] == ["message 0", "message 1", "message 2"]


def test_a_retried_send_with_the_same_request_id_is_delivered_once(adapters):
    adapters.sms.send("13900001234", "hello", "req-1")
    adapters.sms.send("13900001234", "hello", "req-1")
    assert len(adapters.sms.inbox("13900001234")) == 1


def test_the_mobile_is_normalised_on_send_and_on_read(adapters):
    adapters.sms.send("+86 139-0000-1234", "hello", "req-1")
    assert len(adapters.sms.inbox("0086 13900001234")) == 1


def test_the_inbox_is_shared_through_the_store(make_adapters):
    make_adapters().sms.send("13900001234", "hello", "req-1")
    assert len(make_adapters().sms.inbox("13900001234")) == 1


def test_a_delivery_delay_hides_a_message_until_it_arrives(make_adapters, clock):
    sms = make_adapters(sms_delivery_delay_max_s=30).sms
    sms.send("13900001234", "hello", "req-1")
    clock.advance(30)
    assert len(sms.inbox("13900001234")) == 1
    delays = []
    for n in range(20):
        sms.send("13900002222", "x", f"d-{n}")
    for _ in range(31):
        delays.append(len(sms.inbox("13900002222")))
        clock.advance(1)
    assert delays[0] < 20 and delays[-1] == 20


def test_sending_to_something_that_is_not_a_mobile_is_refused(adapters):
    with pytest.raises(ValueError):
        adapters.sms.send("12345", "hello", "req-1")
