"""Registration formats (§9.1 REGISTERED row): every bad field is named, good ones are normalised."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from devices.registration import Peripherals, Registration, normalized, problems
from engine.errors import ValidationFailed

TODAY = date(2026, 12, 7)
GOOD = Registration(
    asset_no="WH01-PAD-000123",
    model="Huawei MatePad 11",
    serial="HWMP11-0001",
    wifi_mac="a4-5e-60-12-34-56",
    os_version="HarmonyOS 4.2",
    purchase_date=date(2026, 3, 1),
    branch_code="WH0101",
    imei="490154203237518",
    meid="a10000009296f2",
    secure_element_serial="SE-00112233",
    peripherals=Peripherals("IDR-5566", "05.01-20101008-0001", "PIN-7788", "SIG-9900"),
)


def fields_of(r: Registration) -> set[str]:
    return {e.field for e in problems(r, TODAY)}


def test_a_good_registration_passes_with_its_mac_and_meid_in_one_spelling() -> None:
    done = normalized(GOOD, TODAY)
    assert done.wifi_mac == "A4:5E:60:12:34:56" and done.meid == "A10000009296F2"


def test_imei_needs_15_digits_and_a_right_luhn_digit() -> None:
    assert fields_of(replace(GOOD, imei="490154203237517")) == {"imei"}
    assert fields_of(replace(GOOD, imei="49015420323751")) == {"imei"}
    assert fields_of(replace(GOOD, imei=None, meid=None, secure_element_serial=None)) == set()
    codes = {e.code for e in problems(replace(GOOD, imei="490154203237517"), TODAY)}
    assert codes == {"check_digit"}


@pytest.mark.parametrize(
    "mac", ["A4:5E:60:12:34", "A4:5E:60:12:34:5G", "01:00:5E:00:00:01", "00:00:00:00:00:00", "A45E60123456"]
)
def test_a_mac_that_is_malformed_multicast_or_zero_is_refused(mac: str) -> None:
    assert fields_of(replace(GOOD, wifi_mac=mac)) == {"wifi_mac"}


@pytest.mark.parametrize("asset_no", ["PAD-000123", "wh01-PAD-000123", "WH01-PAD-123", "WH01-P-000123", ""])
def test_the_asset_number_follows_org_kind_sequence(asset_no: str) -> None:
    assert fields_of(replace(GOOD, asset_no=asset_no)) == {"asset_no"}


def test_purchase_date_is_neither_in_the_future_nor_before_2000() -> None:
    assert fields_of(replace(GOOD, purchase_date=date(2026, 12, 8))) == {"purchase_date"}
    assert fields_of(replace(GOOD, purchase_date=date(1999, 12, 31))) == {"purchase_date"}


def test_the_id_reader_is_registered_with_its_sam_module() -> None:
    assert fields_of(replace(GOOD, peripherals=Peripherals(id_reader_serial="IDR-5566"))) == {
        "peripherals.sam_id"
    }
    assert fields_of(replace(GOOD, peripherals=Peripherals(pin_pad_serial="x"))) == {
        "peripherals.pin_pad_serial"
    }


def test_every_bad_field_is_named_at_once() -> None:
    bad = replace(GOOD, serial="!", os_version="", model=" ", device_id="Upper", secure_element_serial="?")
    with pytest.raises(ValidationFailed) as refused:
        normalized(bad, TODAY)
    named = {e.field for e in refused.value.errors}
    assert named == {"serial", "os_version", "model", "device_id", "secure_element_serial"}
