"""The weights and thresholds of device risk scoring (domain §9.3), all [Sim] starting values to tune.

They live in configuration, not in the scoring code: `FIELDBANK_DEVICE_RISK` (JSON) overrides any of
them by name, e.g. `FIELDBANK_DEVICE_RISK='{"mock_location": 50, "restrict_from": 65}'`. An unknown
name is refused at start-up, so a typo cannot silently leave a weight at its default.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

WUHAN = (30.5928, 114.3055)


class RiskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # actions by score (§9.3): below step_up_from allow, then step up, restrict, lock
    step_up_from: int = Field(default=30, ge=1, le=100)
    restrict_from: int = Field(default=60, ge=1, le=100)
    lock_from: int = Field(default=80, ge=1, le=100)

    # hardware fingerprint, against the enrolment record (§9.1) and the first snapshot the device sent
    serial_mismatch: int = Field(default=100, ge=0)
    secure_element_mismatch: int = Field(default=100, ge=0)
    imei_mismatch: int = Field(default=60, ge=0)
    fingerprint_changed: int = Field(default=40, ge=0)
    """Self-computed hash on the tablet: a weak signal (anchors §4)."""
    iccid_changed: int = Field(default=30, ge=0)
    os_downgraded: int = Field(default=40, ge=0)

    # integrity: a failure is a rule (anchors §4 rule 1), recorded with these points
    integrity_failure: int = Field(default=100, ge=0)

    # location trajectory
    mock_location: int = Field(default=60, ge=0)
    impossible_travel: int = Field(default=40, ge=0)
    impossible_speed_kmh: float = Field(default=300.0, gt=0)
    gps_network_disagree: int = Field(default=20, ge=0)
    gps_network_km: float = Field(default=5.0, gt=0)
    far_from_branch_city: int = Field(default=60, ge=0)
    branch_city_radius_km: float = Field(default=60.0, gt=0)
    branch_cities: dict[str, tuple[float, float]] = Field(default_factory=lambda: {"WH": WUHAN})
    """City centre (lat, lon) by branch-code prefix, the longest prefix wins; a branch with none is
    not scored for distance."""
    location_group_cap: int = Field(default=60, ge=0)
    """§9.3 gives the location group 20–60: fixes that tell one story are not counted twice."""

    # operation behaviour
    outside_hours: int = Field(default=20, ge=0)
    working_hours: tuple[int, int] = (8, 20)
    """Sign-in allowed from the first hour up to (not including) the second, Asia/Shanghai."""
    failed_biometrics: int = Field(default=20, ge=0)
    failed_biometrics_limit: int = Field(default=3, ge=0)
    journeys_per_hour: int = Field(default=40, ge=0)
    journeys_per_hour_limit: int = Field(default=15, ge=1)
    """Stands in for §9.3's 95th percentile per officer until there is history to take it from."""
    journeys_per_hour_severe: int = Field(default=60, ge=0)
    journeys_per_hour_severe_limit: int = Field(default=20, ge=1)

    # anchors §4 rule 3: one weak app-side signal alone cannot go past this (no OEM false positive locks)
    weak_alone_cap: int = Field(default=59, ge=0)

    heartbeat_lock_hours: float = Field(default=24.0, gt=0)
    """§9.2 [Sim]: an ACTIVE device with no contact for this long is locked by the sweep."""

    @model_validator(mode="after")
    def _thresholds_rise(self) -> RiskConfig:
        if not self.step_up_from < self.restrict_from < self.lock_from:
            raise ValueError("step_up_from < restrict_from < lock_from")
        return self


def risk_config(overrides: dict[str, Any] | None = None) -> RiskConfig:
    """The defaults with the configured overrides (Settings.device_risk)."""
    return RiskConfig.model_validate(overrides or {})
