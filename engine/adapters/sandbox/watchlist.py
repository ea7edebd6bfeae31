"""Sandbox watch-list screening (§2.5, §13.2): exact-ID scenarios 911–915, fuzzy common-name hits, mobiles.

Person screening always runs the fuzzy name stage, so it takes fuzzy-sanctions time (0.3 s / 1 s);
mobile screening is an exact lookup (50 ms / 200 ms).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, cast

from engine.adapters.ports import (
    MobileScreenCode,
    MobileScreenResult,
    PersonScreenCode,
    WatchListHit,
    WatchListResult,
)
from engine.adapters.sandbox import fixtures
from engine.adapters.sandbox.store import SandboxStore
from engine.adapters.sandbox.timing import WATCHLIST_EXACT, WATCHLIST_FUZZY, Pacer
from forms.formats import id_birth_date, normalise_chinese_name, normalise_mobile, normalise_resident_id

NAMESPACE = "watchlist.clearance"
# Most severe first: the one outcome the journey acts on when several lists hit.
SEVERITY: tuple[PersonScreenCode, ...] = (
    "BLOCK_SANCTIONS",
    "BLOCK_DISCIPLINE",
    "BLOCK_INTERNAL",
    "REVIEW_AML",
    "REVIEW_ENHANCED",
    "CLEAR",
)


class SandboxWatchList:
    """Screens against fixture lists of one `list_version`; remembers AML officers' clearances.

    A clearance (per ID + list version) turns a REVIEW_AML into CLEAR; blocks are never cleared here.
    """

    def __init__(
        self, pacer: Pacer, store: SandboxStore, list_version: str = fixtures.WATCHLIST_VERSION
    ) -> None:
        self._pacer = pacer
        self._store = store
        self.list_version = list_version

    def screen_person(
        self, name: str, id_number: str, birth_date: date | None, request_id: str
    ) -> WatchListResult:
        number = normalise_resident_id(id_number)
        self._pacer.inject_faults(WATCHLIST_FUZZY, request_id)
        self._pacer.wait(WATCHLIST_FUZZY, name, number, request_id)
        hits = _exact_hits(number) + _fuzzy_hits(
            normalise_chinese_name(name), birth_date or id_birth_date(number)
        )
        outcomes = {code for code, _ in hits}
        result = next(code for code in SEVERITY if code in outcomes or code == "CLEAR")
        if result == "REVIEW_AML" and self.is_cleared(number):
            result = "REVIEW_ENHANCED" if "REVIEW_ENHANCED" in outcomes else "CLEAR"
        return WatchListResult(
            request_id=request_id,
            responded_at=self._pacer.now(),
            result=result,
            list_version=self.list_version,
            hits=tuple(hit for _, hit in hits),
        )

    def screen_mobile(self, mobile: str, request_id: str) -> MobileScreenResult:
        number = normalise_mobile(mobile)
        self._pacer.inject_faults(WATCHLIST_EXACT, request_id)
        self._pacer.wait(WATCHLIST_EXACT, number, request_id)
        entry = fixtures.MOBILE_WATCHLIST.get(number)
        result = cast(MobileScreenCode, entry[0]) if entry else "CLEAR"
        hits = (WatchListHit(entry[1], f"{entry[1]}/{number}", "exact_mobile"),) if entry else ()
        return MobileScreenResult(
            request_id=request_id,
            responded_at=self._pacer.now(),
            result=result,
            list_version=self.list_version,
            hits=hits,
        )

    def record_clearance(self, id_number: str, list_version: str, *, cleared_by: str = "") -> None:
        """The AML officer's "clear" decision for this ID under this list version (§13.2)."""
        number = normalise_resident_id(id_number)
        value = {"id_number": number, "list_version": list_version, "cleared_by": cleared_by}
        self._store.put_if_absent(NAMESPACE, f"{number}:{list_version}", value)

    def is_cleared(self, id_number: str) -> bool:
        return self._store.get(NAMESPACE, f"{id_number}:{self.list_version}") is not None


def _exact_hits(number: str) -> list[tuple[PersonScreenCode, WatchListHit]]:
    entry = fixtures.WATCHLIST_SCENARIOS.get(fixtures.sequence_code(number))
    if entry is None:
        return []
    code, list_code = entry
    match: Literal["fuzzy_name", "exact_id"] = "fuzzy_name" if code == "REVIEW_AML" else "exact_id"
    return [(cast(PersonScreenCode, code), WatchListHit(list_code, f"{list_code}/{number}", match))]


def _fuzzy_hits(name: str, born: date | None) -> list[tuple[PersonScreenCode, WatchListHit]]:
    key = _name_key(name)
    hits: list[tuple[PersonScreenCode, WatchListHit]] = []
    for entry in fixtures.FUZZY_NAME_ENTRIES:
        if key in {_name_key(alias) for alias in entry["aliases"]} and not _dob_rules_out(entry, born):
            note = f"name {entry['aliases'][0]}; listed DOB {entry['born_from']:%Y}–{entry['born_to']:%Y}"
            hits.append(
                ("REVIEW_AML", WatchListHit(entry["list_code"], entry["entry_ref"], "fuzzy_name", note))
            )
    return hits


def _dob_rules_out(entry: dict[str, Any], born: date | None) -> bool:
    return born is not None and not entry["born_from"] <= born <= entry["born_to"]


def _name_key(name: str) -> str:
    """Case, spacing and middle dots do not matter to the fuzzy stage."""
    return "".join(ch for ch in normalise_chinese_name(name).casefold() if ch not in " ·")
