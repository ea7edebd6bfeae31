"""Messages from external systems to waiting instances, by message name and correlation key.

At most once: a delivery is recorded under the client's own message id in the transaction that moves
the instance on, so a retried delivery (the client lost our answer) is a no-op, and two deliveries of
one message racing each other commit once. A key no instance waits for is unknown (404); a client
retries later when it may have answered before the instance got to its catch event.

A script or condition that fails on the way from the catch event rolls the delivery back and parks the
instance as an incident naming the step (409 `process_step_failed` to the client). Until an operator
retries it, further deliveries to that instance are refused (409 `conflict`), so a client retrying does
not pile up incidents; after the retry the client's next delivery runs the step again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crypto import sm3
from engine.deps import EngineDeps
from engine.errors import Conflict, NotFound, ProcessStepFailed
from engine.people.system_clients import SystemClient
from engine.persistence.instances import WriteConflict, conflicts
from engine.persistence.records import MessageDeliveryRecord
from engine.step_incidents import ERROR_CODE as STEP_FAILED
from engine.step_incidents import park_as_incident
from engine.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Delivery:
    message_id: str
    status: str
    """`delivered`, or `duplicate` for a message id this client delivered before."""


class MessageService:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def deliver(
        self, client: SystemClient, message_id: str, name: str, correlation_key: str, payload: dict[str, Any]
    ) -> Delivery:
        client.check_may_deliver(name)
        try:
            return self._deliver(client, message_id, name, correlation_key, payload)
        except WriteConflict:
            # a twin of this delivery (same message id) or another writer won: look again
            return self._deliver(client, message_id, name, correlation_key, payload)

    def _deliver(
        self, client: SystemClient, message_id: str, name: str, correlation_key: str, payload: dict[str, Any]
    ) -> Delivery:
        failed: tuple[str, ProcessStepFailed] | None = None
        with UnitOfWork(self.deps) as uow:
            earlier = uow.tables.delivery(client.client_id, message_id)
            if earlier is not None:
                if (earlier.message_name, earlier.correlation_key) != (name, correlation_key):
                    raise Conflict("this message id was used for another message")
                return Delivery(message_id, "duplicate")
            instance_id = uow.tables.subscriber(name, correlation_key)
            if instance_id is None:
                raise NotFound("no instance waits for this message and correlation key")
            if STEP_FAILED in uow.tables.open_incident_codes(instance_id):
                raise Conflict("the journey failed at a step and waits for an operator; deliver again later")
            journey = uow.journey(instance_id)
            assert journey.workflow is not None
            try:
                if not journey.workflow.deliver_message(name, correlation_key, payload):
                    raise NotFound("no instance waits for this message and correlation key")
                journey.event(
                    "message_received", f"client:{client.client_id}", message=name, message_id=message_id
                )
                with conflicts():
                    journey.run_and_save()
                    uow.tables.add(
                        MessageDeliveryRecord(
                            client_id=client.client_id,
                            message_id=message_id,
                            message_name=name,
                            correlation_key=correlation_key,
                            instance_id=instance_id,
                            payload_sm3=sm3(
                                json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
                            ).hex(),
                            delivered_at=self.deps.now(),
                        )
                    )
                    uow.commit()
            except ProcessStepFailed as failure:
                failed = (instance_id, failure)  # parked once this unit of work has rolled back
        if failed is not None:
            failed_in, step = failed
            actor = f"client:{client.client_id}"
            raise park_as_incident(self.deps, failed_in, step.element_id, step, actor) from step
        return Delivery(message_id, "delivered")
