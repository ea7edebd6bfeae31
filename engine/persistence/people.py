"""Staff, branches, tokens, sign-in failures, staff changes and the personal-data access log.

The people use cases (`engine/people/`) decide; this module only reads and writes their rows.
A command that touches several rows does it through one `PeopleTransaction`, which the use case
commits (or leaves, to roll back), so sign-in and maker-checker keep one transaction each.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from engine.persistence.cache import BRANCH_PATHS
from engine.persistence.database import SessionFactory, Transaction
from engine.persistence.devices import BINDING_COLUMNS as _BINDING
from engine.persistence.devices import DeviceBinding
from engine.persistence.records import (
    AccessTokenRecord,
    BranchRecord,
    DeviceRecord,
    LoginFailureRecord,
    PersonalDataViewRecord,
    StaffChangeRecord,
    StaffRecord,
)


@dataclass(frozen=True)
class TokenHolder:
    """A bearer token with the member of staff it was issued to and their branch (if it still exists)."""

    token: AccessTokenRecord
    staff: StaffRecord
    branch: BranchRecord | None
    device: DeviceBinding | None = None
    """The token's device as the gate reads it, from the same round trip (None: no such device)."""


class PeopleRepository:
    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @contextmanager
    def transaction(self) -> Iterator[PeopleTransaction]:
        """One session for a command; nothing is kept unless the use case calls `commit()`."""
        with self._sessions() as session:
            yield PeopleTransaction(session)

    def token_holder(self, token_hash: str) -> TokenHolder | None:
        """Every request asks this: token, staff, branch and the device the gate checks, in one round
        trip (the gate needs no read of its own)."""
        with self._sessions() as session:
            found = session.execute(
                select(AccessTokenRecord, StaffRecord, BranchRecord, *_BINDING)
                .join(StaffRecord, StaffRecord.id == AccessTokenRecord.staff_id)
                .outerjoin(BranchRecord, BranchRecord.code == StaffRecord.branch_code)
                .outerjoin(DeviceRecord, DeviceRecord.id == AccessTokenRecord.device_id)
                .where(AccessTokenRecord.token_hash == token_hash)
            ).first()
            if found is None:
                return None
            token, staff, branch, state, custody, holder, backup, step_up_since = found
            device = DeviceBinding(state, custody, holder, backup, step_up_since) if state else None
            return TokenHolder(token, staff, branch, device)

    def names(self, staff_ids: Collection[str]) -> dict[str, str]:
        """Staff names by id, for pages that show who acted (one query for a whole list)."""
        if not staff_ids:
            return {}
        with self._sessions() as session:
            rows = session.execute(
                select(StaffRecord.id, StaffRecord.name).where(StaffRecord.id.in_(staff_ids))
            )
            return {staff_id: name for staff_id, name in rows}

    def reauthenticated(self, token_hash: str, at: datetime) -> None:
        """The holder proved who they are again on this token (a step-up)."""
        with self._sessions() as session:
            session.execute(
                update(AccessTokenRecord)
                .where(AccessTokenRecord.token_hash == token_hash)
                .values(authenticated_at=at)
            )
            session.commit()

    def revoke_token(self, token_hash: str, at: datetime) -> None:
        """Idempotent: a token already revoked keeps the instant it was first revoked."""
        with self._sessions() as session:
            row = session.get(AccessTokenRecord, token_hash)
            if row is not None and row.revoked_at is None:
                row.revoked_at = at
                session.commit()

    def seed(self, branches: Sequence[BranchRecord], staff: Sequence[StaffRecord]) -> int:
        """Adds the branches and staff whose key is not there yet, in one commit; returns how many."""
        added = 0
        with self._sessions() as session:
            for branch in branches:
                if session.get(BranchRecord, branch.code) is None:
                    session.add(branch)
                    added += 1
            session.flush()  # staff rows refer to their branch
            for member in staff:
                if session.get(StaffRecord, member.id) is None:
                    session.add(member)
                    added += 1
            session.commit()
        return added

    def pending_staff_changes(self) -> list[StaffChangeRecord]:
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(StaffChangeRecord)
                    .where(StaffChangeRecord.status == "PENDING")
                    .order_by(StaffChangeRecord.id)
                )
            )

    def personal_data_views(
        self,
        *,
        staff_id: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
    ) -> list[tuple[PersonalDataViewRecord, str | None]]:
        """Newest first, each with the path of its branch (None for a branch that no longer exists)."""
        with self._sessions() as session:
            query = select(PersonalDataViewRecord).order_by(PersonalDataViewRecord.id.desc()).limit(limit)
            if staff_id:
                query = query.where(PersonalDataViewRecord.staff_id == staff_id)
            if since:
                query = query.where(PersonalDataViewRecord.at >= since)
            if until:
                query = query.where(PersonalDataViewRecord.at < until)
            return [(r, BRANCH_PATHS.path(session, r.branch_code)) for r in session.scalars(query)]


class PeopleTransaction:
    """The repository's calls inside one open session (the caller's, or one from `transaction()`)."""

    def __init__(self, session: Transaction) -> None:
        self._session = session

    def commit(self) -> None:
        self._session.commit()

    def staff(self, staff_id: str) -> StaffRecord | None:
        return self._session.get(StaffRecord, staff_id)

    def branch(self, code: str) -> BranchRecord | None:
        return self._session.get(BranchRecord, code)

    def branch_path(self, code: str) -> str | None:
        """From the process-wide cache (branches rarely change); None for an unknown branch."""
        return BRANCH_PATHS.path(self._session, code)

    def login_failures(
        self, since: datetime, *, username: str | None = None, client: str | None = None
    ) -> int:
        """Wrong passwords after `since`, for one user name, one client, or both."""
        query = select(func.count()).select_from(LoginFailureRecord).where(LoginFailureRecord.at > since)
        if username is not None:
            query = query.where(LoginFailureRecord.username == username)
        if client is not None:
            query = query.where(LoginFailureRecord.client == client)
        return int(self._session.scalar(query) or 0)

    def record_login_failure(self, username: str, client: str, at: datetime) -> None:
        self._session.add(LoginFailureRecord(username=username, client=client, at=at))

    def add_token(self, token: AccessTokenRecord) -> None:
        self._session.add(token)

    def revoke_tokens_of(self, staff_id: str, at: datetime) -> None:
        """Every token of the member of staff not yet revoked."""
        self._session.execute(
            update(AccessTokenRecord)
            .where(AccessTokenRecord.staff_id == staff_id, AccessTokenRecord.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    def add_staff(self, staff: StaffRecord) -> None:
        self._session.add(staff)

    def staff_change(self, change_id: int) -> StaffChangeRecord | None:
        return self._session.get(StaffChangeRecord, change_id)

    def add_staff_change(self, change: StaffChangeRecord) -> None:
        self._session.add(change)

    def add_personal_data_view(self, view: PersonalDataViewRecord) -> None:
        self._session.add(view)
