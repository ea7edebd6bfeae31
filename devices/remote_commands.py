"""What people do with the command queue (§9.4): see a device's commands (asked against confirmed),
ask a tablet to re-key, cancel a command not yet carried out. Lock, unlock and wipe are never asked
on their own: they follow the lifecycle steps that need them (devices/commands.py `QUEUED_BY`), so the
server's wanted state and the commands cannot disagree.
"""

from __future__ import annotations

from devices.command_queue import CommandQueue, Delivered
from devices.commands import CommandKind
from devices.lifecycle import DeviceState
from engine.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from engine.persistence.device_commands import CommandRow, DeviceCommandRepository
from engine.persistence.devices import DeviceRepository, DeviceRow
from engine.views import Actor

READERS = frozenset({"device_admin", "security_officer", "branch_manager"})
REKEY_ROLES = frozenset({"device_admin"})
CANCEL_ROLES = frozenset({"device_admin", "security_officer"})


class RemoteCommands:
    def __init__(
        self, devices: DeviceRepository, repository: DeviceCommandRepository, queue: CommandQueue
    ) -> None:
        self._devices = devices
        self._repository = repository
        self.queue = queue

    def commands(self, actor: Actor, device_id: str) -> list[CommandRow]:
        self._need(actor, READERS, "device administration only")
        self._device(actor, device_id)
        return self._repository.commands(device_id)

    def rekey(self, actor: Actor, device_id: str, reason: str) -> CommandRow:
        """Tells an ACTIVE, enrolled tablet to start the §9.5 key request (rotation or compromise)."""
        self._need(actor, REKEY_ROLES, "a device admin asks a tablet to re-key")
        _need_reason(reason)
        device = self._device(actor, device_id)
        if device.state != DeviceState.ACTIVE:
            raise Conflict(f"only an ACTIVE device re-keys; it is {device.state}")
        if device.epoch == 0:
            raise Conflict("the device has not enrolled its identity key yet")
        with self._repository.transaction() as store:
            row = self.queue.queue(store, device_id, CommandKind.REKEY, actor.staff_id, reason)
            store.commit()
        return row

    def cancel(self, actor: Actor, device_id: str, command_id: str, reason: str) -> CommandRow:
        self._need(actor, CANCEL_ROLES, "a device admin or security officer cancels a command")
        _need_reason(reason)
        self._device(actor, device_id)
        return self.queue.cancel(device_id, command_id, actor.staff_id, reason)

    def deliver(self, device_id: str) -> list[Delivered]:
        return self.queue.deliver(device_id)

    def _device(self, actor: Actor, device_id: str) -> DeviceRow:
        device = self._devices.device(device_id)
        path = self._devices.branch_path(device.branch_code) if device is not None else None
        if device is None or path is None or not actor.sees_branch(path):
            raise NotFound("no such device")
        return device

    @staticmethod
    def _need(actor: Actor, roles: frozenset[str], message: str) -> None:
        if not actor.roles & roles:
            raise Forbidden(message)


def _need_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required", [FieldError("reason", "required", "需要填写理由")])
