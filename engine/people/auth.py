"""Sign-in and bearer tokens. Passwords are Argon2 hashes; tokens are stored as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.errors import FieldError, Throttled, Unauthenticated, ValidationFailed
from engine.persistence.database import SessionFactory
from engine.persistence.people import PeopleRepository, PeopleTransaction, TokenHolder
from engine.persistence.records import AccessTokenRecord, BranchRecord, StaffRecord
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


DeviceGate = Callable[..., None]
"""Raises `DeviceRefused` when the actor may not work from their device now (devices/gate.py)."""


def _open_gate(_actor: Actor, _device: object = None) -> None:
    return None


class AuthService:
    def __init__(
        self,
        sessions: SessionFactory,
        now: Callable[[], datetime],
        ttl_seconds: int,
        device_gate: DeviceGate = _open_gate,
        report_gate: DeviceGate = _open_gate,
        step_up_gate: DeviceGate = _open_gate,
    ) -> None:
        """`device_gate` runs at sign-in and on every authenticated call: the one place a locked
        device is refused, whichever route or page is asked."""
        self._people = PeopleRepository(sessions)
        self._now = now
        self._ttl = ttl_seconds
        self._device_gate = device_gate
        self._report_gate = report_gate
        self._step_up_gate = step_up_gate

    def login(
        self, username: str, password: str, device_id: str | None = None, client: str = ""
    ) -> IssuedToken:
        """`client` is where the attempt comes from (the peer address); throttling counts per client."""
        client = client[:64]
        with self._people.transaction() as tx:
            now = self._now()
            if _throttled(tx, username, client, now - THROTTLE_WINDOW):
                # refused before the password is looked at: guessing gains nothing, even the right one
                raise Throttled("too many wrong passwords; try again later")
            staff = tx.staff(username)
            try:
                _hasher.verify(staff.password_hash if staff else _DUMMY_HASH, password)
            except (VerificationError, InvalidHashError):
                tx.record_login_failure(username, client, now)
                tx.commit()
                raise Unauthenticated("wrong user name or password") from None
            if staff is None or staff.status != "active":
                raise Unauthenticated("wrong user name or password")
            # the password was right: only now may the answer say the device is the problem
            now = self._now()
            actor = _staff_actor(staff, tx.branch(staff.branch_code), device_id, now)
            self._device_gate(actor)
            token = secrets.token_urlsafe(32)
            expires = now + timedelta(seconds=self._ttl)
            tx.add_token(
                AccessTokenRecord(
                    token_hash=_digest(token),
                    staff_id=staff.id,
                    device_id=device_id,
                    issued_at=now,
                    expires_at=expires,
                    revoked_at=None,
                    authenticated_at=now,
                )
            )
            tx.commit()
            return IssuedToken(token, expires, actor)

    def authenticate(self, token: str, *, reporting: bool = False) -> Actor:
        """Every request: one round trip for token, staff and branch, so a revoked token or a suspended
        member of staff is refused at once without a per-request cost of three queries. `reporting`: the
        call is the device reporting on itself (a heartbeat), which a locked or lost device must still
        be able to do, to be told to wipe or unlock (`report_gate`)."""
        found = self._live_holder(token)
        actor = _actor_of(found)
        (self._report_gate if reporting else self._device_gate)(actor, found.device)
        return actor

    def step_up(self, token: str, password: str, client: str = "") -> Actor:
        """§9.3 step up: the signed-in officer proves who they are again on this session. The password
        is checked here (throttled like a sign-in); the face is matched on the tablet against its own
        enrolled template (§2.2), which the server cannot see."""
        found = self._live_holder(token)
        staff = found.staff
        self._step_up_gate(_actor_of(found), found.device)
        with self._people.transaction() as tx:
            now = self._now()
            if _throttled(tx, staff.id, client[:64], now - THROTTLE_WINDOW):
                raise Throttled("too many wrong passwords; try again later")
            try:
                _hasher.verify(staff.password_hash, password)
            except (VerificationError, InvalidHashError):
                tx.record_login_failure(staff.id, client[:64], now)
                tx.commit()
                raise ValidationFailed(
                    "the password is wrong", [FieldError("password", "wrong", "密码错误")]
                ) from None
        self._people.reauthenticated(_digest(token), now)
        return replace(_actor_of(found), authenticated_at=now)

    def logout(self, token: str) -> None:
        self._people.revoke_token(_digest(token), self._now())

    def _live_holder(self, token: str) -> TokenHolder:
        """Token, staff and branch in one round trip; a revoked or expired token or a member of staff
        no longer active is refused at once."""
        found = self._people.token_holder(_digest(token))
        if found is None:
            raise Unauthenticated("sign in again")
        row, staff = found.token, found.staff
        if row.revoked_at is not None or row.expires_at <= self._now() or staff.status != "active":
            raise Unauthenticated("sign in again")
        return found


def _throttled(tx: PeopleTransaction, username: str, client: str, since: datetime) -> bool:
    return (
        tx.login_failures(since, username=username, client=client) >= MAX_FAILURES
        or tx.login_failures(since, client=client) >= MAX_CLIENT_FAILURES
        or tx.login_failures(since, username=username) >= MAX_USER_FAILURES_ALL_CLIENTS
    )


def _actor_of(found: TokenHolder) -> Actor:
    token = found.token
    return _staff_actor(found.staff, found.branch, token.device_id, token.authenticated_at)


def _staff_actor(
    staff: StaffRecord,
    branch: BranchRecord | None,
    device_id: str | None,
    authenticated_at: datetime | None = None,
) -> Actor:
    return Actor(
        staff.id,
        staff.name,
        frozenset(staff.roles),
        staff.branch_code,
        branch.path if branch else "/nowhere/",
        device_id,
        authority_level=int(staff.authority_level or 1),
        qualifications=frozenset(staff.qualifications or ()),
        authenticated_at=authenticated_at,
    )
