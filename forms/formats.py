"""Check-character and format rules of Chinese identifiers (domain.md §3), shared by forms and simulators."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# re.ASCII: Python's \d also matches full-width and other Unicode digits, which the registry does not.
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_PROVINCE_PREFIXES = frozenset(
    [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66)]
)
_MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# §3.3 lists U+2022, U+30FB, U+FF0E and "."; U+2027, U+FF65, U+2219 and U+22C5 are further look-alikes.
_NAME_DOTS = dict.fromkeys("\u2022\u30fb\uff0e.\u2027\uff65\u2219\u22c5", "\u00b7")
MIDDLE_DOT = "\u00b7"


def id_check_char(first17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalise_resident_id(value: str) -> str:
    """NFKC first: Chinese IMEs often type full-width digits and Ｘ."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def resident_id_problem(value: str, *, today: date | None = None) -> str | None:
    """None when `value` is a plausible 18-character resident ID, else a stable problem code."""
    number = normalise_resident_id(value)
    if not _ID_PATTERN.match(number):
        return "pattern"
    if id_check_char(number[:17]) != number[17]:
        return "check_digit"
    birth = id_birth_date(number)
    if birth is None or birth.year < 1900 or birth > (today or date.today()):
        return "birth_date"
    prefix = number[:2]
    if not (int(prefix) in _PROVINCE_PREFIXES or prefix in {"81", "82", "83"} or prefix[0] == "9"):
        return "address_code"
    return None


def id_birth_date(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_sex_code(number: str) -> str:
    """GB/T 2261.1 sex code from the sequence digit: odd is male ("1"), even is female ("2")."""
    return "1" if int(number[16]) % 2 else "2"


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def normalise_mobile(value: str) -> str:
    digits = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def is_mainland_mobile(value: str) -> bool:
    return bool(_MOBILE_PATTERN.match(normalise_mobile(value)))


def luhn_check_digit(body: str) -> str:
    """The Luhn digit that makes `body + digit` valid (card numbers, §3.6)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def is_luhn_valid(number: str) -> bool:
    return (
        number.isascii()
        and number.isdigit()
        and len(number) >= 2
        and luhn_check_digit(number[:-1]) == number[-1]
    )


def is_bank_card_number(value: str) -> bool:
    return 16 <= len(value) <= 19 and is_luhn_valid(value)


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    c = 31 - total % 31
    return _USCC_ALPHABET[0 if c == 31 else c]


def is_uscc(value: str) -> bool:
    code = value.strip().upper()
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def normalise_chinese_name(value: str) -> str:
    name = unicodedata.normalize("NFC", value)
    name = "".join(_NAME_DOTS.get(c, c) for c in name)
    return re.sub(r"\s+", "", name)


def _is_name_char(c: str) -> bool:
    cp = ord(c)
    return (
        0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x323AF or 0xF900 <= cp <= 0xFAFF
    )


def chinese_name_problem(value: str) -> str | None:
    """None for a valid §3.3 Chinese name (after normalising), else a stable problem code."""
    name = normalise_chinese_name(value)
    if not 2 <= len(name) <= 50:
        return "length"
    if any(0xE000 <= ord(c) <= 0xF8FF for c in name):
        return "private_use"
    if name[0] == MIDDLE_DOT or name[-1] == MIDDLE_DOT or MIDDLE_DOT * 2 in name:
        return "middle_dot"
    if not all(c == MIDDLE_DOT or _is_name_char(c) for c in name):
        return "characters"
    return None


def normalise_address_detail(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip()


# Fillers typed to get past a required field. The words are refused anywhere in the detail; the
# characters of _ADDRESS_FILLER only when they make up the whole field, because 无 starts 无锡市.
_ADDRESS_PLACEHOLDER_WORDS = (
    "不详",
    "未知",
    "暂无",
    "不清楚",
    "待补充",
    "待定",
    "同上",
    "见身份证",
    "同身份证",
)
_ADDRESS_FILLER = re.compile(r"(?:无|空|略|没有|无地址|地址|住址|详细地址|[\W_])+")


def address_detail_problem(value: str) -> str | None:
    """None for a usable §3.4 address detail (street, number, room), else a stable problem code."""
    detail = normalise_address_detail(value)
    if _ADDRESS_FILLER.fullmatch(detail) or any(w in detail for w in _ADDRESS_PLACEHOLDER_WORDS):
        return "placeholder"
    if not 5 <= len(detail) <= 120:
        return "length"
    if re.fullmatch(r"[0-9\W_]+", detail):
        return "all_digits"
    if not any(_is_name_char(c) for c in detail):
        return "no_cjk"
    return None


def mobile_problem(value: str) -> str | None:
    return None if is_mainland_mobile(value) else "pattern"


def normalise_bank_card(value: str) -> str:
    """Card numbers are printed and read aloud in groups of four."""
    return re.sub(r"[\s-]", "", value)


def bank_card_problem(value: str) -> str | None:
    """§3.6: 16–19 digits with a valid Luhn digit."""
    number = normalise_bank_card(value)
    if not number.isascii() or not number.isdigit():
        return "pattern"
    if not 16 <= len(number) <= 19:
        return "length"
    return None if is_luhn_valid(number) else "check_digit"


def normalise_uscc(value: str) -> str:
    return value.strip().upper()


def uscc_problem(value: str) -> str | None:
    code = normalise_uscc(value)
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return "pattern"
    return None if is_uscc(code) else "check_digit"


_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# RFC 3339 requires an offset; a local time without one is ambiguous in evidence records.
_DATE_TIME_SHAPE = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def date_problem(value: str) -> str | None:
    """ISO 8601 calendar date `YYYY-MM-DD` (what RJSF's date widget submits)."""
    if not _DATE_SHAPE.fullmatch(value):
        return "pattern"
    try:
        date.fromisoformat(value)
    except ValueError:
        return "invalid_date"
    return None


def date_time_problem(value: str) -> str | None:
    if not _DATE_TIME_SHAPE.fullmatch(value):
        return "pattern"
    problem = date_problem(value[:10])
    if problem is not None:
        return problem
    hour, minute, second = int(value[11:13]), int(value[14:16]), int(value[17:19])
    return None if hour < 24 and minute < 60 and second < 60 else "invalid_date"


LONG_TERM = "长期"


def id_valid_to_problem(value: str) -> str | None:
    """An ID card's end of validity: a date, or 长期 (long-term) for holders aged 46+ at issue (§2.3)."""
    return None if value == LONG_TERM else date_problem(value)


_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def email_problem(value: str) -> str | None:
    """RFC 5322-lite (§3.8): dot-atom local part, a dotted host name; no quoted strings or IP literals."""
    local = value.rpartition("@")[0]
    return None if len(value) <= 254 and len(local) <= 64 and _EMAIL.fullmatch(value) else "pattern"


_ATTACHMENT_ID = re.compile(r"att_[0-9a-f]{32}")


def attachment_id_problem(value: str) -> str | None:
    """Shape of an uploaded attachment reference; whether it exists is the engine's check."""
    return None if _ATTACHMENT_ID.fullmatch(value) else "pattern"
