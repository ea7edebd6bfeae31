"""The bell a commit rings when it wrote outbox rows, so whoever drains the outbox looks at once
instead of on its next poll. Built first by the composition root; workers listen from construction."""

from __future__ import annotations

import threading


class OutboxBell:
    def __init__(self) -> None:
        self._listeners: list[threading.Event] = []

    def listener(self) -> threading.Event:
        """An event of one's own that every ring sets; the listener clears it before it looks."""
        event = threading.Event()
        self._listeners.append(event)
        return event

    def ring(self) -> None:
        for event in self._listeners:
            event.set()
