"""Masking for display, logs, lists and documents, per domain.md §8.3.

Every function takes None, empty or odd input without raising. Input that does not look like what
the function expects is masked completely: masking too much is a usability bug, too little a leak.
"""

from __future__ import annotations

import re
import unicodedata

_NAME_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", ".": "·"})  # look-alikes, domain.md §3.3
_NAME_SEPARATORS = frozenset("· ,")
# Compound surnames (复姓) stay whole, as `欧阳**` in §8.3 shows; the common ones suffice, since an
# unlisted one only loses its second character to a star.
_COMPOUND_SURNAMES = frozenset(
    re.findall(
        "..",
        "欧阳司马上官诸葛东方皇甫尉迟公孙慕容长孙宇文司徒令狐夏侯轩辕端木独孤南宫西门百里"
        "呼延澹台公冶太史申屠闻人赫连万俟司空钟离宗政濮阳淳于单于拓跋鲜于闾丘第五谷梁左丘"
        "梁丘东郭羊舌微生公羊乐正漆雕壤驷公良仲孙亓官巫马子车颛孙段干夹谷公西公叔仲长"
        "叔孙司寇相里子书",
    )
)


def _stars(text: str) -> str:
    return "*" * len(text)


def mask_name(name: str | None) -> str:
    """`张*`, `欧阳**`, `买****·**`: keep the surname (the first character, or a compound surname
    such as 欧阳) and the name dots; star everything else."""
    if not name:
        return ""
    text = unicodedata.normalize("NFC", name).strip().translate(_NAME_DOTS)
    if len(text) < 2:
        return _stars(text)
    kept = 2 if len(text) > 2 and text[:2] in _COMPOUND_SURNAMES else 1
    return text[:kept] + "".join(c if c in _NAME_SEPARATORS else "*" for c in text[kept:])


def mask_id_number(value: str | None, *, customer_facing: bool = False) -> str:
    """Staff `4201**********1238` (first 4 + last 4, hides the birth date); customer `4****************8`."""
    if not value:
        return ""
    text = "".join(value.split()).upper()
    if not re.fullmatch(r"\d{14}[\dX]|\d{17}[\dX]", text):  # not a 15/18-character resident ID
        return _stars(text)
    if customer_facing:
        return text[0] + "*" * (len(text) - 2) + text[-1]
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def mask_mobile(value: str | None) -> str:
    """`139****1234` for staff and customers alike."""
    if not value:
        return ""
    text = re.sub(r"[\s-]", "", value)
    text = re.sub(r"^(?:\+86|0086|86)(?=1\d{10}$)", "", text)
    if not re.fullmatch(r"\+?\d{11,15}", text):
        return _stars(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


def mask_card_number(value: str | None, *, customer_facing: bool = False) -> str:
    """Staff `621999*********0010` (first 6 + last 4); customer `尾号0010`."""
    text = re.sub(r"[\s-]", "", value or "")
    if not re.fullmatch(r"\d{12,19}", text):
        return _stars(text)
    if customer_facing:
        return f"尾号{text[-4:]}"
    if len(text) < 14:
        return _stars(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_account_number(value: str | None, *, customer_facing: bool = False) -> str:
    """Account numbers show their last 4 only: staff `************0010`, customer `尾号0010`."""
    text = re.sub(r"[\s-]", "", value or "")
    if len(text) < 8:
        return _stars(text)
    return f"尾号{text[-4:]}" if customer_facing else _stars(text[:-4]) + text[-4:]


# Address prefix = province, prefecture and county levels, each optional, in that order. A level's
# name may not contain street-level characters (路 街 道 ...) and 区 after 社/小/园/校/景/厂/营 is a
# community, not a district, so an address without a county stops at the city. Where the rule
# misreads an unusual name it keeps less of the address, never more.
_NAME_CHAR = r"(?:(?![路街道巷弄号楼栋室村社组镇乡])[\u3400-\u4dbf\u4e00-\u9fff])"
_PROVINCE = rf"{_NAME_CHAR}{{1,5}}?(?:省|自治区|特别行政区)"
_CITY = rf"{_NAME_CHAR}{{1,9}}?(?:自治州|地区|盟|市)"
_COUNTY = rf"{_NAME_CHAR}{{1,12}}?(?:自治县|自治旗|林区|特区|(?<![社小园校景厂营])区|县|市|旗)"
_REGION_PREFIX = re.compile(rf"(?:{_PROVINCE})?(?:{_CITY})?(?:{_COUNTY})?")


def mask_address(value: str | None) -> str:
    """`湖北省武汉市武昌区****`: keep the province/city/district prefix, replace the rest with ****."""
    if not value:
        return ""
    text = "".join(unicodedata.normalize("NFC", value).split())
    if not text:
        return ""
    match = _REGION_PREFIX.match(text)
    prefix = match.group(0) if match else ""
    return prefix + "****"


def mask_email(value: str | None) -> str:
    """`z***@example.com`: first character of the local part, a fixed *** and the domain."""
    if not value:
        return ""
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or not domain:
        return "***"
    return f"{local[0]}***@{domain}"
