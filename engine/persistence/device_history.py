"""A device's lifecycle state at past moments, read from its change rows (post-supervision asks whether
the device was ACTIVE when each step of a journey was done, domain §2.11).

A change took effect when it was APPLIED (at once) or APPROVED (on decision), at its `decided_at`, and
put the device in its `to_state`. Registration is an APPLIED `register` row, which keeps its time in
`requested_at` alone.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select

from engine.persistence.database import SessionFactory
from engine.persistence.records import DeviceChangeRecord

EFFECTIVE = ("APPLIED", "APPROVED")
UNKNOWN_STATE = "UNKNOWN"
"""A change that took effect without a recorded state: never taken for ACTIVE, a human looks."""


class DeviceHistory:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    def device_states_at(self, device_id: str, times: Sequence[datetime]) -> list[str | None]:
        """For each of `times` (aware), the state the device's last effective change at or before it
        left it in (changes at the same instant in the order they were written); None when it had
        none yet: an unknown device, or a moment before its registration. One query for all times."""
        if not times:
            return []
        effective_at = func.coalesce(DeviceChangeRecord.decided_at, DeviceChangeRecord.requested_at)
        with self._sessions() as session:
            rows = session.execute(
                select(effective_at, DeviceChangeRecord.to_state)
                .where(
                    DeviceChangeRecord.device_id == device_id,
                    DeviceChangeRecord.status.in_(EFFECTIVE),
                )
                .order_by(effective_at, DeviceChangeRecord.id)
            ).all()
        # SQLite hands back naive instants, every one written in UTC (engine/persistence/database.py)
        moments = [at if at.tzinfo else at.replace(tzinfo=UTC) for at, _state in rows]
        states = [state or UNKNOWN_STATE for _at, state in rows]
        found = [bisect_right(moments, t) for t in times]
        return [states[i - 1] if i else None for i in found]
