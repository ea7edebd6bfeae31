"""The tablet's identity key (§9.5 step 1) and its own check-in (§9.7, anchors §3 rule 7).

Enrolment happens at the branch while provisioning: the tablet makes its SM2 key pair and signs its
enrolment with the new private key (proof of possession); the device admin's session carries it. Each
enrolment opens a new generation (`epoch`): commands of the old one are superseded, sequence numbers
restart. A device enrols when BOUND (after binding, repair or handover) or when ACTIVE without a
live key (devices activated before enrolment existed); rotating a live key is the key request of §9.5.

A check-in is signed by the device alone, no staff session needed: a tablet nobody signs in on (lost,
locked, in a drawer) still pulls its wipe. It answers only server-signed commands, nothing secret.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from crypto import SM2PublicKey
from devices.command_queue import CommandQueue, Delivered
from devices.commands import CommandStatus
from devices.device_messages import (
    CheckInBody,
    EnrolmentBody,
    epoch_stale,
    refused,
    require_fresh,
    verify,
)
from devices.lifecycle import DeviceState
from engine.errors import Conflict, FieldError, Forbidden, NotFound, Unauthenticated, ValidationFailed
from engine.persistence.device_commands import DeviceCommandRepository, EnrolmentRow
from engine.persistence.devices import DeviceRepository
from engine.views import Actor

ENROLS_IN = frozenset({DeviceState.BOUND, DeviceState.ACTIVE})
ENROLLER_ROLES = frozenset({"device_admin"})


@dataclass(frozen=True)
class CheckedIn:
    state: str
    """The server's wanted state: lock is a lasting state, re-applied at every check-in."""
    epoch: int
    server_time: datetime
    commands: list[Delivered]


class DeviceEnrolment:
    def __init__(
        self,
        devices: DeviceRepository,
        repository: DeviceCommandRepository,
        queue: CommandQueue,
        now: Callable[[], datetime],
    ) -> None:
        self._devices = devices
        self._repository = repository
        self._queue = queue
        self._now = now

    def enrol(self, actor: Actor, device_id: str, body: EnrolmentBody, signature: str) -> EnrolmentRow:
        if not actor.roles & ENROLLER_ROLES:
            raise Forbidden("a device admin enrols a tablet while provisioning it")
        if body.device_id != device_id:
            raise ValidationFailed(
                "the enrolment names another device",
                [FieldError("body.device_id", "mismatch", "与设备编号不一致")],
            )
        device = self._devices.device(device_id)
        path = self._devices.branch_path(device.branch_code) if device is not None else None
        if device is None or path is None or not actor.sees_branch(path):
            raise NotFound("no such device")
        now = self._now()
        require_fresh(body.ts, now)
        try:
            verify(body.public_key, body, signature)
        except Unauthenticated as exc:
            raise ValidationFailed(
                "proof of possession failed",
                [FieldError("signature", "not_proven", "签名不能证明持有该私钥")],
            ) from exc
        with self._repository.transaction() as store:
            record = store.lock_device(device_id)
            assert record is not None
            if DeviceState(record.state) not in ENROLS_IN:
                raise Conflict(f"a {record.state} device does not enrol; it enrols when BOUND or ACTIVE")
            current = store.enrolment(device_id, record.epoch) if record.epoch else None
            if current is not None and current.revoked_at is None:
                raise Conflict(
                    f"the device is enrolled (generation {record.epoch}); it enrols again after repair, "
                    "a handover or a wipe, and rotates its key through a key request"
                )
            if store.key_taken(body.public_key):
                raise Conflict("that key is enrolled already: a tablet makes a new key for each enrolment")
            epoch = record.epoch + 1
            for row in store.open_commands(device_id):
                store.update_command(
                    row.command_id,
                    {
                        "status": CommandStatus.SUPERSEDED.value,
                        "closed_at": now,
                        "closed_by": actor.staff_id,
                        "outcome_reason": f"the device enrolled again (generation {epoch})",
                    },
                )
            enrolment = store.add_enrolment(
                {
                    "device_id": device_id,
                    "epoch": epoch,
                    "public_key": body.public_key,
                    "key_id": _key_id(body.public_key),
                    "fingerprint_hash": body.fingerprint_hash,
                    "app_version": body.app_version,
                    "enrolled_by": actor.staff_id,
                    "enrolled_at": now,
                }
            )
            store.update_device(
                device_id,
                {
                    "epoch": epoch,
                    "command_seq": 0,
                    "applied_state": None,
                    "pending_action": None,
                    "pending_since": None,
                },
            )
            store.commit()
        return enrolment

    def check_in(self, device_id: str, body: CheckInBody, signature: str) -> CheckedIn:
        if body.device_id != device_id:
            raise NotFound("no such device")
        now = self._now()
        require_fresh(body.ts, now)
        device = self._devices.device(device_id)
        if device is None:
            raise NotFound("no such device")
        if body.epoch != device.epoch:
            raise epoch_stale(device.epoch)
        enrolment = next((e for e in self._repository.enrolments(device_id) if e.epoch == body.epoch), None)
        if enrolment is None:
            raise refused(Unauthenticated, "key_unknown", "the device has no key for that generation")
        verify(enrolment.public_key, body, signature)
        commands = self._queue.deliver(device_id, check_in_ts=body.ts)
        return CheckedIn(device.state, device.epoch, now, commands)

    def enrolments(self, device_id: str) -> list[EnrolmentRow]:
        return self._repository.enrolments(device_id)


def _key_id(public_key_hex: str) -> str:
    return SM2PublicKey.from_bytes(bytes.fromhex(public_key_hex)).key_id
