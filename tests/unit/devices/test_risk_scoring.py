"""Risk scoring (§9.3) signal by signal: the points each signal gives, the rules on top (integrity
locks, a weak signal alone is capped, the location group is capped) and thresholds from configuration."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from devices.risk_config import RiskConfig, risk_config
from devices.risk_profiles import CHANGSHA, WUCHANG, DeviceIdentity, clean_snapshot
from devices.risk_scoring import Action, Verdict, action_for, distance_km, score
from devices.snapshots import Enrolment, Fix, Integrity, NetworkLocation, ServerFacts, Snapshot, SnapshotKind

NOON = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 12:00 Beijing time
IDENTITY = DeviceIdentity("HWMP11-T-9001", "SETF-T-9001", "490154203237518")
ENROLMENT = Enrolment(
    "HWMP11-T-9001",
    "490154203237518",
    "SETF-T-9001",
    "HarmonyOS 4.2",
    "WH0101",
    IDENTITY.fingerprint_hash,
    IDENTITY.sim_iccid,
)
CONFIG = RiskConfig()


def scored(
    kind: SnapshotKind = SnapshotKind.HEARTBEAT,
    at: datetime = NOON,
    enrolment: Enrolment = ENROLMENT,
    config: RiskConfig = CONFIG,
    journeys: int = 0,
    previous: Fix | None = None,
    **changes: Any,
) -> Verdict:
    snapshot = clean_snapshot(IDENTITY, at).model_copy(update=changes)
    return score(snapshot, enrolment, ServerFacts(kind, at, journeys, previous), config)


def codes(verdict: Verdict) -> dict[str, int]:
    return {r.code: r.points for r in verdict.reasons}


def test_a_clean_snapshot_is_allowed_with_no_reasons() -> None:
    verdict = scored()
    assert (verdict.score, verdict.action, verdict.reasons) == (0, Action.ALLOW, ())


@pytest.mark.parametrize("flag", list(Integrity.model_fields))
def test_any_integrity_failure_is_a_rule_that_locks(flag: str) -> None:
    verdict = scored(integrity=Integrity(**{flag: True}))
    assert verdict.action is Action.LOCK and verdict.score == 100 and verdict.rule
    assert codes(verdict) == {f"integrity_{flag}": 100}


def test_integrity_locks_even_when_the_weights_say_otherwise() -> None:
    verdict = scored(integrity=Integrity(hooking=True), config=risk_config({"integrity_failure": 0}))
    assert verdict.action is Action.LOCK


@pytest.mark.parametrize(
    ("changes", "code", "points"),
    [
        ({"serial": "HWMP11-OTHER"}, "serial_mismatch", 100),
        ({"secure_element_serial": None}, "secure_element_mismatch", 100),
        ({"secure_element_serial": "SETF-OTHER"}, "secure_element_mismatch", 100),
        ({"imei": "867231051234568"}, "imei_mismatch", 60),
        ({"sim_iccid": "89860198765432109876"}, "iccid_changed", 30),
        ({"os_version": "HarmonyOS 3.1"}, "os_downgraded", 40),
    ],
)
def test_hardware_differences_from_enrolment_score(changes: dict[str, Any], code: str, points: int) -> None:
    assert codes(scored(**changes)) == {code: points}


def test_serial_or_secure_element_mismatch_locks_by_points() -> None:
    assert scored(serial="HWMP11-OTHER").action is Action.LOCK
    assert scored(secure_element_serial=None).action is Action.LOCK


def test_an_os_upgrade_is_no_signal() -> None:
    assert scored(os_version="HarmonyOS 4.3").reasons == ()


def test_a_fingerprint_change_alone_is_weak_and_capped_below_restrict() -> None:
    verdict = scored(fingerprint_hash="0" * 64, config=risk_config({"fingerprint_changed": 60}))
    assert codes(verdict) == {"fingerprint_changed": 60}
    assert (verdict.score, verdict.action) == (59, Action.STEP_UP)


def test_mock_location_alone_is_capped_but_corroborated_reaches_restrict() -> None:
    alone = scored(mock_location_enabled=True)
    assert (alone.score, alone.action) == (59, Action.STEP_UP)
    far_network = NetworkLocation(lat=WUCHANG[0] + 0.1, lon=WUCHANG[1], accuracy_m=500)
    corroborated = scored(mock_location_enabled=True, network_location=far_network)
    assert codes(corroborated) == {"mock_location": 60, "gps_network_disagree": 20}
    assert (corroborated.score, corroborated.action) == (60, Action.RESTRICT)  # the location group's cap


def test_a_fix_flagged_mock_counts_as_mock_location() -> None:
    fix = Fix(lat=WUCHANG[0], lon=WUCHANG[1], at=NOON, accuracy_m=10, mock=True)
    assert "mock_location" in codes(scored(fixes=[fix]))


def test_impossible_travel_is_measured_from_the_previous_snapshots_fix() -> None:
    before = Fix(lat=WUCHANG[0] - 0.9, lon=WUCHANG[1], at=NOON - timedelta(minutes=10), accuracy_m=10)
    assert distance_km(before.lat, before.lon, *WUCHANG) == pytest.approx(100, abs=1)
    assert codes(scored(previous=before)) == {"impossible_travel": 40}
    slow = before.model_copy(update={"at": NOON - timedelta(hours=1)})
    assert scored(previous=slow).reasons == ()


def test_gps_and_network_more_than_5_km_apart_scores() -> None:
    near = NetworkLocation(lat=WUCHANG[0] + 0.04, lon=WUCHANG[1])  # 4.4 km
    far = NetworkLocation(lat=WUCHANG[0] + 0.05, lon=WUCHANG[1])  # 5.6 km
    assert scored(network_location=near).reasons == ()
    assert codes(scored(network_location=far)) == {"gps_network_disagree": 20}


def test_far_from_the_branch_city_restricts_and_unknown_cities_are_not_scored() -> None:
    there = clean_snapshot(IDENTITY, NOON, CHANGSHA)
    facts = ServerFacts(SnapshotKind.JOURNEY_START, NOON)
    verdict = score(there, ENROLMENT, facts, CONFIG)
    assert codes(verdict) == {"far_from_branch_city": 60} and verdict.action is Action.RESTRICT
    elsewhere = replace(ENROLMENT, branch_code="SH0101")
    assert score(there, elsewhere, facts, CONFIG).reasons == ()


@pytest.mark.parametrize(("hour", "scores"), [(7, True), (8, False), (19, False), (20, True), (23, True)])
def test_sign_in_outside_8_to_20_beijing_time_scores(hour: int, scores: bool) -> None:
    at = datetime(2026, 12, 7, hour, 30, tzinfo=UTC) - timedelta(hours=8)
    verdict = scored(SnapshotKind.SIGN_IN, at)
    assert codes(verdict) == ({"outside_hours": 20} if scores else {})
    assert scored(SnapshotKind.HEARTBEAT, at).reasons == ()  # only the sign-in hour counts


def test_more_than_3_failed_biometrics_scores() -> None:
    assert scored(failed_biometrics=3).reasons == ()
    assert codes(scored(failed_biometrics=4)) == {"failed_biometrics": 20}


@pytest.mark.parametrize(
    ("journeys", "points", "action"),
    [
        (15, None, Action.ALLOW),
        (16, 40, Action.STEP_UP),
        (20, 60, Action.RESTRICT),
        (25, 60, Action.RESTRICT),
    ],
)
def test_journeys_per_hour_above_the_limit_scores(journeys: int, points: int | None, action: Action) -> None:
    verdict = scored(SnapshotKind.JOURNEY_START, journeys=journeys)
    assert codes(verdict) == ({"journeys_per_hour": points} if points else {})
    assert verdict.action is action


@pytest.mark.parametrize(
    ("score_", "action"),
    [
        (0, Action.ALLOW),
        (29, Action.ALLOW),
        (30, Action.STEP_UP),
        (59, Action.STEP_UP),
        (60, Action.RESTRICT),
        (79, Action.RESTRICT),
        (80, Action.LOCK),
        (100, Action.LOCK),
    ],
)
def test_the_domain_thresholds_pick_the_action(score_: int, action: Action) -> None:
    assert action_for(score_, CONFIG) is action


def test_weights_and_thresholds_come_from_configuration() -> None:
    tuned = risk_config({"iccid_changed": 70, "restrict_from": 65, "lock_from": 90})
    verdict = scored(sim_iccid="89860198765432109876", config=tuned)
    assert (verdict.score, verdict.action) == (70, Action.RESTRICT)
    assert action_for(64, tuned) is Action.STEP_UP and action_for(89, tuned) is Action.RESTRICT


def test_configuration_refuses_unknown_names_and_falling_thresholds() -> None:
    with pytest.raises(ValidationError):
        risk_config({"mock_locaton": 50})
    with pytest.raises(ValidationError):
        risk_config({"restrict_from": 90})


def test_a_snapshot_refuses_bad_fields() -> None:
    with pytest.raises(ValidationError) as raised:
        Snapshot.model_validate(
            {"fingerprint_hash": "xyz", "serial": "HWMP11-T-9001", "os_version": "4.2", "sim_iccid": "12"}
        )
    assert {e["loc"][0] for e in raised.value.errors()} == {"fingerprint_hash", "sim_iccid"}
