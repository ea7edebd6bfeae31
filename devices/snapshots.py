"""What a device reports at sign-in, at each journey start and with each heartbeat (domain §9.3), and
what the server adds from what it knows itself (§9.3 "operation behaviour").

The device's part is validated here, so the HTTP route and the sandbox agent share one shape. Nothing
in it is personal data: serials, ICCID and the hardware hash identify the bank's tablet and SIM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from devices.registration import SERIAL

ICCID = r"^89[0-9]{16,20}$"  # ITU-T E.118: 89 (telecom), 18-22 digits
HASH = r"^[0-9a-f]{64}$"


class SnapshotKind(StrEnum):
    SIGN_IN = "sign_in"
    JOURNEY_START = "journey_start"
    HEARTBEAT = "heartbeat"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Integrity(_Strict):
    """The app's own checks (§9.2 standing controls); any one true is an integrity failure."""

    root: bool = False
    emulator: bool = False
    debugger: bool = False
    hooking: bool = False
    app_signature_mismatch: bool = False
    mdm_profile_removed: bool = False

    def failures(self) -> list[str]:
        return [name for name, value in self.model_dump().items() if value]


class Fix(_Strict):
    """A position fix; `mock` is the OS's own flag (`Location.isMock()`)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: AwareDatetime
    accuracy_m: float = Field(ge=0, le=100_000)
    mock: bool = False


class NetworkLocation(_Strict):
    """Where the cell / Wi-Fi network puts the device: a fake GPS position does not move it."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float = Field(default=1000, ge=0, le=100_000)


class Snapshot(_Strict):
    fingerprint_hash: str = Field(pattern=HASH, description="SM3 of board, serial, IMEI, MAC (hex)")
    serial: str = Field(pattern=SERIAL)
    imei: str | None = Field(default=None, pattern=r"^[0-9]{15}$")
    secure_element_serial: str | None = Field(default=None, pattern=SERIAL)
    """None: no secure element answered."""
    sim_iccid: str | None = Field(default=None, pattern=ICCID)
    os_version: str = Field(min_length=1, max_length=32)
    integrity: Integrity = Field(default_factory=Integrity)
    mock_location_enabled: bool = False
    fixes: list[Fix] = Field(default_factory=list, max_length=20)
    """Oldest first: the fixes taken since the previous snapshot."""
    network_location: NetworkLocation | None = None
    failed_biometrics: int = Field(default=0, ge=0, le=1000)
    """Staff biometric failures on the tablet since the last successful sign-in (checked on the device)."""


@dataclass(frozen=True)
class Enrolment:
    """What the device was registered with (§9.1), and what it reported first (trust on first use for
    the values registration does not record: the hardware hash and the SIM)."""

    serial: str
    imei: str | None
    secure_element_serial: str | None
    os_version: str
    branch_code: str
    first_fingerprint_hash: str | None = None
    first_sim_iccid: str | None = None


@dataclass(frozen=True)
class ServerFacts:
    """What the server knows without asking the device."""

    kind: SnapshotKind
    received_at: datetime
    """Aware; the sign-in hour is read from it in Asia/Shanghai."""
    journeys_last_hour: int = 0
    """Journeys this officer started in the hour before."""
    previous_fix: Fix | None = None
    """The last fix stored from this device's earlier snapshots (impossible travel spans snapshots)."""
