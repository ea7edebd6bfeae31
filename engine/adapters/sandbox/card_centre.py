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

Store keys: `cc.request/<request_id>` → application number (idempotent submit), `cc.app/<no>` the
application, `cc.decision/<no>:<round>` a decision and whether it was delivered.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from engine.adapters.ports import CardApplication, CardDecision, CardSubmission
from engine.adapters.sandbox.store import SandboxStore
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


class SandboxCardCentre:
    def __init__(self, pacer: Pacer, store: SandboxStore, decision_delay_s: float = 0.0) -> None:
        self._pacer = pacer
        self._store = store
        self._delay = timedelta(seconds=decision_delay_s)

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
                tx.put("cc.decision", f"{number}:0", self._decide(application, number, now, 0))
        return self._received(application.request_id, number, now)

    def submit_documents(
        self, application_no: str, documents: tuple[str, ...], request_id: str
    ) -> CardSubmission:
        now = self._pacer.now()
        record = self._store.get("cc.app", application_no)
        if record is None:
            raise ExternalServiceError(
                "credit_card_sys: unknown application", system=SYSTEM, reason="NOT_FOUND"
            )
        with self._store.transaction() as tx:
            if tx.put_if_absent(
                "cc.documents", request_id, {"application_no": application_no, "documents": list(documents)}
            ):
                rounds = sum(1 for key, _ in tx.items("cc.decision") if key.startswith(application_no + ":"))
                proofs = tuple(sorted({*record["income_proofs"], *documents}))
                application = _application_from(record, proofs)
                tx.put(
                    "cc.decision",
                    f"{application_no}:{rounds}",
                    self._decide(application, application_no, now, rounds),
                )
        return self._received(request_id, application_no, now)

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
        record = {k: v for k, v in asdict(found).items()}
        record["bureau_queried_at"] = now.isoformat()
        record["documents_due"] = list(documents_due)
        return {**record, "round": round_no, "due_at": (now + self._delay).isoformat(), "delivered": False}

    def _received(self, request_id: str, number: str, now: datetime) -> CardSubmission:
        return CardSubmission(
            request_id=request_id, responded_at=now, application_no=number, status="RECEIVED"
        )


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
        "received_at": now.isoformat(),
    }


def _application_from(record: dict[str, Any], proofs: tuple[str, ...]) -> CardApplication:
    return CardApplication(
        request_id="",
        id_number=record["id_number"],
        name=record["name"],
        product_code=record["product_code"],
        annual_income=record["annual_income"],
        income_proofs=proofs,
        credit_auth_signed_at=datetime.fromisoformat(record["credit_auth_signed_at"]),
        flags=tuple(record["flags"]),
    )


def _decision_from(value: dict[str, Any]) -> CardDecision:
    return CardDecision(
        application_no=value["application_no"],
        decision=value["decision"],
        reason=value["reason"],
        credit_limit=value["credit_limit"],
        bureau_queried_at=datetime.fromisoformat(value["bureau_queried_at"]),
        documents_due=tuple(value["documents_due"]),
    )
