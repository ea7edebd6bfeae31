"""Sandbox only: the simulated card centre calls back, as the real one calls `POST /api/v1/messages`.

Each due decision goes to `MessageService` as the `card_decision` message of the sandbox's own system
client, keyed by the application number, with a message id per decision round (so a redelivery is a
duplicate, never a second decision). An application whose instance does not wait yet (404) is offered
again on the next round, as a real client retries; so is one whose journey failed at a step after the
wait (an incident, 409) until an operator has retried it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, Protocol

from engine.adapters.sandbox.card_centre import SandboxCardCentre
from engine.errors import Conflict, NotFound, ProcessStepFailed
from engine.people.system_clients import SystemClient

SANDBOX_CARD_CENTRE = SystemClient("sandbox_card_centre", "信用卡中心（模拟）", frozenset({"card_decision"}))


class Deliverer(Protocol):
    def deliver(
        self, client: SystemClient, message_id: str, name: str, correlation_key: str, payload: dict[str, Any]
    ) -> Any: ...


class CardCentreCallbacks:
    def __init__(self, centre: SandboxCardCentre, messages: Deliverer, now: Callable[[], datetime]) -> None:
        self._centre = centre
        self._messages = messages
        self._now = now

    def run_once(self) -> int:
        """Delivers what is due; returns how many were delivered (or found delivered before)."""
        delivered = 0
        for key, decision in self._centre.due_decisions(self._now()):
            payload = asdict(decision)
            payload["bureau_queried_at"] = (
                decision.bureau_queried_at.isoformat() if decision.bureau_queried_at else None
            )
            payload["documents_due"] = list(decision.documents_due)
            try:
                self._messages.deliver(
                    SANDBOX_CARD_CENTRE, f"cc-{key}", "card_decision", decision.application_no, payload
                )
            except NotFound:
                continue  # the journey is not at its wait yet: next round
            except (ProcessStepFailed, Conflict):
                continue  # a step after the wait failed (an incident): offered again after its retry
            self._centre.mark_delivered(key)
            delivered += 1
        return delivered
