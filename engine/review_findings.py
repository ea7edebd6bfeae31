"""What post-supervision found, for the officer who must rectify it (domain §2.11, 差错通知书): the
reviewer's outcome and note, the machine rules that flagged the package and the due date. Read from the
review journey's own data (processes/post_supervision.bpmn), so the screen says what was wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def review_findings(data: dict[str, Any]) -> dict[str, Any] | None:
    """None before an error notice was sent (nothing to rectify yet)."""
    notice = data.get("error_notice")
    if not isinstance(notice, dict):
        return None
    machine = data.get("machine_review") if isinstance(data.get("machine_review"), dict) else {}
    assert isinstance(machine, dict)
    flags = [
        {"code": r.get("code"), "reason": r.get("reason") or ""}
        for r in machine.get("results") or []
        if isinstance(r, dict) and r.get("result") == "FLAG"
    ]
    due = notice.get("due_at")
    return {
        "outcome": data.get("review_outcome"),
        "note": data.get("review_reason"),
        "flags": flags,
        "due_at": datetime.fromisoformat(due) if isinstance(due, str) else None,
    }
