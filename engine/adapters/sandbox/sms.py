"""Sandbox SMS gateway (§13.1, §13.3): a sink with an inbox, as test mobiles may belong to real people."""

from __future__ import annotations

from datetime import datetime, timedelta

from engine.adapters.ports import SmsMessage
from engine.adapters.sandbox.store import SandboxStore, claim_next, walk
from engine.adapters.sandbox.timing import Clock, shanghai_now, stable_fraction
from forms.formats import is_mainland_mobile, normalise_mobile

REQUESTS = "sms.request"
INBOX = "sms.inbox"


class SandboxSms:
    """Never sends anything. `inbox(mobile)` shows delivered messages, oldest first, newest last.

    `delivery_delay_max_s` (knob, default 0) delays each message's delivery by a deterministic
    0..max seconds on the injected clock, imitating §12.1's 5 s / 30 s delivery times.
    """

    def __init__(
        self, store: SandboxStore, *, clock: Clock = shanghai_now, delivery_delay_max_s: float = 0.0
    ) -> None:
        self._store = store
        self._clock = clock
        self._delay_max = delivery_delay_max_s

    def send(self, mobile: str, text: str, request_id: str) -> None:
        number = normalise_mobile(mobile)
        if not is_mainland_mobile(number):
            raise ValueError("not a mainland mobile number")
        now = self._clock()
        if not self._store.put_if_absent(REQUESTS, request_id, {"mobile": number, "at": now.isoformat()}):
            return  # a retried submit: the gateway already accepted it
        delay = self._delay_max * stable_fraction("sms-delay", request_id)
        message = {
            "mobile": number,
            "text": text,
            "request_id": request_id,
            "sent_at": now.isoformat(),
            "deliver_at": (now + timedelta(seconds=delay)).isoformat(),
        }
        claim_next(self._store, INBOX, number, message)

    def inbox(self, mobile: str) -> list[SmsMessage]:
        number = normalise_mobile(mobile)
        now = self._clock()
        return [
            SmsMessage(
                mobile=m["mobile"],
                text=m["text"],
                sent_at=datetime.fromisoformat(m["sent_at"]),
                request_id=m["request_id"],
            )
            for m in walk(self._store, INBOX, number)
            if datetime.fromisoformat(m["deliver_at"]) <= now
        ]

    def sent_for(self, key: str) -> list[SmsMessage]:
        """The delivered messages of the codes sent for `key` (`otp:<key>:<n>`, engine/otp.py): what
        the tablet's sandbox inbox panel shows for one journey, oldest first."""
        prefix = f"otp:{key}:"
        mobiles = {v["mobile"] for k, v in self._store.items(REQUESTS) if k.startswith(prefix)}
        found = [m for mobile in mobiles for m in self.inbox(mobile) if m.request_id.startswith(prefix)]
        return sorted(found, key=lambda m: m.sent_at)
