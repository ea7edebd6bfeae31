"""Every view of clear personal data is recorded — who, what, when, why — and post-supervisors can
query the record for their branch subtree (domain §8.5)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from engine.errors import Forbidden
from engine.persistence.database import Transaction
from engine.persistence.people import PeopleRepository, PeopleTransaction
from engine.persistence.records import PersonalDataViewRecord
from engine.views import Actor

AUDIT_ROLES = frozenset({"post_supervisor"})


@dataclass(frozen=True)
class PersonalDataView:
    at: datetime
    staff_id: str
    device_id: str | None
    branch_code: str
    instance_id: str | None
    subject: str
    fields: list[str]
    purpose: str


def record_view(
    session: Transaction,
    at: datetime,
    actor: Actor,
    *,
    branch_code: str,
    instance_id: str | None,
    subject: str,
    fields: Iterable[str],
    personal: frozenset[str],
    purpose: str,
) -> None:
    """Adds the record to the caller's transaction; nothing is recorded if none of the `fields` shown is
    `personal` (the declared journeys' personal fields, `JourneyRegistry.personal_fields`)."""
    shown = sorted(f for f in fields if f in personal)
    if shown:
        PeopleTransaction(session).add_personal_data_view(
            PersonalDataViewRecord(
                at=at,
                staff_id=actor.staff_id,
                device_id=actor.device_id,
                branch_code=branch_code,
                instance_id=instance_id,
                subject=subject,
                fields=shown,
                purpose=purpose,
            )
        )


class AccessLog:
    """Post-supervision's query over the record, limited to the reader's branch subtree."""

    def __init__(self, people: PeopleRepository) -> None:
        self.people = people

    def views(
        self,
        actor: Actor,
        *,
        staff_id: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int = 500,
    ) -> list[PersonalDataView]:
        if not actor.roles & AUDIT_ROLES:
            raise Forbidden("the personal-data access log is for post-supervision")
        found = self.people.personal_data_views(staff_id=staff_id, since=since, until=until, limit=limit * 4)
        rows = [r for r, path in found if path is not None and actor.sees_branch(path)]
        return [
            PersonalDataView(
                r.at,
                r.staff_id,
                r.device_id,
                r.branch_code,
                r.instance_id,
                r.subject,
                list(r.fields),
                r.purpose,
            )
            for r in rows[:limit]
        ]
