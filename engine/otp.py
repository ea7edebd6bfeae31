"""SMS one-time passwords for the reserved mobile (§2.6, §13.3): the bank's rules, whatever the gateway.

Rules [Practice/Sim]: 6 digits, valid 300 s, the 5th wrong entry locks the code, a new code only after
60 s, at most 5 sends per mobile per rolling hour, `000000` is never valid. Only a salted HMAC-SHA-256
of a code is stored. The store offers atomic inserts only, so every attempt and every send is its own
key (`wrong:<key>:<issue>:<n>`, `send:<mobile>:<n>`): concurrent requests cannot lose a count.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from engine.adapters.ports import SmsGateway
from engine.errors import Conflict
from forms.formats import is_mainland_mobile, normalise_mobile

OtpOutcome = Literal["VERIFIED", "WRONG", "EXPIRED", "LOCKED", "NOT_ISSUED"]
CODE_DIGITS = 6
VALID_FOR = timedelta(seconds=300)
RESEND_AFTER = timedelta(seconds=60)
MAX_WRONG = 5
MAX_SENDS_PER_HOUR = 5
NEVER_VALID = "000000"
NAMESPACE = "otp"
SMS_TEXT = "【FieldBank】验证码 {code}，5分钟内有效，请勿泄露。"


class OtpStore(Protocol):
    """The subset of `SandboxStore` the OTP service needs; `put_if_absent` must be atomic."""

    def get(self, namespace: str, key: str) -> dict[str, Any] | None: ...

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None: ...

    def put_if_absent(self, namespace: str, key: str, value: dict[str, Any]) -> bool: ...


@dataclass(frozen=True)
class OtpIssue:
    expires_at: datetime
    resend_after: datetime


class OtpSendRefused(Conflict):
    """No SMS was sent; `retry_after` says when asking again can succeed."""

    code = "otp_send_refused"

    def __init__(self, message: str, retry_after: datetime) -> None:
        super().__init__(message, {"retry_after": retry_after.isoformat()})
        self.retry_after = retry_after


class OtpResendTooSoon(OtpSendRefused):
    code = "otp_resend_too_soon"


class OtpSendLimitReached(OtpSendRefused):
    code = "otp_send_limit"


class OtpService:
    """`key` names one verification context (e.g. instance + task + mobile); the caller chooses it.

    `fixed_code` is the dev-only switch of §13.3 (e.g. "123456"). `pepper` should be a server secret
    shared by every process (settings), so a stolen store does not reveal codes by brute force.
    """

    def __init__(
        self,
        store: OtpStore,
        sms: SmsGateway,
        clock: Callable[[], datetime],
        fixed_code: str | None = None,
        *,
        randbelow: Callable[[int], int] = secrets.randbelow,
        pepper: bytes = b"",
    ) -> None:
        if fixed_code is not None and not _well_formed(fixed_code):
            raise ValueError("fixed OTP must be 6 digits and not 000000")
        self._store = store
        self._sms = sms
        self._clock = clock
        self._fixed_code = fixed_code
        self._randbelow = randbelow
        self._pepper = pepper

    def issue(self, key: str, mobile: str) -> OtpIssue:
        """Send a new code (the previous one stops working). Raises `OtpSendRefused` subclasses."""
        number = normalise_mobile(mobile)
        if not is_mainland_mobile(number):
            raise ValueError("not a mainland mobile number")
        now = self._clock()
        code, salt = self._new_code(), secrets.token_hex(16)
        record = {
            "digest": self._digest(salt, key, code),
            "salt": salt,
            "issued_at": now.isoformat(),
            "expires_at": (now + VALID_FOR).isoformat(),
            "state": "pending",
        }
        n = _claim_next(self._store, f"issue:{key}", record)
        issue_key = f"issue:{key}:{n}"
        self._refuse_if_too_soon(key, n, record, now)
        try:
            send_key, send_entry = self._claim_send(number, key, now)
        except OtpSendRefused:
            self._set_state(issue_key, record, "refused")
            raise
        try:
            self._sms.send(number, SMS_TEXT.format(code=code), f"otp:{key}:{n}")
        except Exception:
            self._set_state(issue_key, record, "failed")  # a failed send does not hold back the next one
            self._set_state(send_key, send_entry, "failed")
            raise
        self._set_state(send_key, send_entry, "sent")
        self._set_state(issue_key, record, "sent")
        return OtpIssue(expires_at=now + VALID_FOR, resend_after=now + RESEND_AFTER)

    def verify(self, key: str, code: str) -> OtpOutcome:
        issued = _walk(self._store, f"issue:{key}")
        live = [i for i, rec in enumerate(issued, start=1) if rec["state"] == "sent"]
        if not live:
            return "NOT_ISSUED"
        n, record = live[-1], issued[live[-1] - 1]
        if len(_walk(self._store, f"wrong:{key}:{n}")) >= MAX_WRONG:
            return "LOCKED"
        now = self._clock()
        if now >= datetime.fromisoformat(record["expires_at"]):
            return "EXPIRED"
        candidate = code.strip()
        if _well_formed(candidate) and hmac.compare_digest(
            self._digest(record["salt"], key, candidate), record["digest"]
        ):
            self._store.put_if_absent(NAMESPACE, f"verified:{key}:{n}", {"at": now.isoformat()})
            return "VERIFIED"
        attempt = _claim_next(self._store, f"wrong:{key}:{n}", {"at": now.isoformat()})
        return "LOCKED" if attempt >= MAX_WRONG else "WRONG"

    def attempts_left(self, key: str) -> int:
        """Wrong entries the live code still takes before it locks (0 once locked or none is live)."""
        issued = _walk(self._store, f"issue:{key}")
        live = [i for i, rec in enumerate(issued, start=1) if rec["state"] == "sent"]
        if not live:
            return 0
        return max(0, MAX_WRONG - len(_walk(self._store, f"wrong:{key}:{live[-1]}")))

    def resend_ready_at(self, key: str) -> datetime | None:
        """When `issue` will send a new code for `key` (None: no code was sent yet)."""
        for record in reversed(_walk(self._store, f"issue:{key}")):
            if record["state"] in ("sent", "pending"):
                return datetime.fromisoformat(record["issued_at"]) + RESEND_AFTER
        return None

    def _refuse_if_too_soon(self, key: str, n: int, record: dict[str, Any], now: datetime) -> None:
        for earlier in reversed(_walk(self._store, f"issue:{key}")[: n - 1]):
            if earlier["state"] in ("sent", "pending"):
                ready = datetime.fromisoformat(earlier["issued_at"]) + RESEND_AFTER
                if now < ready:
                    self._set_state(f"issue:{key}:{n}", record, "refused")
                    raise OtpResendTooSoon("a new code can be sent after 60 s", ready)
                return

    def _claim_send(self, number: str, key: str, now: datetime) -> tuple[str, dict[str, Any]]:
        entry = {"at": now.isoformat(), "key": key, "state": "pending"}
        n = _claim_next(self._store, f"send:{number}", entry)
        hour_ago = now - timedelta(hours=1)
        recent = [
            at
            for e in _walk(self._store, f"send:{number}")[: n - 1]
            if e["state"] in ("sent", "pending") and (at := datetime.fromisoformat(e["at"])) > hour_ago
        ]
        if len(recent) >= MAX_SENDS_PER_HOUR:
            self._set_state(f"send:{number}:{n}", entry, "refused")
            raise OtpSendLimitReached("at most 5 codes per mobile per hour", min(recent) + timedelta(hours=1))
        return f"send:{number}:{n}", entry

    def _set_state(self, key: str, record: dict[str, Any], state: str) -> None:
        """Only the claimer of `key` writes it, so this update cannot race."""
        self._store.put(NAMESPACE, key, {**record, "state": state})

    def _new_code(self) -> str:
        if self._fixed_code is not None:
            return self._fixed_code
        while (code := f"{self._randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}") == NEVER_VALID:
            pass
        return code

    def _digest(self, salt: str, key: str, code: str) -> str:
        message = f"{salt}\x1f{key}\x1f{code}".encode()
        return hmac.new(self._pepper or b"fieldbank-otp", message, hashlib.sha256).hexdigest()


def _well_formed(code: str) -> bool:
    return len(code) == CODE_DIGITS and code.isascii() and code.isdigit() and code != NEVER_VALID


def _claim_next(store: OtpStore, prefix: str, value: dict[str, Any]) -> int:
    """Insert under the first free `prefix:<n>`; claims stay contiguous, so n orders claimers."""
    n = len(_walk(store, prefix)) + 1
    while not store.put_if_absent(NAMESPACE, f"{prefix}:{n}", value):
        n += 1
    return n


def _walk(store: OtpStore, prefix: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while (value := store.get(NAMESPACE, f"{prefix}:{len(found) + 1}")) is not None:
        found.append(value)
    return found
