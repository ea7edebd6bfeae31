"""Deserialized engine states this process saved last, keyed by (instance id, version).

Deserializing a J1 state costs several milliseconds, more than the rest of a unit of work. When the same
process handles the next command of an instance (the embedded default always does; an API process
often does), the object it committed is reused. It is never a source of truth: the key includes the
optimistic-lock version read from the database, so any change by another process is a miss, and an
entry is taken out while in use, so no two threads share a workflow object (ARCHITECTURE decision 10
still holds: losing this cache loses nothing).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from engine.workflow.instance import WorkflowInstance


class HotInstances:
    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, tuple[int, WorkflowInstance]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: str, version: int) -> WorkflowInstance | None:
        with self._lock:
            item = self._items.pop(instance_id, None)
        if item is None or item[0] != version:
            return None
        return item[1]

    def put(self, instance_id: str, version: int, workflow: WorkflowInstance) -> None:
        if self._capacity <= 0:
            return
        with self._lock:
            self._items[instance_id] = (version, workflow)
            self._items.move_to_end(instance_id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
