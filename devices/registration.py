"""What a device is registered with (§9.1 REGISTERED row) and the format checks on it.

Serials, IMEI and MAC addresses identify hardware, not customers: they are stored in clear (no
personal data). Formats:

- asset number `ORG-KIND-SEQ`: the owning organisation's code (an upper-case letter then 1-7 upper-case
  letters or digits), the kind of asset (2-6 upper-case letters: PAD, PHONE, ...) and a 4-8 digit
  sequence, e.g. `WH01-PAD-000123`. Never reused, not even after the device is voided;
- IMEI: 15 digits whose last is the Luhn check digit (3GPP TS 23.003); MEID: 14 hexadecimal digits;
- Wi-Fi MAC: six pairs of hex digits separated by `:` or `-`, stored upper case with `:`; a group
  (multicast) address or all zeros is no device's address;
- serials: 4-64 letters, digits or `-` (peripherals' also `.`); a device id 4-64 lower-case letters,
  digits or `-`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date

from engine.errors import FieldError, ValidationFailed
from forms.formats import is_luhn_valid

ASSET_NO = r"^[A-Z][A-Z0-9]{1,7}-[A-Z]{2,6}-[0-9]{4,8}$"
IMEI = r"^[0-9]{15}$"
MEID = r"^[0-9A-Fa-f]{14}$"
MAC = r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$"
SERIAL = r"^[A-Za-z0-9][A-Za-z0-9-]{3,63}$"
PERIPHERAL = r"^[A-Za-z0-9][A-Za-z0-9.-]{3,63}$"  # SAM ids are dotted: 05.01-20101008-0001
DEVICE_ID = r"^[a-z0-9][a-z0-9-]{3,63}$"
OS_VERSION = r"^[0-9A-Za-z][0-9A-Za-z ._()-]{0,31}$"
EARLIEST_PURCHASE = date(2000, 1, 1)

_Bad = Callable[[str, str, str], None]


@dataclass(frozen=True)
class Peripherals:
    """Bound to the device with it (§9.1); the ID reader comes with its SAM module's id."""

    id_reader_serial: str | None = None
    sam_id: str | None = None
    pin_pad_serial: str | None = None
    signature_device_serial: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Registration:
    asset_no: str
    model: str
    serial: str
    wifi_mac: str
    os_version: str
    purchase_date: date
    branch_code: str
    """The branch whose inventory the device joins (the device admin's scope)."""
    imei: str | None = None
    meid: str | None = None
    secure_element_serial: str | None = None
    peripherals: Peripherals = field(default_factory=Peripherals)
    device_id: str | None = None
    """The id the device presents; one is made when absent."""


def normalized(registration: Registration, today: date) -> Registration:
    """The registration with its MAC in one spelling; ValidationFailed naming every bad field."""
    errors = problems(registration, today)
    if errors:
        raise ValidationFailed("the device registration has errors", errors)
    mac = registration.wifi_mac.replace("-", ":").upper()
    meid = registration.meid.upper() if registration.meid else None
    return replace(registration, wifi_mac=mac, meid=meid)


def problems(r: Registration, today: date) -> list[FieldError]:
    errors: list[FieldError] = []

    def bad(name: str, code: str, message: str) -> None:
        errors.append(FieldError(name, code, message))

    _pattern(bad, "asset_no", r.asset_no, ASSET_NO, "资产编号格式为 机构-类别-序号，如 WH01-PAD-000123")
    if not r.model.strip() or len(r.model) > 100:
        bad("model", "required", "需要设备型号（至多100字）")
    _pattern(bad, "serial", r.serial, SERIAL, "序列号为4-64位字母、数字或-")
    _pattern(bad, "os_version", r.os_version, OS_VERSION, "系统版本格式不正确")
    imei_shaped = r.imei is not None and _pattern(bad, "imei", r.imei, IMEI, "IMEI 为15位数字")
    if imei_shaped and not is_luhn_valid(r.imei or ""):
        bad("imei", "check_digit", "IMEI 校验位不正确")
    if r.meid is not None:
        _pattern(bad, "meid", r.meid, MEID, "MEID 为14位十六进制数")
    if _pattern(bad, "wifi_mac", r.wifi_mac, MAC, "MAC 地址格式为 AA:BB:CC:DD:EE:FF"):
        octets = [int(p, 16) for p in re.split("[:-]", r.wifi_mac)]
        if octets[0] & 1 or not any(octets):
            bad("wifi_mac", "not_a_device_address", "组播或全零地址不是设备地址")
    if r.secure_element_serial is not None:
        _pattern(bad, "secure_element_serial", r.secure_element_serial, SERIAL, "安全芯片序列号格式不正确")
    if r.device_id is not None:
        _pattern(bad, "device_id", r.device_id, DEVICE_ID, "设备标识为4-64位小写字母、数字或-")
    if not EARLIEST_PURCHASE <= r.purchase_date <= today:
        bad("purchase_date", "out_of_range", "购置日期不能晚于今天，也不能早于2000年")
    _peripheral_problems(bad, r.peripherals)
    return errors


def _peripheral_problems(bad: _Bad, p: Peripherals) -> None:
    for name, value in p.as_dict().items():
        if value is not None:
            _pattern(bad, f"peripherals.{name}", value, PERIPHERAL, "外设编号为4-64位字母、数字、.或-")
    if (p.id_reader_serial is None) != (p.sam_id is None):
        missing = "sam_id" if p.sam_id is None else "id_reader_serial"
        bad(f"peripherals.{missing}", "required", "身份证阅读器与其 SAM 模块编号需一并登记")


def _pattern(bad: _Bad, name: str, value: str, pattern: str, message: str) -> bool:
    if re.fullmatch(pattern, value):
        return True
    bad(name, "format", message)
    return False
