"""Each §13.9 fixture profile, replayed as the server would score it (baseline from the first
snapshot, impossible travel from the previous snapshot's fix), ends in the action the domain expects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devices.risk_config import RiskConfig
from devices.risk_profiles import PROFILES, DeviceIdentity, Profile
from devices.risk_scoring import Action, Verdict, score
from devices.snapshots import Enrolment, Fix, ServerFacts

IDENTITY = DeviceIdentity("HWMP11-T-9001", "SETF-T-9001", "490154203237518")
START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 Beijing time


def replay(profile: Profile) -> list[Verdict]:
    steps = profile.build(IDENTITY, START)
    first = steps[0].snapshot
    enrolment = Enrolment(
        IDENTITY.serial,
        IDENTITY.imei,
        IDENTITY.secure_element_serial,
        "HarmonyOS 4.2",
        "WH0101",
        first.fingerprint_hash,
        first.sim_iccid,
    )
    verdicts = []
    previous: Fix | None = None
    for number, step in enumerate(steps, start=1):
        last = number == len(steps)
        received = step.snapshot.fixes[-1].at if step.snapshot.fixes else START
        if last and profile.server_hour:
            hour, minute = profile.server_hour
            received = datetime(2026, 12, 7, hour, minute, tzinfo=UTC) - timedelta(hours=8)
        journeys = profile.journeys_last_hour if last else 0
        facts = ServerFacts(step.kind, received, journeys, previous)
        verdicts.append(score(step.snapshot, enrolment, facts, RiskConfig()))
        previous = step.snapshot.fixes[-1] if step.snapshot.fixes else previous
    return verdicts


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_each_profile_ends_in_the_domain_tables_action(name: str) -> None:
    verdicts = replay(PROFILES[name])
    assert verdicts[-1].action is PROFILES[name].expected, verdicts[-1]
    assert all(v.action is Action.ALLOW for v in verdicts[:-1])  # the opening sign-in is clean


def test_the_profiles_score_as_the_domain_table_says() -> None:
    def last(name: str) -> dict[str, int]:
        return {r.code: r.points for r in replay(PROFILES[name])[-1].reasons}

    assert last("clean") == {}
    assert last("rooted") == {"integrity_root": 100}
    assert last("mock_location") == {"mock_location": 60, "gps_network_disagree": 20}
    assert replay(PROFILES["mock_location"])[-1].score == 60  # §13.9: 60 → restrict
    assert set(last("impossible_travel")) == {"impossible_travel", "far_from_branch_city"}
    assert last("sim_swapped") == {"iccid_changed": 30}  # §13.9: 30 → step up
    assert last("outside_geofence") == {"far_from_branch_city": 60}
    assert last("night_use") == {"outside_hours": 20}  # §13.9: 20 + others
    assert last("velocity") == {"journeys_per_hour": 60}
