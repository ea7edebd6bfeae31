"""Device risk use cases (§9.3): take a device's snapshot, score it, store it with its reasons, and
act — a lock goes through the lifecycle's automatic lock, so the device's history shows it. Also the
one question journey starts ask: may this device start a new journey?

The device reports only for itself: the path's device must be the caller's (the device channel of
issue 31 replaces the staff token here). The device learns the action, never the reasons or weights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from devices.administration import DeviceAdministration
from devices.lifecycle import DeviceState
from devices.risk_config import RiskConfig
from devices.risk_scoring import JOURNEY_ACTIONS, Action, Verdict, score
from devices.security_events import DeviceSecurityEvents, EventKind
from devices.snapshots import Enrolment, Fix, ServerFacts, Snapshot, SnapshotKind
from engine.errors import Conflict, Forbidden, NotFound
from engine.persistence.device_risk import DeviceRiskRepository, ScoredSnapshot
from engine.persistence.devices import DeviceRepository, DeviceRow
from engine.views import Actor

STEP_UP_NOTICE = "风险评分 {score}：需加强认证，已要求保管人重新验证身份（原因见安全管理员视图）"


@dataclass(frozen=True)
class Reported:
    """What the device is told back: the action and the server's clock (anchors §7 pitfall 9)."""

    kind: str
    action: str
    server_time: datetime


class DeviceRisk:
    def __init__(
        self,
        devices: DeviceRepository,
        risk: DeviceRiskRepository,
        admin: DeviceAdministration,
        config: RiskConfig,
        now: Callable[[], datetime],
        events: DeviceSecurityEvents | None = None,
    ) -> None:
        self._devices = devices
        self._risk = risk
        self._admin = admin
        self.config = config
        self._now = now
        self._events = events

    def report(self, actor: Actor, device_id: str, kind: SnapshotKind, snapshot: Snapshot) -> Reported:
        if actor.device_id != device_id:
            raise Forbidden("a device reports only for itself: sign in on this device")
        device = self._devices.device(device_id)
        if device is None:
            raise NotFound("no such device")
        if device.state == DeviceState.VOIDED:
            raise Conflict("the device is voided")
        now = self._now()
        verdict = self.assess(device, actor.staff_id, kind, snapshot, now)
        self._risk.record(_scored(device_id, actor.staff_id, kind, now, verdict, snapshot))
        if verdict.action is Action.LOCK and device.state == DeviceState.ACTIVE:
            self._admin.lock_automatically(device_id, lock_reason(verdict))
        if verdict.action is Action.STEP_UP and device.step_up_since is None and self._events is not None:
            # §9.3: the branch manager is told; the reasons stay with the security officer
            self._events.raise_event(device_id, EventKind.STEP_UP, STEP_UP_NOTICE.format(score=verdict.score))
        return Reported(kind.value, verdict.action.value, now)

    def assess(
        self, device: DeviceRow, staff_id: str, kind: SnapshotKind, snapshot: Snapshot, now: datetime
    ) -> Verdict:
        baseline = self._risk.baseline(device.device_id)
        enrolment = Enrolment(
            device.serial,
            device.imei,
            device.secure_element_serial,
            device.os_version,
            device.branch_code,
            baseline.fingerprint_hash,
            baseline.sim_iccid,
        )
        last = self._risk.last_fix(device.device_id)
        facts = ServerFacts(
            kind,
            now,
            self._risk.journeys_started(staff_id, now - timedelta(hours=1)),
            Fix.model_validate(last) if last else None,
        )
        return score(snapshot, enrolment, facts, self.config)

    def refuse_journey_start(self, actor: Actor) -> None:
        """Forbidden unless the caller's device may start a new journey (§9.3: allow and step up may;
        restrict and lock may not). A caller without a device is the device gate's business."""
        if actor.device_id is None:
            return
        device = self._devices.device(actor.device_id)
        if device is None:
            return
        if device.state == DeviceState.LOCKED:
            raise Forbidden("this device is locked: no journeys until it is unlocked in person")
        if device.risk_level is not None and Action(device.risk_level) not in JOURNEY_ACTIONS:
            raise Forbidden(
                f"this device's risk level is {device.risk_level}: it may not start new journeys; "
                "ask the security officer to review the device"
            )


def lock_reason(verdict: Verdict) -> str:
    """The change row's reason: the score and every reason with its points (≤ 500 characters)."""
    head = f"风险评分 {verdict.score} → lock" + (f" ({verdict.rule})" if verdict.rule else "")
    parts = [f"{r.detail} (+{r.points})" for r in verdict.reasons]
    return (head + ": " + "; ".join(parts))[:500]


def _scored(
    device_id: str, staff_id: str, kind: SnapshotKind, now: datetime, verdict: Verdict, snapshot: Snapshot
) -> ScoredSnapshot:
    last = snapshot.fixes[-1].model_dump(mode="json") if snapshot.fixes else None
    return ScoredSnapshot(
        device_id=device_id,
        staff_id=staff_id,
        kind=kind.value,
        received_at=now,
        score=verdict.score,
        action=verdict.action.value,
        reasons=[r.as_dict() for r in verdict.reasons],
        snapshot=snapshot.model_dump(mode="json"),
        fingerprint_hash=snapshot.fingerprint_hash,
        sim_iccid=snapshot.sim_iccid,
        last_fix=last,
        contact=kind is SnapshotKind.HEARTBEAT,
    )
