"""Sign-in and bearer tokens. Passwords are Argon2 hashes; tokens are stored as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import Throttled, Unauthenticated
from engine.persistence.records import AccessTokenRecord, BranchRecord, LoginFailureRecord, StaffRecord
from engine.views import Actor

_hasher = PasswordHasher()
# Throttling in a ten-minute window. A user name is refused to the client that got its password wrong
# five times, not to everyone: a stranger cannot lock a member of staff out. A client that gets many
# passwords wrong is refused for every name (spraying one guess over many users), and a name that many
# clients guess at is refused everywhere (a distributed attack; it takes ten clients' worth of failures).
MAX_FAILURES = 5
MAX_CLIENT_FAILURES = 20
MAX_USER_FAILURES_ALL_CLIENTS = 50
THROTTLE_WINDOW = timedelta(minutes=10)
# Verifying against a dummy hash for unknown users keeps response time from revealing who exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_at: datetime
    actor: Actor


class AuthService:
    def __init__(
        self, sessions: sessionmaker[Session], now: Callable[[], datetime], ttl_seconds: int
    ) -> None:
        self._sessions = sessions
        self._now = now
        self._ttl = ttl_seconds

    def login(
        self, username: str, password: str, device_id: str | None = None, client: str = ""
    ) -> IssuedToken:
        """`client` is where the attempt comes from (the peer address); throttling counts per client."""
        client = client[:64]
        with self._sessions() as session:
            now = self._now()
            if _throttled(session, username, client, now - THROTTLE_WINDOW):
                # refused before the password is looked at: guessing gains nothing, even the right one
                raise Throttled("too many wrong passwords; try again later")
            staff = session.get(StaffRecord, username)
            try:
                _hasher.verify(staff.password_hash if staff else _DUMMY_HASH, password)
            except (VerificationError, InvalidHashError):
                session.add(LoginFailureRecord(username=username, client=client, at=now))
                session.commit()
                raise Unauthenticated("wrong user name or password") from None
            if staff is None or staff.status != "active":
                raise Unauthenticated("wrong user name or password")
            token = secrets.token_urlsafe(32)
            now = self._now()
            expires = now + timedelta(seconds=self._ttl)
            session.add(
                AccessTokenRecord(
                    token_hash=_digest(token),
                    staff_id=staff.id,
                    device_id=device_id,
                    issued_at=now,
                    expires_at=expires,
                    revoked_at=None,
                )
            )
            actor = _actor(session, staff, device_id)
            session.commit()
            return IssuedToken(token, expires, actor)

    def authenticate(self, token: str) -> Actor:
        """Every request: one round trip for token, staff and branch, so a revoked token or a suspended
        member of staff is refused at once without a per-request cost of three queries."""
        with self._sessions() as session:
            found = session.execute(
                select(AccessTokenRecord, StaffRecord, BranchRecord)
                .join(StaffRecord, StaffRecord.id == AccessTokenRecord.staff_id)
                .outerjoin(BranchRecord, BranchRecord.code == StaffRecord.branch_code)
                .where(AccessTokenRecord.token_hash == _digest(token))
            ).first()
            if found is None:
                raise Unauthenticated("sign in again")
            row, staff, branch = found
            if row.revoked_at is not None or row.expires_at <= self._now() or staff.status != "active":
                raise Unauthenticated("sign in again")
            return _actor_of(staff, branch, row.device_id)

    def logout(self, token: str) -> None:
        with self._sessions() as session:
            row = session.get(AccessTokenRecord, _digest(token))
            if row is not None and row.revoked_at is None:
                row.revoked_at = self._now()
                session.commit()


def _throttled(session: Session, username: str, client: str, since: datetime) -> bool:
    def failures(*where: Any) -> int:
        query = (
            select(func.count()).select_from(LoginFailureRecord).where(LoginFailureRecord.at > since, *where)
        )
        return int(session.scalar(query) or 0)

    user, source = LoginFailureRecord.username == username, LoginFailureRecord.client == client
    return (
        failures(user, source) >= MAX_FAILURES
        or failures(source) >= MAX_CLIENT_FAILURES
        or failures(user) >= MAX_USER_FAILURES_ALL_CLIENTS
    )


def _actor(session: Session, staff: StaffRecord, device_id: str | None) -> Actor:
    return _actor_of(staff, session.get(BranchRecord, staff.branch_code), device_id)


def _actor_of(staff: StaffRecord, branch: BranchRecord | None, device_id: str | None) -> Actor:
    return Actor(
        staff.id,
        staff.name,
        frozenset(staff.roles),
        staff.branch_code,
        branch.path if branch else "/nowhere/",
        device_id,
        authority_level=int(staff.authority_level or 1),
        qualifications=frozenset(staff.qualifications or ()),
    )
