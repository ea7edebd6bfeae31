"""Sandbox mobile three-element check (§2.6, §13.3): scenario by mobile number, otherwise a match.

Any other valid mainland number matches, with operator, tenure and porting drawn from a hash of the
number — never from its prefix, because of number portability. MVNO ranges are flagged.
"""

from __future__ import annotations

from typing import Any, cast

from engine.adapters.ports import LineStatus, Operator, TelcoCode, TelcoResult, TenureBucket
from engine.adapters.sandbox import fixtures
from engine.adapters.sandbox.timing import TELCO, Pacer, stable_fraction, stable_pick
from forms.formats import is_mainland_mobile, normalise_mobile

OPERATORS: tuple[Operator, ...] = ("cmcc", "cucc", "ctcc", "cbn")
OPERATOR_WEIGHTS = (0.56, 0.24, 0.18, 0.02)  # rough market shares [Sim]
TENURES: tuple[TenureBucket, ...] = ("[0,3)", "[3,6)", "[6,12)", "[12,24)", "[24,inf)")
TENURE_WEIGHTS = (0.04, 0.04, 0.08, 0.14, 0.70)
PORTED_SHARE = 0.05


class SandboxTelcoRealName:
    """`1390000xxxx` (xxxx < 9000) is the clean range to use in demos: MATCH, normal, ≥ 24 months, cmcc."""

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer

    def verify(self, name: str, id_number: str, mobile: str, request_id: str) -> TelcoResult:
        number = normalise_mobile(mobile)
        if number in fixtures.TELCO_UNAVAILABLE_MOBILES:
            self._pacer.fail_fast(TELCO)
        if number in fixtures.TELCO_TIMEOUT_MOBILES:
            self._pacer.wait(TELCO, latency_s=fixtures.TELCO_TIMEOUT_MOBILES[number])
        self._pacer.inject_faults(TELCO, request_id)
        self._pacer.wait(TELCO, name, id_number, number, request_id)
        facts = _facts(number)
        return TelcoResult(
            request_id=request_id,
            responded_at=self._pacer.now(),
            result=cast(TelcoCode, facts["result"]),
            operator=cast("Operator | None", facts.get("operator")),
            ported=bool(facts.get("ported", False)),
            status=cast("LineStatus | None", facts.get("status")),
            tenure_bucket=cast("TenureBucket | None", facts.get("tenure")),
            mvno=number.startswith(fixtures.MVNO_PREFIXES),
        )


def _facts(number: str) -> dict[str, Any]:
    if number in fixtures.MOBILE_SCENARIOS:
        return fixtures.MOBILE_SCENARIOS[number]
    if not is_mainland_mobile(number):
        return {"result": "NO_RECORD", "operator": None}  # e.g. 13-digit IoT numbers, typos
    if number.startswith(fixtures.CLEAN_MOBILE_PREFIX):  # incl. 9009/9010: those act on the watch list
        return {"result": "MATCH", "operator": "cmcc", "status": "normal", "tenure": "[24,inf)"}
    return {
        "result": "MATCH",
        "operator": stable_pick(OPERATORS, OPERATOR_WEIGHTS, "telco-operator", number),
        "ported": stable_fraction("telco-ported", number) < PORTED_SHARE,
        "status": "normal",
        "tenure": stable_pick(TENURES, TENURE_WEIGHTS, "telco-tenure", number),
    }
