"""Scores a device snapshot (domain §9.3) as pure functions: each signal group answers its reasons
with points, the groups add up, and the total picks the action. No I/O, no clock: the caller passes
the enrolment record, the server's facts and the weights (devices/risk_config.py).

Two rules from the anchors (reference/device-trust-anchors.md §4) sit on top of the points: a failed
integrity check is a rule, it locks whatever the sum (rule 1), and one weak app-side signal alone is
capped below restrict, so a single OEM false positive cannot lock a tablet (rule 3).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Any

from devices.risk_config import RiskConfig
from devices.snapshots import Enrolment, Fix, ServerFacts, Snapshot, SnapshotKind
from engine.adapters.ports import SHANGHAI


class Action(StrEnum):
    ALLOW = "allow"
    STEP_UP = "step_up"
    RESTRICT = "restrict"
    LOCK = "lock"


JOURNEY_ACTIONS = frozenset({Action.ALLOW, Action.STEP_UP})
"""The actions under which a device may start a new journey (§9.3: restrict and lock may not)."""


@dataclass(frozen=True)
class Reason:
    code: str
    group: str
    points: int
    detail: str
    weak: bool = False
    """An app-side check a hooking framework can fake or an OEM app can trip (anchors §4)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    score: int
    action: Action
    reasons: tuple[Reason, ...]
    rule: str | None = None
    """Set when a rule, not the sum, decided the action (an integrity failure)."""


def action_for(score: int, config: RiskConfig) -> Action:
    if score >= config.lock_from:
        return Action.LOCK
    if score >= config.restrict_from:
        return Action.RESTRICT
    if score >= config.step_up_from:
        return Action.STEP_UP
    return Action.ALLOW


def score(snapshot: Snapshot, enrolment: Enrolment, facts: ServerFacts, config: RiskConfig) -> Verdict:
    integrity = integrity_reasons(snapshot, config)
    location = location_reasons(snapshot, enrolment, facts, config)
    hardware = hardware_reasons(snapshot, enrolment, config)
    groups = [hardware, location, behaviour_reasons(snapshot, facts, config)]
    total = sum(sum(r.points for r in g) for g in groups)
    total -= max(0, sum(r.points for r in location) - config.location_group_cap)
    reasons = tuple(r for g in (integrity, *groups) for r in g)
    if integrity:
        return Verdict(100, Action.LOCK, reasons, rule="integrity failure (anchors §4 rule 1)")
    if len(reasons) == 1 and reasons[0].weak:
        total = min(total, config.weak_alone_cap)
    total = min(total, 100)
    return Verdict(total, action_for(total, config), reasons)


def integrity_reasons(snapshot: Snapshot, config: RiskConfig) -> list[Reason]:
    return [
        Reason(f"integrity_{name}", "integrity", config.integrity_failure, f"integrity check failed: {name}")
        for name in snapshot.integrity.failures()
    ]


def hardware_reasons(snapshot: Snapshot, enrolment: Enrolment, config: RiskConfig) -> list[Reason]:
    found: list[Reason] = []

    def add(code: str, points: int, detail: str, *, weak: bool = False) -> None:
        found.append(Reason(code, "hardware", points, detail, weak))

    if snapshot.serial != enrolment.serial:
        add("serial_mismatch", config.serial_mismatch, "serial differs from the enrolment record")
    if enrolment.secure_element_serial and snapshot.secure_element_serial != enrolment.secure_element_serial:
        missing = snapshot.secure_element_serial is None
        detail = "secure element missing" if missing else "secure element differs from the enrolment record"
        add("secure_element_mismatch", config.secure_element_mismatch, detail)
    if enrolment.imei and snapshot.imei and snapshot.imei != enrolment.imei:
        add("imei_mismatch", config.imei_mismatch, "IMEI differs from the enrolment record")
    first_hash = enrolment.first_fingerprint_hash
    if first_hash and snapshot.fingerprint_hash != first_hash:
        add("fingerprint_changed", config.fingerprint_changed, "hardware fingerprint changed", weak=True)
    first_sim = enrolment.first_sim_iccid
    if first_sim and snapshot.sim_iccid != first_sim:
        add("iccid_changed", config.iccid_changed, "SIM (ICCID) changed since the first snapshot")
    if _version(snapshot.os_version) < _version(enrolment.os_version):
        detail = f"OS {snapshot.os_version} is older than the enrolled {enrolment.os_version}"
        add("os_downgraded", config.os_downgraded, detail)
    return found


def location_reasons(
    snapshot: Snapshot, enrolment: Enrolment, facts: ServerFacts, config: RiskConfig
) -> list[Reason]:
    found: list[Reason] = []

    def add(code: str, points: int, detail: str, *, weak: bool = False) -> None:
        found.append(Reason(code, "location", points, detail, weak))

    if snapshot.mock_location_enabled or any(f.mock for f in snapshot.fixes):
        add("mock_location", config.mock_location, "mock location on", weak=True)
    track = ([facts.previous_fix] if facts.previous_fix else []) + list(snapshot.fixes)
    fastest = max((speed_kmh(a, b) for a, b in pairwise(track)), default=0.0)
    if fastest > config.impossible_speed_kmh:
        add("impossible_travel", config.impossible_travel, f"{fastest:.0f} km/h between fixes")
    latest = snapshot.fixes[-1] if snapshot.fixes else None
    network = snapshot.network_location
    if latest and network:
        apart = distance_km(latest.lat, latest.lon, network.lat, network.lon)
        if apart > config.gps_network_km:
            add("gps_network_disagree", config.gps_network_disagree, f"GPS and network {apart:.1f} km apart")
    city = branch_city(enrolment.branch_code, config)
    if latest and city:
        away = distance_km(latest.lat, latest.lon, *city)
        if away > config.branch_city_radius_km:
            add("far_from_branch_city", config.far_from_branch_city, f"{away:.0f} km from the branch's city")
    return found


def behaviour_reasons(snapshot: Snapshot, facts: ServerFacts, config: RiskConfig) -> list[Reason]:
    found: list[Reason] = []

    def add(code: str, points: int, detail: str) -> None:
        found.append(Reason(code, "behaviour", points, detail))

    start, end = config.working_hours
    local = facts.received_at.astimezone(SHANGHAI)
    if facts.kind is SnapshotKind.SIGN_IN and not start <= local.hour < end:
        add("outside_hours", config.outside_hours, f"sign-in at {local:%H:%M} Beijing time")
    if snapshot.failed_biometrics > config.failed_biometrics_limit:
        add("failed_biometrics", config.failed_biometrics, f"{snapshot.failed_biometrics} failed biometrics")
    started = facts.journeys_last_hour
    if started >= config.journeys_per_hour_severe_limit:
        add("journeys_per_hour", config.journeys_per_hour_severe, f"{started} journeys in the last hour")
    elif started > config.journeys_per_hour_limit:
        add("journeys_per_hour", config.journeys_per_hour, f"{started} journeys in the last hour")
    return found


def branch_city(branch_code: str, config: RiskConfig) -> tuple[float, float] | None:
    prefixes = [p for p in config.branch_cities if branch_code.startswith(p)]
    return config.branch_cities[max(prefixes, key=len)] if prefixes else None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def speed_kmh(a: Fix, b: Fix) -> float:
    """Between two fixes, giving the device the benefit of both fixes' accuracy."""
    km = max(0.0, distance_km(a.lat, a.lon, b.lat, b.lon) - (a.accuracy_m + b.accuracy_m) / 1000)
    hours = abs((b.at - a.at).total_seconds()) / 3600
    if hours == 0:
        return math.inf if km > 0 else 0.0
    return km / hours


def _version(text: str) -> tuple[int, ...]:
    """`HarmonyOS 4.2` → (4, 2): the numbers, for an older/newer comparison."""
    return tuple(int(n) for n in re.findall(r"[0-9]+", text))
