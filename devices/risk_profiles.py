"""The device simulator's fixture profiles (domain §13.9): each a short sequence of snapshots a tablet
sends, ending in the one whose action the domain table expects.

Every profile opens with a clean sign-in in 武昌, so the device's baseline (first hardware hash and
SIM) is the enrolled tablet's. Two profiles turn on facts only the server has: `night_use` needs the
server's clock at 23:30 Beijing time and `velocity` 25 journeys started by the officer in the hour;
the profile names them (`server_hour`, `journeys_last_hour`) for the unit tests, and over HTTP they
are whatever the server really sees. No activity geofence exists yet: `outside_geofence` is scored as
far from the branch's city.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from crypto import sm3
from devices.risk_scoring import Action
from devices.snapshots import Fix, Integrity, NetworkLocation, Snapshot, SnapshotKind

WUCHANG = (30.546712, 114.341862)
"""Where the demo tablets work (the journey driver's outreach position)."""
CHANGSHA = (28.228209, 112.938814)  # about 300 km away, another province


@dataclass(frozen=True)
class DeviceIdentity:
    """What the tablet reports about itself; a clean one matches its enrolment record."""

    serial: str
    secure_element_serial: str | None
    imei: str | None = None
    os_version: str = "HarmonyOS 4.2"
    sim_iccid: str | None = "89860112345678901234"

    @property
    def fingerprint_hash(self) -> str:
        return sm3(f"{self.serial}|{self.imei}|board".encode()).hex()


@dataclass(frozen=True)
class Step:
    kind: SnapshotKind
    snapshot: Snapshot


@dataclass(frozen=True)
class Profile:
    name: str
    expected: Action
    """What the domain table expects of the last step."""
    build: Callable[[DeviceIdentity, datetime], list[Step]]
    server_hour: tuple[int, int] | None = None
    """For the unit tests: the server's Beijing time of day when the last step arrives."""
    journeys_last_hour: int = 0
    """For the unit tests: journeys the officer started in the hour before the last step."""


def clean_snapshot(identity: DeviceIdentity, at: datetime, where: tuple[float, float] = WUCHANG) -> Snapshot:
    """A healthy tablet where it should be: one fix, the network agreeing."""
    return Snapshot(
        fingerprint_hash=identity.fingerprint_hash,
        serial=identity.serial,
        imei=identity.imei,
        secure_element_serial=identity.secure_element_serial,
        sim_iccid=identity.sim_iccid,
        os_version=identity.os_version,
        fixes=[Fix(lat=where[0], lon=where[1], at=at, accuracy_m=15)],
        network_location=NetworkLocation(lat=where[0] + 0.002, lon=where[1] + 0.002, accuracy_m=300),
    )


def _sign_in(identity: DeviceIdentity, start: datetime) -> Step:
    return Step(SnapshotKind.SIGN_IN, clean_snapshot(identity, start))


def _clean(identity: DeviceIdentity, start: datetime) -> list[Step]:
    later = start + timedelta(minutes=5)
    return [
        _sign_in(identity, start),
        Step(SnapshotKind.JOURNEY_START, clean_snapshot(identity, later)),
        Step(SnapshotKind.HEARTBEAT, clean_snapshot(identity, later + timedelta(minutes=5))),
    ]


def _rooted(identity: DeviceIdentity, start: datetime) -> list[Step]:
    rooted = clean_snapshot(identity, start + timedelta(minutes=5)).model_copy(
        update={"integrity": Integrity(root=True)}
    )
    return [_sign_in(identity, start), Step(SnapshotKind.HEARTBEAT, rooted)]


def _mock_location(identity: DeviceIdentity, start: datetime) -> list[Step]:
    # the faked fix is in the city centre; the cell network still sees the tablet 16 km away
    at = start + timedelta(minutes=5)
    mocked = clean_snapshot(identity, at, (30.5928, 114.3055)).model_copy(
        update={
            "mock_location_enabled": True,
            "network_location": NetworkLocation(lat=30.48, lon=114.42, accuracy_m=500),
        }
    )
    return [_sign_in(identity, start), Step(SnapshotKind.JOURNEY_START, mocked)]


def _impossible_travel(identity: DeviceIdentity, start: datetime) -> list[Step]:
    # 200 km north in 10 minutes (1,200 km/h)
    away = (WUCHANG[0] + 200 / 111.2, WUCHANG[1])
    jump = clean_snapshot(identity, start + timedelta(minutes=10), away)
    return [_sign_in(identity, start), Step(SnapshotKind.HEARTBEAT, jump)]


def _sim_swapped(identity: DeviceIdentity, start: datetime) -> list[Step]:
    swapped = replace(identity, sim_iccid="89860198765432109876")
    return [
        _sign_in(identity, start),
        Step(SnapshotKind.HEARTBEAT, clean_snapshot(swapped, start + timedelta(minutes=5))),
    ]


def _outside_geofence(identity: DeviceIdentity, start: datetime) -> list[Step]:
    # a plausible four-hour drive, then a journey start in another city
    there = clean_snapshot(identity, start + timedelta(hours=4), CHANGSHA)
    return [_sign_in(identity, start), Step(SnapshotKind.JOURNEY_START, there)]


def _night_use(identity: DeviceIdentity, start: datetime) -> list[Step]:
    return [_sign_in(identity, start)]


def _velocity(identity: DeviceIdentity, start: datetime) -> list[Step]:
    at = start + timedelta(minutes=55)
    return [_sign_in(identity, start), Step(SnapshotKind.JOURNEY_START, clean_snapshot(identity, at))]


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("clean", Action.ALLOW, _clean),
        Profile("rooted", Action.LOCK, _rooted),
        Profile("mock_location", Action.RESTRICT, _mock_location),
        Profile("impossible_travel", Action.RESTRICT, _impossible_travel),
        Profile("sim_swapped", Action.STEP_UP, _sim_swapped),
        Profile("outside_geofence", Action.RESTRICT, _outside_geofence),
        Profile("night_use", Action.ALLOW, _night_use, server_hour=(23, 30)),
        Profile("velocity", Action.RESTRICT, _velocity, journeys_last_hour=25),
    )
}
