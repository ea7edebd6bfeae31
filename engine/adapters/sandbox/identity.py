"""Sandbox 联网核查 (§2.4 A, §13.2): scenario by sequence code 9 0 B, otherwise a synthetic match."""

from __future__ import annotations

import hashlib

from engine.adapters.ports import IdentityCode, IdentityResult
from engine.adapters.sandbox import fixtures
from engine.adapters.sandbox.timing import IDENTITY, Pacer
from forms.formats import normalise_chinese_name, normalise_resident_id, resident_id_problem

WORDING: dict[str, str] = {
    "MATCH_WITH_PHOTO": "公民身份号码与姓名一致，且存在照片",
    "MATCH_NO_PHOTO": "公民身份号码与姓名一致，但不存在照片",
    "NAME_MISMATCH": "公民身份号码存在，但与姓名不匹配",
    "NOT_FOUND": "公民身份号码不存在",
    "ID_CARD_INVALIDATED": "居民身份证已失效（挂失/补领）",
}


class SandboxIdentityCheck:
    """Registry simulator. Fixture IDs match only their fixture name; synthetic persons match any name.

    Foreign permanent-residence IDs (prefix 9) are not in the citizen registry → NOT_FOUND; HK/Macau/
    Taiwan residence permits (81/82/83) are issued by the MPS and match like citizens. Deciding the
    document type is the journey's job, not this adapter's.
    """

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer

    def verify(self, name: str, id_number: str, request_id: str) -> IdentityResult:
        number = normalise_resident_id(id_number)
        scenario = fixtures.IDENTITY_SCENARIOS.get(fixtures.sequence_code(number))
        if scenario == "UNAVAILABLE":
            self._pacer.fail_fast(IDENTITY)
        if scenario == "TIMEOUT":
            self._pacer.wait(IDENTITY, latency_s=fixtures.IDENTITY_TIMEOUT_LATENCY_S)
        self._pacer.inject_faults(IDENTITY, request_id)
        self._pacer.wait(IDENTITY, number, name, request_id)
        code = self._decide(normalise_chinese_name(name), number, scenario)
        photo = None if code != "MATCH_WITH_PHOTO" else registry_photo_ref(number)
        return IdentityResult(
            request_id=request_id,
            responded_at=self._pacer.now(),
            result=code,
            registry_photo_ref=photo,
            wording=WORDING[code],
        )

    @staticmethod
    def _decide(name: str, number: str, scenario: str | None) -> IdentityCode:
        if resident_id_problem(number) is not None or number.startswith("9"):
            return "NOT_FOUND"
        if scenario == "NOT_FOUND":
            return "NOT_FOUND"
        if scenario == "NAME_MISMATCH":
            return "NAME_MISMATCH"
        fixture_name = fixtures.FIXTURE_PERSONS.get(number)
        if fixture_name and name != fixture_name:
            return "NAME_MISMATCH"
        if scenario == "ID_CARD_INVALIDATED":
            return "ID_CARD_INVALIDATED"
        if scenario == "MATCH_NO_PHOTO":
            return "MATCH_NO_PHOTO"
        return "MATCH_WITH_PHOTO"


def registry_photo_ref(id_number: str) -> str:
    """A stable reference to the generated placeholder registry photo of this person."""
    return "sandbox-registry-photo/" + hashlib.sha256(id_number.encode()).hexdigest()[:20]
