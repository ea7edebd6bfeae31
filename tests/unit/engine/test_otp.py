"""SMS one-time passwords: bank-side rules (§2.6, §13.3) over the sandbox SMS sink."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from itertools import cycle

import pytest

from engine.adapters.ports import SHANGHAI
from engine.adapters.sandbox import InMemorySandboxStore, SandboxSms
from engine.errors import ExternalServiceError
from engine.otp import OtpResendTooSoon, OtpSendLimitReached, OtpService

MOBILE, KEY = "13900001234", "inst-1:verify-mobile"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 6, 12, 10, 0, tzinfo=SHANGHAI)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> InMemorySandboxStore:
    return InMemorySandboxStore()


@pytest.fixture
def sms(store, clock) -> SandboxSms:
    return SandboxSms(store, clock=clock)


@pytest.fixture
def otp(store, sms, clock) -> OtpService:
    return OtpService(store, sms, clock)


def last_code(sms: SandboxSms, mobile: str = MOBILE) -> str:
    match = re.search(r"\d{6}", sms.inbox(mobile)[-1].text)
    assert match
    return match.group()


def wrong(code: str) -> str:
    return "111111" if code != "111111" else "222222"


def test_an_issued_code_arrives_by_sms_and_verifies(otp, sms, clock):
    issue = otp.issue(KEY, MOBILE)
    assert issue.expires_at == clock.now + timedelta(seconds=300)
    assert issue.resend_after == clock.now + timedelta(seconds=60)
    text = sms.inbox(MOBILE)[-1].text
    assert text.startswith("【FieldBank】验证码 ") and "5分钟内有效" in text
    assert otp.verify(KEY, last_code(sms)) == "VERIFIED"


def test_verifying_again_with_the_right_code_is_still_verified(otp, sms):
    otp.issue(KEY, MOBILE)
    code = last_code(sms)
    assert [otp.verify(KEY, code), otp.verify(KEY, code)] == ["VERIFIED", "VERIFIED"]


def test_a_wrong_code_is_wrong(otp, sms):
    otp.issue(KEY, MOBILE)
    assert otp.verify(KEY, wrong(last_code(sms))) == "WRONG"


def test_000000_cannot_be_the_fixed_code(store, sms, clock):
    with pytest.raises(ValueError):
        OtpService(store, sms, clock, fixed_code="000000")


def test_a_random_draw_of_000000_is_replaced(store, sms, clock):
    draws = cycle([0, 0, 424242])
    OtpService(store, sms, clock, randbelow=lambda _: next(draws)).issue(KEY, MOBILE)
    assert last_code(sms) == "424242"


def test_000000_never_verifies(otp, sms):
    otp.issue(KEY, MOBILE)
    assert otp.verify(KEY, "000000") == "WRONG"


def test_the_fifth_wrong_entry_locks_and_then_even_the_right_code_is_locked(otp, sms):
    otp.issue(KEY, MOBILE)
    code = last_code(sms)
    outcomes = [otp.verify(KEY, wrong(code)) for _ in range(5)]
    assert outcomes == ["WRONG"] * 4 + ["LOCKED"]
    assert otp.verify(KEY, code) == "LOCKED"


def test_a_code_expires_after_300_seconds(otp, sms, clock):
    otp.issue(KEY, MOBILE)
    code = last_code(sms)
    clock.advance(299)
    assert otp.verify(KEY, code) == "VERIFIED"
    clock.advance(1)
    assert otp.verify(KEY, code) == "EXPIRED"


def test_nothing_issued_for_a_key_is_not_issued(otp):
    assert otp.verify("other-key", "123456") == "NOT_ISSUED"


def test_a_resend_is_refused_within_60_seconds(otp, clock):
    otp.issue(KEY, MOBILE)
    clock.advance(59)
    with pytest.raises(OtpResendTooSoon) as raised:
        otp.issue(KEY, MOBILE)
    assert raised.value.retry_after == clock.now + timedelta(seconds=1)
    clock.advance(1)
    otp.issue(KEY, MOBILE)


def test_a_resend_replaces_the_previous_code(store, sms, clock):
    draws = cycle([111111, 222222])
    service = OtpService(store, sms, clock, randbelow=lambda _: next(draws))
    service.issue(KEY, MOBILE)
    clock.advance(60)
    service.issue(KEY, MOBILE)
    assert service.verify(KEY, "111111") == "WRONG"
    assert service.verify(KEY, "222222") == "VERIFIED"


def test_a_new_code_has_a_fresh_wrong_entry_count(otp, sms, clock):
    otp.issue(KEY, MOBILE)
    for _ in range(5):
        otp.verify(KEY, wrong(last_code(sms)))
    clock.advance(60)
    otp.issue(KEY, MOBILE)
    assert otp.verify(KEY, last_code(sms)) == "VERIFIED"


def test_at_most_five_sends_per_mobile_per_hour(otp, clock):
    for n in range(5):
        otp.issue(f"key-{n}", MOBILE)
        clock.advance(61)
    with pytest.raises(OtpSendLimitReached) as raised:
        otp.issue("key-6", MOBILE)
    assert raised.value.retry_after == clock.now - timedelta(seconds=5 * 61) + timedelta(hours=1)
    otp.issue("key-7", "13900005678")
    clock.now = raised.value.retry_after
    otp.issue("key-8", MOBILE)


def test_a_refused_send_does_not_count_against_the_hour(otp, clock):
    otp.issue(KEY, MOBILE)
    for _ in range(6):
        with pytest.raises(OtpResendTooSoon):
            otp.issue(KEY, MOBILE)
    for n in range(4):
        clock.advance(61)
        otp.issue(f"key-{n}", MOBILE)


def test_the_fixed_code_switch_sends_that_code(store, sms, clock):
    service = OtpService(store, sms, clock, fixed_code="123456")
    service.issue(KEY, MOBILE)
    assert last_code(sms) == "123456"
    assert service.verify(KEY, "123456") == "VERIFIED"


def test_only_a_hash_of_the_code_is_stored(store, otp, sms):
    otp.issue(KEY, MOBILE)
    code = last_code(sms)
    stored = str(store.items("otp"))
    assert code not in stored
    assert code not in repr(otp)


def test_a_failed_sms_submit_does_not_block_an_immediate_retry(store, clock):
    class FlakySms:
        def __init__(self) -> None:
            self.calls = 0

        def send(self, mobile: str, text: str, request_id: str) -> None:
            self.calls += 1
            if self.calls == 1:
                raise ExternalServiceError("gateway down", system="sms")

    service = OtpService(store, FlakySms(), clock)
    with pytest.raises(ExternalServiceError) as raised:
        service.issue(KEY, MOBILE)
    assert not re.search(r"\d{6}", str(raised.value))
    assert service.verify(KEY, "123456") == "NOT_ISSUED"
    service.issue(KEY, MOBILE)


def test_concurrent_wrong_entries_are_all_counted(otp, sms):
    otp.issue(KEY, MOBILE)
    code = last_code(sms)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def guess() -> None:
        barrier.wait()
        outcomes.append(otp.verify(KEY, wrong(code)))

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("WRONG") == 4
    assert otp.verify(KEY, code) == "LOCKED"


def test_concurrent_issues_for_one_key_send_one_code(otp, sms):
    barrier = threading.Barrier(4)
    refused: list[Exception] = []

    def issue() -> None:
        barrier.wait()
        try:
            otp.issue(KEY, MOBILE)
        except OtpResendTooSoon as exc:
            refused.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(sms.inbox(MOBILE)), len(refused)) == (1, 3)


# --- issue 28 item 2: the OTP screen answers a wrong code and a too-early resend on its field ---------------


def test_a_wrong_code_answers_on_the_field_with_the_tries_left(otp, sms, clock):
    from engine.errors import ValidationFailed
    from engine.otp_entry import check_otp_entry

    ui = {"otp_code": {"ui:widget": "otp"}}
    otp.issue("inst-1", MOBILE)
    assert otp.attempts_left("inst-1") == 5
    with pytest.raises(ValidationFailed) as failed:
        check_otp_entry(otp, "inst-1", ui, {"otp_code": wrong(last_code(sms))}, clock)
    [error] = failed.value.errors
    assert (error.field, error.code) == ("otp_code", "otp_wrong")
    assert "还可输入 4 次" in error.message
    check_otp_entry(otp, "inst-1", ui, {"otp_code": last_code(sms)}, clock)  # the right one passes
    assert otp.verify("inst-1", last_code(sms)) == "VERIFIED"  # and the diagram's check agrees


def test_a_resend_before_60_s_is_refused_on_the_field_and_allowed_after(otp, clock):
    from engine.errors import ValidationFailed
    from engine.otp_entry import check_otp_entry

    ui = {"otp_code": {"ui:widget": "otp"}}
    otp.issue("inst-2", MOBILE)
    clock.advance(20)
    assert otp.resend_ready_at("inst-2") == clock.now + timedelta(seconds=40)
    with pytest.raises(ValidationFailed) as failed:
        check_otp_entry(otp, "inst-2", ui, {"otp_resend": True}, clock)
    assert failed.value.errors[0].code == "otp_resend_too_soon"
    assert "40 秒后" in failed.value.errors[0].message
    clock.advance(40)
    check_otp_entry(otp, "inst-2", ui, {"otp_resend": True}, clock)  # passes: the diagram sends again
    otp.issue("inst-2", MOBILE)
