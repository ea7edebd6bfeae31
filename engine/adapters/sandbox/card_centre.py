"""Sandbox credit-card centre (§J2 steps 8-10, §7.4, §13.6): takes applications at once, decides later.

Deterministic rules [Sim]:
- bureau scenarios by ID sequence code: 931 (连三累六) → `DECLINED` `BUREAU_DELINQUENT`; 932 (thin file)
  and 933 (9 hard inquiries) → `REFERRED`;
- a `REVIEW` flag from the checks (telco, watch-list) → `REFERRED` (the centre decides, the officer
  cannot override);
- an annual income of CNY 300,000 or more backed by fewer than two income proofs → `PENDING_DOCS`
  (补件: `income_proof` and `bank_statement`); after `submit_documents` the application is decided again;
- otherwise `APPROVED` with a limit of a fifth of the annual income, in thousands, within 5,000-50,000.

The bureau is queried (and the time recorded) only after the signed credit-report authorization: an
application without one is refused with `AUTH_MISSING` before anything is recorded. A decision becomes
due `decision_delay_s` after submission (0 in tests; a real centre takes days); `due_decisions` lists
what the sandbox's callback loop should deliver, each once (`mark_delivered`).

De-duplication (§J2 step 9) [Sim]: the centre keeps, per ID number and product, the sequence of
applications it took up (`cc.holder`). While the last one is open (being decided, `PENDING_DOCS` within
its 7-day 补件 window, `REFERRED`) or approved, another application for that product is numbered and
`DECLINED` with `APPLICATION_IN_PROGRESS` or `PRODUCT_HELD`, without a bureau query. `holdings` answers
the same question before anything is submitted.

After `APPROVED` the card moves on the sandbox's clock, one `card_step_s` per step (a minute standing
in for days, §12.2) from the decision's due time: `PRODUCED`, then `MAILED` → `DELIVERED` to the declared
residential or work address, or (knob `mail_returned`) `MAILED` → `RETURNED` → `AT_BRANCH`; branch
pickup goes `PRODUCED` → `AT_BRANCH`. `activate` accepts a `DELIVERED` or `AT_BRANCH` card only, with the
applicant's ID number and a verified identity; then the card is `ACTIVE`, usable, and fees count from
that day.

Store keys: `cc.request/<request_id>` → application number (idempotent submit), `cc.app/<no>` the
application (with its supplementary card's holder, if any; `received` reads it back),
`cc.decision/<no>:<round>` a decision and whether it was delivered, `cc.holder/<id>:<product>:<n>` the
applications taken up, `cc.active/<no>` the activation (never the PIN block).
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, Literal

from engine.adapters.ports import (
    ActivationCode,
    ActivationResult,
    CardApplication,
    CardDecision,
    CardHoldings,
    CardState,
    CardStatus,
    CardSubmission,
    SupplementaryHolder,
)
from engine.adapters.sandbox.store import SandboxStore, SandboxView, walk
from engine.adapters.sandbox.timing import Pacer, stable_digits
from engine.errors import ExternalServiceError

SYSTEM = "credit_card_sys"
PROOFS_NEEDED_FROM_INCOME = 300_000
DOCUMENTS_ASKED = ("income_proof", "bank_statement")
BUREAU_SCENARIOS = {
    "931": ("DECLINED", "BUREAU_DELINQUENT"),
    "932": ("REFERRED", "THIN_FILE"),
    "933": ("REFERRED", "MANY_INQUIRIES"),
}
DOCUMENTS_WINDOW = timedelta(days=7)  # [Sim] the 补件 deadline (§J2 step 10): later, the application lapses
DEFAULT_CARD_STEP_S = 60.0  # [Sim] one production / mailing step; real delivery takes 5-10 days (§12.2)
# [Sim] the PIN travels only as an ISO 9564 PIN block, encrypted at the PIN pad: 16 hex digits
PIN_BLOCK = re.compile(r"[0-9A-Fa-f]{16}")

Standing = Literal["OPEN", "HELD", "CLOSED"]


class SandboxCardCentre:
    def __init__(
        self,
        pacer: Pacer,
        store: SandboxStore,
        decision_delay_s: float = 0.0,
        *,
        card_step_s: float = DEFAULT_CARD_STEP_S,
        mail_returned: bool = False,
    ) -> None:
        self._pacer = pacer
        self._store = store
        self._delay = timedelta(seconds=decision_delay_s)
        self._step = timedelta(seconds=card_step_s)
        self._mail_returned = mail_returned

    def holdings(self, id_number: str, request_id: str) -> CardHoldings:
        now = self._pacer.now()
        held, open_ = set(), set()
        for number, record in self._store.items("cc.app"):
            if record["id_number"] != id_number:
                continue
            standing = _standing(self._store, number, now)
            if standing == "HELD":
                held.add(record["product_code"])
            elif standing == "OPEN":
                open_.add(record["product_code"])
        return CardHoldings(
            request_id=request_id,
            responded_at=now,
            held_products=tuple(sorted(held)),
            in_progress_products=tuple(sorted(open_ - held)),
        )

    def submit(self, application: CardApplication) -> CardSubmission:
        now = self._pacer.now()
        if application.credit_auth_signed_at is None or application.credit_auth_signed_at > now:
            raise ExternalServiceError(
                "credit_card_sys: no signed credit-report authorization", system=SYSTEM, reason="AUTH_MISSING"
            )
        known = self._store.get("cc.request", application.request_id)
        if known is not None:
            return self._received(application.request_id, known["application_no"], now)
        number = "CC" + now.strftime("%Y%m%d") + stable_digits(8, SYSTEM, application.request_id)
        with self._store.transaction() as tx:
            if not tx.put_if_absent("cc.request", application.request_id, {"application_no": number}):
                pass  # a twin of this request got there first: same number, nothing else to do
            elif tx.put_if_absent("cc.app", number, _application_record(application, now)):
                duplicate = _take_up(tx, application, number, now)
                decision = (
                    self._duplicate(number, duplicate, now)
                    if duplicate
                    else self._decide(application, number, now, 0)
                )
                tx.put("cc.decision", f"{number}:0", decision)
        return self._received(application.request_id, number, now)

    def submit_documents(
        self, application_no: str, documents: tuple[str, ...], request_id: str
    ) -> CardSubmission:
        now = self._pacer.now()
        record = self._application(application_no)
        with self._store.transaction() as tx:
            if tx.put_if_absent(
                "cc.documents", request_id, {"application_no": application_no, "documents": list(documents)}
            ):
                rounds = len(_rounds(tx, application_no))
                proofs = tuple(sorted({*record["income_proofs"], *documents}))
                application = _application_from(record, proofs)
                tx.put(
                    "cc.decision",
                    f"{application_no}:{rounds}",
                    self._decide(application, application_no, now, rounds),
                )
        return self._received(request_id, application_no, now)

    def received(self, application_no: str) -> CardApplication:
        """The application as the centre took it up (not a port call: for the sandbox's own pages and the
        tests, which check what crossed the wire)."""
        record = self._application(application_no)
        return _application_from(record, tuple(record["income_proofs"]))

    # ------------------------------------------------------------------ the card (J2 steps 11-12)

    def card_status(self, application_no: str, request_id: str) -> CardStatus:
        now = self._pacer.now()
        record = self._application(application_no)
        state, since = self._card_state(application_no, record, now)
        active = self._store.get("cc.active", application_no)
        return CardStatus(
            request_id=request_id,
            responded_at=now,
            application_no=application_no,
            state=state,
            delivery=record.get("delivery", "RESIDENTIAL"),
            since=since,
            usable=active is not None,
            fees_from=datetime.fromisoformat(active["activated_at"]).date() if active else None,
        )

    def activate(
        self,
        application_no: str,
        id_number: str,
        otp_verified: bool,
        face_verified: bool,
        pin_block: str,
        request_id: str,
    ) -> ActivationResult:
        if not PIN_BLOCK.fullmatch(pin_block):
            raise ValueError("pin_block must be an ISO 9564 PIN block: 16 hex digits, never a clear PIN")
        now = self._pacer.now()
        refused = self._activation_refused(application_no, id_number, otp_verified or face_verified, now)
        if refused is not None:
            return self._activation(request_id, application_no, refused, now)
        # the PIN block is handed to the card system's HSM; the sandbox keeps only that a PIN was set
        activation = {
            "activated_at": now.isoformat(),
            "method": "OTP" if otp_verified else "FACE",
            "request_id": request_id,
            "pin_set": True,
        }
        if not self._store.put_if_absent("cc.active", application_no, activation):
            return self._activation_replayed(application_no, request_id, now)
        return self._activation(request_id, application_no, "ACTIVATED", now, now)

    def _activation_refused(
        self, application_no: str, id_number: str, verified: bool, now: datetime
    ) -> ActivationCode | None:
        record = self._store.get("cc.app", application_no)
        if record is None:
            return "UNKNOWN_APPLICATION"
        if record["id_number"] != id_number:
            return "IDENTITY_MISMATCH"
        if not verified:
            return "IDENTITY_NOT_VERIFIED"
        state, _since = self._card_state(application_no, record, now)
        if state == "NOT_ISSUED":
            return "NOT_ISSUED"
        if state in ("PRODUCED", "MAILED", "RETURNED"):
            return "NOT_DELIVERED"  # not in the customer's hands (nor at the branch counter) yet
        return None  # DELIVERED, AT_BRANCH, or ACTIVE (answered by the claim below)

    def _activation_replayed(self, application_no: str, request_id: str, now: datetime) -> ActivationResult:
        """The card is active already: the original answer to the same request, ALREADY_ACTIVE to another."""
        active = self._store.get("cc.active", application_no) or {}
        if active.get("request_id") != request_id:
            return self._activation(request_id, application_no, "ALREADY_ACTIVE", now)
        at = datetime.fromisoformat(active["activated_at"])
        return self._activation(request_id, application_no, "ACTIVATED", at, at)

    def _activation(
        self,
        request_id: str,
        application_no: str,
        result: ActivationCode,
        now: datetime,
        activated_at: datetime | None = None,
    ) -> ActivationResult:
        return ActivationResult(
            request_id=request_id,
            responded_at=now,
            application_no=application_no,
            result=result,
            activated_at=activated_at,
        )

    def _card_state(
        self, application_no: str, record: dict[str, Any], now: datetime
    ) -> tuple[CardState, datetime | None]:
        active = self._store.get("cc.active", application_no)
        if active is not None:
            return "ACTIVE", datetime.fromisoformat(active["activated_at"])
        latest = _latest(self._store, application_no)
        if latest is None or latest["decision"] != "APPROVED":
            return "NOT_ISSUED", None
        approved_at = datetime.fromisoformat(latest["due_at"])
        reached: tuple[CardState, datetime | None] = ("NOT_ISSUED", None)
        for n, state in enumerate(self._route(record.get("delivery", "RESIDENTIAL")), start=1):
            at = approved_at + n * self._step
            if at > now:
                break
            reached = (state, at)
        return reached

    def _route(self, delivery: str) -> tuple[CardState, ...]:
        if delivery == "BRANCH":
            return ("PRODUCED", "AT_BRANCH")
        if self._mail_returned:
            return ("PRODUCED", "MAILED", "RETURNED", "AT_BRANCH")  # returned mail → branch (§7.4)
        return ("PRODUCED", "MAILED", "DELIVERED")

    # ------------------------------------------------------------------ the callback side

    def due_decisions(self, now: datetime) -> list[tuple[str, CardDecision]]:
        """(decision key, decision) of every decision due and not delivered yet, oldest first."""
        due = []
        for key, value in self._store.items("cc.decision"):
            if not value["delivered"] and datetime.fromisoformat(value["due_at"]) <= now:
                due.append((value["due_at"], key, _decision_from(value)))
        return [(key, decision) for _at, key, decision in sorted(due)]

    def mark_delivered(self, key: str) -> None:
        value = self._store.get("cc.decision", key)
        if value is not None and not value["delivered"]:
            self._store.put("cc.decision", key, {**value, "delivered": True})

    # ------------------------------------------------------------------ rules

    def _application(self, application_no: str) -> dict[str, Any]:
        record = self._store.get("cc.app", application_no)
        if record is None:
            raise ExternalServiceError(
                "credit_card_sys: unknown application", system=SYSTEM, reason="UNKNOWN_APPLICATION"
            )
        return record

    def _duplicate(self, number: str, reason: str, now: datetime) -> dict[str, Any]:
        """De-duplication comes first: a duplicate is declined before any bureau query (no hard inquiry)."""
        found = CardDecision(application_no=number, decision="DECLINED", reason=reason)
        return self._record(found, now, 0)

    def _decide(
        self, application: CardApplication, number: str, now: datetime, round_no: int
    ) -> dict[str, Any]:
        scenario = application.id_number[14:17]
        credit_limit = None
        documents_due: tuple[str, ...] = ()
        if scenario in BUREAU_SCENARIOS:
            decision, reason = BUREAU_SCENARIOS[scenario]
        elif any(flag.startswith("REVIEW") for flag in application.flags):
            decision, reason = "REFERRED", "CHECKS_UNDER_REVIEW"
        elif (
            application.annual_income >= PROOFS_NEEDED_FROM_INCOME and len(set(application.income_proofs)) < 2
        ):
            decision, reason = "PENDING_DOCS", "INCOME_PROOF_MISSING"
            documents_due = tuple(d for d in DOCUMENTS_ASKED if d not in application.income_proofs)
        else:
            decision, reason = "APPROVED", None
            credit_limit = max(5_000, min(50_000, application.annual_income // 5 // 1000 * 1000))
        found = CardDecision(
            application_no=number,
            decision=decision,  # type: ignore[arg-type]
            reason=reason,
            credit_limit=credit_limit,
            bureau_queried_at=now,  # after the authorization (checked in submit)
            documents_due=documents_due,
        )
        return self._record(found, now, round_no)

    def _record(self, found: CardDecision, now: datetime, round_no: int) -> dict[str, Any]:
        record = asdict(found)
        record["bureau_queried_at"] = found.bureau_queried_at.isoformat() if found.bureau_queried_at else None
        record["documents_due"] = list(found.documents_due)
        return {**record, "round": round_no, "due_at": (now + self._delay).isoformat(), "delivered": False}

    def _received(self, request_id: str, number: str, now: datetime) -> CardSubmission:
        return CardSubmission(
            request_id=request_id, responded_at=now, application_no=number, status="RECEIVED"
        )


def _take_up(view: SandboxView, application: CardApplication, number: str, now: datetime) -> str | None:
    """Claims the next place in this person's sequence for the product, or says why it is a duplicate.
    The claim is a `put_if_absent`, so of two concurrent submissions exactly one is taken up."""
    prefix = f"{application.id_number}:{application.product_code}"
    taken = walk(view, "cc.holder", prefix)
    if taken:
        standing = _standing(view, taken[-1]["application_no"], now)
        if standing == "HELD":
            return "PRODUCT_HELD"
        if standing == "OPEN":
            return "APPLICATION_IN_PROGRESS"
    if not view.put_if_absent("cc.holder", f"{prefix}:{len(taken) + 1}", {"application_no": number}):
        return "APPLICATION_IN_PROGRESS"  # a concurrent twin was taken up first
    return None


def _rounds(view: SandboxView, application_no: str) -> list[dict[str, Any]]:
    """The decisions of one application, oldest first (rounds are numbered from 0 without gaps)."""
    found: list[dict[str, Any]] = []
    while (value := view.get("cc.decision", f"{application_no}:{len(found)}")) is not None:
        found.append(value)
    return found


def _latest(view: SandboxView, application_no: str) -> dict[str, Any] | None:
    rounds = _rounds(view, application_no)
    return rounds[-1] if rounds else None


def _standing(view: SandboxView, application_no: str, now: datetime) -> Standing:
    """Whether an application still blocks another for the same product: `HELD` once approved, `OPEN`
    while it is decided, in 补件 (within the window) or in manual review, `CLOSED` when declined."""
    latest = _latest(view, application_no)
    if latest is None or datetime.fromisoformat(latest["due_at"]) > now:
        return "OPEN"
    decision = latest["decision"]
    if decision == "APPROVED":
        return "HELD"
    if decision == "DECLINED":
        return "CLOSED"
    if decision == "PENDING_DOCS" and now > datetime.fromisoformat(latest["due_at"]) + DOCUMENTS_WINDOW:
        return "CLOSED"  # the 补件 deadline passed: the application lapsed
    return "OPEN"  # PENDING_DOCS within its window, REFERRED (a reviewer decides)


def _application_record(application: CardApplication, now: datetime) -> dict[str, Any]:
    return {
        "id_number": application.id_number,
        "name": application.name,
        "product_code": application.product_code,
        "annual_income": application.annual_income,
        "income_proofs": list(application.income_proofs),
        "credit_auth_signed_at": application.credit_auth_signed_at.isoformat()
        if application.credit_auth_signed_at
        else None,
        "flags": list(application.flags),
        "delivery": application.delivery,
        "supplementary_holder": asdict(application.supplementary_holder)
        if application.supplementary_holder
        else None,
        "received_at": now.isoformat(),
    }


def _application_from(record: dict[str, Any], proofs: tuple[str, ...]) -> CardApplication:
    holder = record.get("supplementary_holder")
    return CardApplication(
        request_id="",
        id_number=record["id_number"],
        name=record["name"],
        product_code=record["product_code"],
        annual_income=record["annual_income"],
        income_proofs=proofs,
        credit_auth_signed_at=datetime.fromisoformat(record["credit_auth_signed_at"]),
        flags=tuple(record["flags"]),
        delivery=record.get("delivery", "RESIDENTIAL"),
        supplementary_holder=SupplementaryHolder(**holder) if holder else None,
    )


def _decision_from(value: dict[str, Any]) -> CardDecision:
    return CardDecision(
        application_no=value["application_no"],
        decision=value["decision"],
        reason=value["reason"],
        credit_limit=value["credit_limit"],
        bureau_queried_at=datetime.fromisoformat(value["bureau_queried_at"])
        if value["bureau_queried_at"]
        else None,
        documents_due=tuple(value["documents_due"]),
    )
