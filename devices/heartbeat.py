"""§9.2 [Sim]: an ACTIVE device with no heartbeat for 24 h is locked. The tablet locks itself too;
this sweep makes the server's wanted state say so, with the reason, whether or not the tablet did.

A device that never called in is left alone (nothing to measure from). Run by whichever process sweeps
timers (the in-process worker or the rq relay), at most once a minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from devices.administration import DeviceAdministration
from devices.lifecycle import DeviceState
from devices.risk_config import RiskConfig
from engine.adapters.ports import SHANGHAI
from engine.errors import Conflict
from engine.persistence.device_risk import DeviceRiskRepository

log = logging.getLogger("fieldbank.devices")


def lock_silent_devices(
    risk: DeviceRiskRepository, admin: DeviceAdministration, config: RiskConfig, now: datetime
) -> list[str]:
    """Locks every ACTIVE device whose last contact is older than the configured hours; answers them."""
    hours = config.heartbeat_lock_hours
    locked = []
    for device_id, last in risk.silent_since(now - timedelta(hours=hours), DeviceState.ACTIVE.value):
        seen = last.astimezone(SHANGHAI)
        reason = f"no heartbeat for {hours:g} h (last contact {seen:%Y-%m-%d %H:%M} Beijing time)"
        try:
            admin.lock_automatically(device_id, reason)
        except Conflict:
            continue  # it changed meanwhile (unlocked, lost, locked by hand): the next sweep looks again
        locked.append(device_id)
    if locked:
        log.info("locked %s device(s) without a heartbeat", len(locked))
    return locked


class HeartbeatSweep:
    """The periodic job: the timer sweep calls it every half second, it looks once a minute."""

    def __init__(
        self,
        risk: DeviceRiskRepository,
        admin: DeviceAdministration,
        config: RiskConfig,
        now: Callable[[], datetime],
        every: timedelta = timedelta(minutes=1),
    ) -> None:
        self._risk, self._admin, self._config, self._now = risk, admin, config, now
        self._every = every
        self._next: datetime | None = None

    def run_once(self) -> list[str]:
        now = self._now()
        if self._next is not None and now < self._next:
            return []
        self._next = now + self._every
        return lock_silent_devices(self._risk, self._admin, self._config, now)
