"""DEVICE_ACTIVE (§2.11: "the device was ACTIVE and not LOCKED at that time"): every trail event that
names a device, against the device registry's state at the event's time, as the reviewer asks it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from documents.supervision.review import (
    FLAG,
    NOT_APPLICABLE,
    PASS,
    ReviewInput,
    RuleResult,
    device_active,
    trail_device_states,
)

TABLET = "web-00000000000000aa"
OTHER_TABLET = "web-00000000000000bb"
DESK_BROWSER = "web-00000000000000cc"


def event(kind: str, at: str, device_id: str | None = TABLET, **detail: Any) -> dict[str, Any]:
    return {"kind": kind, "at": at, "actor_id": "fo001", "device_id": device_id, "detail": detail}


TRAIL = [
    event("instance_started", "2026-12-08T02:00:00+00:00"),
    event("service_result", "2026-12-08T02:00:05+00:00", None, operation="identity.verify"),
    event("task_completed", "2026-12-08T02:02:30.123456+00:00", role="field_officer"),
]


def review(
    trail: list[dict[str, Any]],
    states: dict[str, dict[str, str | None]],
    manifest: dict[str, Any] | None = None,
) -> ReviewInput:
    return ReviewInput({}, trail, manifest or {}, [], "customer", device_states=states)


def all_in(state: str | None, trail: list[dict[str, Any]] = TRAIL) -> dict[str, dict[str, str | None]]:
    found: dict[str, dict[str, str | None]] = {}
    for e in trail:
        if e["device_id"]:
            found.setdefault(e["device_id"], {})[e["at"]] = state
    return found


def test_every_step_on_an_active_tablet_passes() -> None:
    assert device_active(review(TRAIL, all_in("ACTIVE"))) == RuleResult(
        "DEVICE_ACTIVE", PASS, "2 trail events on ACTIVE devices"
    )


def test_a_step_done_while_the_tablet_was_locked_flags_naming_device_state_time_and_step() -> None:
    states = all_in("ACTIVE")
    states[TABLET]["2026-12-08T02:02:30.123456+00:00"] = "LOCKED"
    assert device_active(review(TRAIL, states)) == RuleResult(
        "DEVICE_ACTIVE", FLAG, f"device {TABLET} was LOCKED at 2026-12-08 10:02 (task_completed)"
    )


def test_each_device_is_named_once_with_its_first_wrong_state() -> None:
    trail = [*TRAIL, event("task_completed", "2026-12-08T03:00:00+00:00", OTHER_TABLET)]
    states = all_in("LOST", trail) | {OTHER_TABLET: {"2026-12-08T03:00:00+00:00": "REPAIR"}}
    result = device_active(review(trail, states))
    assert result.result == FLAG
    assert result.reason == (
        f"device {TABLET} was LOST at 2026-12-08 10:00 (instance_started); "
        f"device {OTHER_TABLET} was REPAIR at 2026-12-08 11:00 (task_completed)"
    )


def test_the_journeys_tablet_without_history_flags_as_not_registered() -> None:
    result = device_active(review(TRAIL, all_in(None), {"device_id": TABLET}))
    assert result == RuleResult(
        "DEVICE_ACTIVE", FLAG, f"device {TABLET} not registered at 2026-12-08 10:00 (instance_started)"
    )
    # without the manifest's device, the device the journey started on is the journey's
    assert device_active(review(TRAIL, {})).result == FLAG


def test_an_approvers_unenrolled_desk_browser_is_not_held_against_the_journey() -> None:
    trail = [*TRAIL, event("task_completed", "2026-12-08T02:05:00+00:00", DESK_BROWSER, role="authorizer")]
    states = all_in("ACTIVE") | {DESK_BROWSER: {"2026-12-08T02:05:00+00:00": None}}
    assert device_active(review(trail, states, {"device_id": TABLET})).result == PASS
    # but a registered device is held to its state, whoever used it
    states[DESK_BROWSER]["2026-12-08T02:05:00+00:00"] = "LOCKED"
    assert device_active(review(trail, states, {"device_id": TABLET})).result == FLAG


def test_a_trail_without_devices_is_not_applicable() -> None:
    desk_only = [{**e, "device_id": None} for e in TRAIL]
    assert device_active(review(desk_only, {})) == RuleResult(
        "DEVICE_ACTIVE", NOT_APPLICABLE, "no device recorded"
    )
    old = [{k: v for k, v in e.items() if k != "device_id"} for e in TRAIL]
    assert device_active(review(old, {})).result == NOT_APPLICABLE


def test_only_unenrolled_browsers_are_not_applicable() -> None:
    trail = [event("task_completed", "2026-12-08T02:05:00+00:00", DESK_BROWSER)]
    result = device_active(review(trail, {}, {"device_id": None}))
    assert result == RuleResult("DEVICE_ACTIVE", NOT_APPLICABLE, "no enrolled device recorded")


class Registry:
    def __init__(self) -> None:
        self.asked: list[tuple[str, list[datetime]]] = []

    def device_states_at(self, device_id: str, times: Sequence[datetime]) -> list[str | None]:
        self.asked.append((device_id, list(times)))
        return ["ACTIVE" if t.hour == 2 else None for t in times]


def test_the_registry_is_asked_once_per_device_with_every_time_it_appears_at() -> None:
    trail = [*TRAIL, event("task_claimed", "2026-12-08T01:00:00+00:00", OTHER_TABLET)]
    registry = Registry()
    states = trail_device_states(trail, registry)
    assert registry.asked == [
        (
            TABLET,
            [datetime(2026, 12, 8, 2, 0, tzinfo=UTC), datetime(2026, 12, 8, 2, 2, 30, 123456, tzinfo=UTC)],
        ),
        (OTHER_TABLET, [datetime(2026, 12, 8, 1, 0, tzinfo=UTC)]),
    ]
    assert states == {
        TABLET: {"2026-12-08T02:00:00+00:00": "ACTIVE", "2026-12-08T02:02:30.123456+00:00": "ACTIVE"},
        OTHER_TABLET: {"2026-12-08T01:00:00+00:00": None},
    }
