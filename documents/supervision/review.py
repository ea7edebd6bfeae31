"""Machine review (机审) of domain §2.11: the rules every package gets, and the types a journey's own
rules use (`documents/journeys/<journey>/rules.py`).

Each rule sees the verified package's data.json and trail.json plus a few facts only the bank's systems
know (`extra`, asked for by the journey's `review_facts`), and answers PASS, FLAG or NOT_APPLICABLE with
a short reason. Rules never raise: a rule that cannot decide flags for a human.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from documents.supervision.image_facts import ImageFacts
from engine.adapters.ports import SHANGHAI, CoreBanking
from forms.formats import age_on, id_birth_date

PASS, FLAG, NOT_APPLICABLE = "PASS", "FLAG", "NOT_APPLICABLE"
# the shared identification's checks (processes/shared): every journey's customer goes through them, and
# a journey may run them for another person it names (a `party_id_fields` ID number), the face check too
IDENTIFICATION_CHECKS = ("identity.verify", "watchlist.screen_person", "face.compare")


@dataclass(frozen=True)
class RuleResult:
    code: str
    result: str
    reason: str = ""


@dataclass
class ReviewInput:
    data: dict[str, Any]
    trail: list[dict[str, Any]]
    manifest: dict[str, Any]
    package_problems: list[str]
    subject_index: str | None
    """Blind index of the journey customer's ID number, to compare with each check's subject."""
    extra: dict[str, Any] = field(default_factory=dict)
    """What the journey's `review_facts` asked of the bank's systems."""
    party_indices: frozenset[str] = frozenset()
    """Blind indexes of the other people the journey checks (its declaration's `party_id_fields`)."""
    images: dict[str, ImageFacts] = field(default_factory=dict)
    """Package image name (`images/<role>.<ext>`) -> its size and spread, for legibility rules."""
    recordings: dict[str, int] = field(default_factory=dict)
    """Package recording name (`recordings/<role>.mp4`) -> its length in ms, read from the file."""
    device_states: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Device id -> trail time (`at` as recorded) -> the device's lifecycle state then, None when it was
    not registered then: the registry's answer for every device the trail names (`trail_device_states`)."""

    @property
    def outcome(self) -> str | None:
        return self.manifest.get("outcome")

    def results_of(self, operation: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.trail
            if e.get("kind") == "service_result" and e["detail"].get("operation") == operation
        ]

    def first_result_at(self, operation: str) -> str | None:
        times = [e["at"] for e in self.results_of(operation)]
        return min(times) if times else None

    def completed(self, task_spec: str) -> list[dict[str, Any]]:
        return [
            e for e in self.trail if e.get("kind") == "task_completed" and e.get("task_spec") == task_spec
        ]


Rule = Callable[[ReviewInput], RuleResult]


class ReviewLookups(Protocol):
    """What a journey's `review_facts` may ask of the bank's systems at review time."""

    core: CoreBanking

    def journeys_by_officer(self, instance_id: str, window: timedelta, outcomes: Iterable[str]) -> int:
        """Journeys of the same process the same officer ended with one of `outcomes` in the `window`
        up to this journey's end (this one included)."""
        ...

    def shared_links(self, instance_id: str, window: timedelta) -> dict[str, int]:
        """For each link name of the journey's declared `linking_fields`: how many other customers'
        journeys of the same process, ended within `window` of this one's end, hold one of its values
        (compared as blind indexes). Links shared with nobody are absent."""
        ...

    def journeys_on_device(self, instance_id: str, window: timedelta) -> int:
        """Journeys of the same process started on the same device in the `window` up to this journey's
        start (this one included); 0 when the journey recorded no device."""
        ...

    def shared_fingerprint(self, instance_id: str, name: str, window: timedelta) -> int | None:
        """How many other customers' journeys of the same process by the same officer, ended within
        `window` of this one's end, hold the same `name` fingerprint of the journey's declared
        `fingerprints` (compared as blind indexes); None when this journey kept no such fingerprint."""
        ...

    def device_states_at(self, device_id: str, times: Sequence[datetime]) -> list[str | None]:
        """For each of `times`, the device's lifecycle state then (the registry's history); None when it
        was not registered then (or never was)."""
        ...


def moment(value: Any) -> datetime | None:
    """An aware datetime from an ISO string; None when absent, unreadable or without an offset (every
    time the engine records carries one, so a naive time is not ours to guess)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def package_integrity(r: ReviewInput) -> RuleResult:
    if r.package_problems:
        return RuleResult("PACKAGE_INTEGRITY", FLAG, "; ".join(r.package_problems)[:300])
    return RuleResult("PACKAGE_INTEGRITY", PASS, "digests and signature verified")


def checks_match_customer(r: ReviewInput) -> RuleResult:
    subjects = {e["detail"].get("subject") for op in IDENTIFICATION_CHECKS for e in r.results_of(op)}
    if not subjects:
        return RuleResult("CHECKS_MATCH_CUSTOMER", FLAG, "no check results in the trail")
    if r.subject_index not in subjects or not subjects <= {r.subject_index, *r.party_indices}:
        return RuleResult("CHECKS_MATCH_CUSTOMER", FLAG, "a check ran for another ID number")
    return RuleResult("CHECKS_MATCH_CUSTOMER", PASS)


def maker_is_not_checker(r: ReviewInput) -> RuleResult:
    makers = {
        e.get("actor_id")
        for e in r.trail
        if e.get("kind") in ("instance_started", "task_completed")
        and e["detail"].get("role", "field_officer") == "field_officer"
    }
    checkers = {
        e.get("actor_id")
        for e in r.trail
        if e.get("kind") == "task_completed" and e["detail"].get("role") in ("authorizer", "aml_officer")
    }
    if makers & checkers:
        return RuleResult("MAKER_NOT_CHECKER", FLAG, "the same person made and checked")
    return RuleResult("MAKER_NOT_CHECKER", PASS)


def trail_device_states(
    trail: list[dict[str, Any]], lookups: ReviewLookups
) -> dict[str, dict[str, str | None]]:
    """`ReviewInput.device_states`: each device the trail names, asked once for all its events' times."""
    times: dict[str, dict[str, datetime]] = {}
    for event in trail:
        at = moment(event.get("at"))
        if event.get("device_id") and at is not None:
            times.setdefault(str(event["device_id"]), {})[str(event["at"])] = at
    return {
        device: dict(zip(asked, lookups.device_states_at(device, list(asked.values())), strict=True))
        for device, asked in times.items()
    }


def device_active(r: ReviewInput) -> RuleResult:
    """§2.11: every step was done on a device that was ACTIVE (so not LOCKED) at that time."""
    events = [e for e in r.trail if e.get("device_id")]
    if not events:
        return RuleResult("DEVICE_ACTIVE", NOT_APPLICABLE, "no device recorded")
    own = r.manifest.get("device_id") or next(
        (e["device_id"] for e in events if e.get("kind") == "instance_started"), None
    )
    problems: dict[str, str] = {}
    checked = 0
    for event in events:
        device, at = str(event["device_id"]), str(event.get("at"))
        state = r.device_states.get(device, {}).get(at)
        if state is None and device != own:
            # a desk or phone browser (an approver's step): those are not enrolled yet (devices/gate.py),
            # whereas the tablet the journey ran on was let in by the device gate
            continue
        checked += 1
        if state != "ACTIVE" and device not in problems:
            was = f"was {state}" if state else "not registered"
            problems[device] = f"device {device} {was} at {_shanghai(at)} ({event.get('kind')})"
    if problems:
        return RuleResult("DEVICE_ACTIVE", FLAG, "; ".join(problems.values())[:300])
    if not checked:
        return RuleResult("DEVICE_ACTIVE", NOT_APPLICABLE, "no enrolled device recorded")
    return RuleResult("DEVICE_ACTIVE", PASS, f"{checked} trail events on ACTIVE devices")


def _shanghai(at: str) -> str:
    parsed = moment(at)
    return f"{parsed.astimezone(SHANGHAI):%Y-%m-%d %H:%M}" if parsed else at


def id_valid_on_date(r: ReviewInput) -> RuleResult:
    valid_to = r.data.get("id_valid_to")
    completed = str(r.manifest.get("completed_at", ""))[:10]
    if not valid_to or not completed:
        return RuleResult("ID_VALID", FLAG, "validity or date missing")
    if valid_to != "长期" and valid_to < completed:
        return RuleResult("ID_VALID", FLAG, "the ID card had expired")
    return RuleResult("ID_VALID", PASS)


def aml_sampling_band(r: ReviewInput) -> RuleResult:
    birth = id_birth_date(str(r.data.get("id_number", "")))
    completed = str(r.manifest.get("completed_at", ""))[:10]
    if birth is None or not completed:
        return RuleResult("AGE_BAND", NOT_APPLICABLE)
    age = age_on(birth, date.fromisoformat(completed))
    if 16 <= age <= 25 or age >= 60:
        return RuleResult("AGE_BAND", FLAG, f"age {age}: AML sampling band")
    return RuleResult("AGE_BAND", PASS)


def velocity_rule(extra_key: str, limit: int, what: str, window: str) -> Rule:
    """A journey's volume rule: more than `limit` of `what` by the package's officer in the `window` (the
    count its `review_facts` put in `extra[extra_key]`) flags it for a human."""

    def velocity(r: ReviewInput) -> RuleResult:
        count = int(r.extra.get(extra_key) or 0)
        if count > limit:
            return RuleResult("VELOCITY", FLAG, f"{count} {what} by this officer in {window}")
        return RuleResult("VELOCITY", PASS)

    return velocity


EVERY_PACKAGE: tuple[Rule, ...] = (
    package_integrity,
    checks_match_customer,
    maker_is_not_checker,
    device_active,
    id_valid_on_date,
    aml_sampling_band,
)


def machine_review(r: ReviewInput, journey_rules: tuple[Rule, ...] = ()) -> list[RuleResult]:
    """The rules every package gets, then the journey's own: each result, never an exception."""
    results = []
    for rule in EVERY_PACKAGE + journey_rules:
        try:
            results.append(rule(r))
        except Exception as exc:
            results.append(RuleResult(rule.__name__.upper(), FLAG, f"rule failed: {type(exc).__name__}"))
    return results
