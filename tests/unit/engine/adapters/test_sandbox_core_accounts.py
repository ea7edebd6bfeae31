"""Sandbox core: CIF lookup, account classes, formats and the end-of-day window (§6.1, §12.3, §13.5)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from engine.errors import ExternalServiceError

PENG, JIANG, CAI = (
    ("420112198707079214", "彭军"),
    ("420115198909099220", "蒋欣"),
    ("420106199101019230", "蔡明"),
)


def test_a_new_customer_has_no_cif_and_no_accounts(adapters):
    lookup = adapters.core.lookup_customer("420106199003071238", "张伟", "req-1")
    assert (lookup.result, lookup.cif_no, lookup.restrictions) == ("OK", None, ())
    assert (lookup.class_i_count, lookup.class_ii_count, lookup.class_iii_count) == (0, 0, 0)


def test_921_already_holds_class_i(adapters):
    lookup = adapters.core.lookup_customer(*PENG, "req-1")
    assert (lookup.result, lookup.class_i_count, lookup.cif_no) == ("OK", 1, "C0000000921")


def test_921_cannot_open_a_second_class_i_but_can_open_class_ii(adapters, open_request):
    base = {"id_number": PENG[0], "name": PENG[1]}
    refused = adapters.core.open_account(open_request(channel_serial_no="S-1", **base))
    opened = adapters.core.open_account(open_request(channel_serial_no="S-2", account_class="II", **base))
    assert refused.result == "CLASS_I_EXISTS" and refused.account_no is None
    assert (opened.result, opened.cif_no) == ("OK", "C0000000921")


def test_922_holds_five_class_ii_and_five_class_iii_and_is_refused_class_ii(adapters, open_request):
    lookup = adapters.core.lookup_customer(*JIANG, "req-1")
    assert (lookup.class_ii_count, lookup.class_iii_count) == (5, 5)
    result = adapters.core.open_account(open_request(id_number=JIANG[0], name=JIANG[1], account_class="II"))
    assert result.result == "CLASS_II_LIMIT"


def test_923_is_restricted_in_lookup_and_opening(adapters, open_request):
    lookup = adapters.core.lookup_customer(*CAI, "req-1")
    assert (lookup.result, lookup.restrictions) == ("CUSTOMER_RESTRICTED", ("NON_COUNTER_SUSPENDED",))
    assert adapters.core.open_account(open_request(id_number=CAI[0], name=CAI[1])).result == (
        "CUSTOMER_RESTRICTED"
    )


def test_an_opening_returns_well_formed_numbers(adapters, open_request, clock):
    result = adapters.core.open_account(open_request())
    assert result.result == "OK"
    assert re.fullmatch(r"C\d{10}", result.cif_no or "")
    assert re.fullmatch(r"420101\d{13}", result.account_no or "")
    assert result.card_no == "6219994201000000010"
    assert result.core_serial_no and result.core_serial_no.startswith("CB20250612")
    assert result.business_date == date(2025, 6, 12)
    assert (result.request_id, result.responded_at) == ("FB20250612-0001", clock.now)


def test_state_persists_so_a_second_class_i_for_the_same_id_is_refused(adapters, open_request):
    adapters.core.open_account(open_request())
    second = adapters.core.open_account(open_request(channel_serial_no="S-2", card_no="6219994201000000028"))
    assert second.result == "CLASS_I_EXISTS"
    lookup = adapters.core.lookup_customer("420106199003071238", "张伟", "req-9")
    assert (lookup.class_i_count, lookup.cif_no is not None) == (1, True)


def test_counts_come_from_state_so_a_sixth_class_ii_is_refused(adapters, open_request):
    for n in range(1, 6):
        card = _card(10 + n)
        result = adapters.core.open_account(
            open_request(channel_serial_no=f"S-{n}", account_class="II", card_no=card)
        )
        assert result.result == "OK"
    sixth = adapters.core.open_account(
        open_request(channel_serial_no="S-6", account_class="II", card_no=_card(20))
    )
    assert sixth.result == "CLASS_II_LIMIT"
    assert adapters.core.lookup_customer("420106199003071238", "张伟", "r").class_ii_count == 5


def test_the_same_id_under_another_name_is_a_cif_conflict(adapters, open_request):
    adapters.core.open_account(open_request())
    assert adapters.core.lookup_customer("420106199003071238", "张卫", "r").result == "CIF_CONFLICT"
    other = adapters.core.open_account(
        open_request(channel_serial_no="S-2", name="张卫", account_class="II", card_no=_card(2))
    )
    assert other.result == "CIF_CONFLICT"


def test_a_fixture_customer_under_another_name_is_a_cif_conflict(adapters):
    assert adapters.core.lookup_customer(PENG[0], "彭俊", "r").result == "CIF_CONFLICT"


def test_the_same_person_keeps_one_cif_across_openings(adapters, open_request):
    first = adapters.core.open_account(open_request())
    second = adapters.core.open_account(
        open_request(channel_serial_no="S-2", account_class="II", card_no=_card(2))
    )
    assert first.cif_no == second.cif_no


@pytest.mark.parametrize(("hour", "minute"), [(23, 0), (23, 15), (23, 29)])
def test_opening_in_the_end_of_day_window_raises_core_eod(adapters, open_request, clock, hour, minute):
    clock.set(hour, minute)
    with pytest.raises(ExternalServiceError) as raised:
        adapters.core.open_account(open_request())
    assert (raised.value.reason, raised.value.system) == ("CORE_EOD", "core")


def test_reads_stay_available_during_end_of_day(adapters, clock):
    clock.set(23, 10)
    assert adapters.core.lookup_customer("420106199003071238", "张伟", "r").result == "OK"
    assert adapters.core.check_card(_card(1), "fo-001", "r").result == "OK"
    assert adapters.core.query_status("S-unknown", "r").status == "NOT_FOUND"


def test_after_the_window_the_business_date_is_the_next_day(adapters, open_request, clock):
    clock.set(23, 30)
    assert adapters.core.open_account(open_request()).business_date == date(2025, 6, 13)


def test_the_force_eod_knob_blocks_opening_at_any_time(make_adapters, open_request):
    with pytest.raises(ExternalServiceError, match="end-of-day"):
        make_adapters(force_core_eod=True).core.open_account(open_request())


def test_only_class_i_and_class_ii_can_be_opened_in_the_field(adapters, open_request):
    with pytest.raises(ValueError, match="Class I or Class II"):
        adapters.core.open_account(open_request(account_class="III"))


def _card(sequence: int) -> str:
    from engine.adapters.sandbox import card_number

    return card_number(sequence)
