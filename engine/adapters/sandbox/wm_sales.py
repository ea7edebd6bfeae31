"""Sandbox wealth-management sales / TA system (`wm_sales`, J3) [Sim]: deterministic by input and clock.

Fixture customers have a current assessment dated relative to the clock (fixtures.WM_ASSESSMENTS);
everyone else has none. Recorded attempts, confirmations and orders persist in the `SandboxStore`, so
the retake count, the current assessment and the cooling-off window follow what the journey did.
Knob `unavailable=True` makes every call fail with `UNAVAILABLE` (J3 → SUSPENDED_EXTERNAL).

Money is the sandbox core's (`CoreBalances`, injected by the factory): an order must name an account
the core opened for the buyer (else `ACCOUNT_NOT_FOUND`) and freezes its amount there under the order's
channel serial, in the same store transaction as the order, so a second order sees only what is left
(else `INSUFFICIENT_FUNDS`); a cancellation in the cooling-off releases the freeze in full.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from crypto import sm3
from engine.adapters.ports import (
    SHANGHAI,
    AssessmentLookup,
    AssessmentReceipt,
    AssessmentRecord,
    AssessmentStatus,
    AssetClass,
    AttemptCount,
    CancelResult,
    DocumentKind,
    Issuer,
    Offering,
    OrderRequest,
    OrderResult,
    ProductDocument,
    ProductRiskLevel,
    ProductShelf,
    StoredAssessment,
    WealthProduct,
    WmRiskLevel,
)
from engine.adapters.sandbox import fixtures
from engine.adapters.sandbox.core_balances import CoreBalances
from engine.adapters.sandbox.store import SandboxStore, claim_next, walk
from engine.adapters.sandbox.timing import WM_SALES, Pacer, stable_digits
from forms.formats import normalise_resident_id

_FIXTURE_TIME = time(10, 0)
_VALIDITY = timedelta(days=365)
MIN_COOLING_OFF_HOURS = 24  # §5.4 [Reg]: private products only


def _shelf() -> tuple[WealthProduct, ...]:
    products = []
    for code, name, risk, offering, asset, issuer, minimum, hours, version in fixtures.WM_PRODUCTS:
        documents = tuple(
            ProductDocument(
                kind=cast(DocumentKind, kind),
                title=f"《{name}{title}》",
                version=version,
                content_sm3=sm3(f"{code}|{kind}|{version}".encode()).hex(),
            )
            for kind, title in fixtures.WM_DOCUMENT_TITLES.items()
        )
        products.append(
            WealthProduct(
                code=code,
                name=name,
                risk_level=cast(ProductRiskLevel, risk),
                offering=cast(Offering, offering),
                asset_class=cast(AssetClass, asset),
                issuer=cast(Issuer, issuer),
                min_amount=Decimal(minimum),
                cooling_off_hours=hours,
                documents=documents,
            )
        )
    return tuple(products)


SHELF = _shelf()


class SandboxWealthSales:
    def __init__(
        self, pacer: Pacer, store: SandboxStore, balances: CoreBalances, *, unavailable: bool = False
    ) -> None:
        self._pacer = pacer
        self._store = store
        self._balances = balances
        self.unavailable = unavailable

    # --- assessments ----------------------------------------------------------------------------------

    def current_assessment(self, id_number: str, request_id: str) -> AssessmentLookup:
        self._call(id_number, request_id)
        confirmed = [a for a in self._attempts(id_number) if a["status"] == "CONFIRMED"]
        if confirmed:
            current: StoredAssessment | None = _stored(confirmed[-1])
        else:
            current = self._fixture_assessment(id_number)
        return AssessmentLookup(request_id=request_id, responded_at=self._pacer.now(), assessment=current)

    def count_attempts(self, id_number: str, business_date: date, request_id: str) -> AttemptCount:
        self._call(id_number, business_date, request_id)
        levels = list(fixtures.WM_ATTEMPTS_TODAY.get(id_number, ())) if business_date == self._today() else []
        levels += [
            a["level"]
            for a in self._attempts(id_number)
            if datetime.fromisoformat(a["assessed_at"]).astimezone(SHANGHAI).date() == business_date
        ]
        return AttemptCount(
            request_id=request_id,
            responded_at=self._pacer.now(),
            business_date=business_date,
            count=len(levels),
            levels=tuple(levels),
        )

    def record_assessment(self, record: AssessmentRecord) -> AssessmentReceipt:
        self._call(record.id_number, record.request_id)
        with self._store.transaction() as tx:
            known = tx.get("wm.assessment_request", record.request_id)
            if known is None:
                number = "RA" + record.assessed_at.strftime("%Y%m%d") + stable_digits(8, record.request_id)
                value = {
                    "assessment_no": number,
                    "id_number": record.id_number,
                    "level": record.level,
                    "score": record.score,
                    "questionnaire_version": record.questionnaire_version,
                    "caps_applied": list(record.caps_applied),
                    "assessed_at": record.assessed_at.isoformat(),
                    "expires_at": record.expires_at.isoformat(),
                    "record_digest": record.record_digest,
                }
                n = claim_next(tx, "wm.assessment", record.id_number, value)
                known = {"id_number": record.id_number, "n": n, "assessment_no": number}
                tx.put_if_absent("wm.assessment_request", record.request_id, known)
                tx.put_if_absent("wm.assessment_no", number, known)
        day = record.assessed_at.astimezone(SHANGHAI).date()
        counted = self.count_attempts(record.id_number, day, record.request_id + ":count")
        return AssessmentReceipt(
            request_id=record.request_id,
            responded_at=self._pacer.now(),
            assessment_no=str(known["assessment_no"]),
            status=self._status(str(known["assessment_no"])),
            attempt_of_day=counted.count,
        )

    def confirm_assessment(
        self, assessment_no: str, signature_ref: str, request_id: str
    ) -> AssessmentReceipt:
        self._call(assessment_no, request_id)
        known = self._store.get("wm.assessment_no", assessment_no)
        if known is None:
            raise KeyError(f"unknown assessment {assessment_no}")  # our own bug: we just recorded it
        self._store.put_if_absent(
            "wm.confirmation",
            assessment_no,
            {"signature_ref": signature_ref, "confirmed_at": self._pacer.now().isoformat()},
        )
        attempt = self._attempts(str(known["id_number"]))[int(known["n"]) - 1]
        day = datetime.fromisoformat(attempt["assessed_at"]).astimezone(SHANGHAI).date()
        counted = self.count_attempts(str(known["id_number"]), day, request_id + ":count")
        return AssessmentReceipt(
            request_id=request_id,
            responded_at=self._pacer.now(),
            assessment_no=assessment_no,
            status="CONFIRMED",
            attempt_of_day=counted.count,
        )

    # --- products and orders ---------------------------------------------------------------------------

    def list_products(self, request_id: str) -> ProductShelf:
        self._call(request_id)
        return ProductShelf(
            request_id=request_id,
            responded_at=self._pacer.now(),
            shelf_version=fixtures.WM_SHELF_VERSION,
            products=SHELF,
        )

    def place_order(self, request: OrderRequest) -> OrderResult:
        self._call(request.channel_serial_no)
        fingerprint = _fingerprint(request)
        earlier = self._store.get("wm.order", request.channel_serial_no)
        if earlier is not None:
            if earlier["fingerprint"] != fingerprint:
                return self._order_answer(request.channel_serial_no, "DUPLICATE_SERIAL_MISMATCH")
            return _order_result(earlier)
        product = next((p for p in SHELF if p.code == request.product_code), None)
        if product is None:
            return self._order_answer(request.channel_serial_no, "PRODUCT_NOT_FOUND")
        if request.amount < product.min_amount:
            return self._order_answer(request.channel_serial_no, "BELOW_MINIMUM")
        serial, buyer = request.channel_serial_no, normalise_resident_id(request.id_number)
        with self._store.transaction() as tx:
            if (twin := tx.get("wm.order", serial)) is not None:  # a twin of this call committed first
                if twin["fingerprint"] != fingerprint:
                    return self._order_answer(serial, "DUPLICATE_SERIAL_MISMATCH")
                return _order_result(twin)
            if self._balances.holder(request.account_no, view=tx) != buyer:
                return self._order_answer(serial, "ACCOUNT_NOT_FOUND")
            if not self._balances.freeze(tx, request.account_no, request.amount, serial):
                return self._order_answer(serial, "INSUFFICIENT_FUNDS")
            value = self._new_order(request, product, fingerprint)
            tx.put_if_absent("wm.order", serial, value)
            tx.put_if_absent("wm.order_no", value["order_no"], {"serial": serial})
        return _order_result(value)

    def cancel_order(self, order_no: str, request_id: str) -> CancelResult:
        self._call(order_no, request_id)
        now = self._pacer.now()
        link = self._store.get("wm.order_no", order_no)
        order = self._store.get("wm.order", str(link["serial"])) if link else None
        if order is None:
            return CancelResult(
                request_id=request_id, responded_at=now, result="ORDER_NOT_FOUND", order_no=order_no
            )
        if self._store.get("wm.cancel", order_no) is not None:
            return CancelResult(
                request_id=request_id, responded_at=now, result="ALREADY_CANCELLED", order_no=order_no
            )
        ends = order.get("cooling_off_ends_at")
        if ends is None or now >= datetime.fromisoformat(ends):
            return CancelResult(
                request_id=request_id, responded_at=now, result="COOLING_OFF_ENDED", order_no=order_no
            )
        with self._store.transaction() as tx:
            if tx.put_if_absent("wm.cancel", order_no, {"cancelled_at": now.isoformat()}):
                self._balances.release(tx, str(order["serial"]))  # the full amount, always (§5.4)
        return CancelResult(
            request_id=request_id,
            responded_at=now,
            result="OK",
            order_no=order_no,
            refund_amount=Decimal(order["amount"]),
        )

    # --- helpers ---------------------------------------------------------------------------------------

    def _call(self, *key: object) -> None:
        if self.unavailable:
            self._pacer.fail_fast(WM_SALES)
        self._pacer.wait(WM_SALES, *key)

    def _today(self) -> date:
        return self._pacer.now().date()

    def _attempts(self, id_number: str) -> list[dict[str, Any]]:
        attempts = walk(self._store, "wm.assessment", id_number)
        for attempt in attempts:
            attempt["status"] = self._status(attempt["assessment_no"])
        return attempts

    def _status(self, assessment_no: str) -> AssessmentStatus:
        return "CONFIRMED" if self._store.get("wm.confirmation", assessment_no) else "SCORED"

    def _fixture_assessment(self, id_number: str) -> StoredAssessment | None:
        facts = fixtures.WM_ASSESSMENTS.get(id_number)
        if facts is None:
            return None
        day = self._today() - timedelta(days=int(facts["age_days"]))
        assessed = datetime.combine(day, _FIXTURE_TIME, tzinfo=SHANGHAI)
        return StoredAssessment(
            assessment_no="RA" + day.strftime("%Y%m%d") + stable_digits(8, "fixture", id_number),
            level=cast(WmRiskLevel, facts["level"]),
            score=int(facts["score"]),
            questionnaire_version=str(facts["version"]),
            caps_applied=(),
            assessed_at=assessed,
            expires_at=assessed + _VALIDITY,
            status="CONFIRMED",
        )

    def _new_order(self, request: OrderRequest, product: WealthProduct, fingerprint: str) -> dict[str, Any]:
        cooling = product.offering == "private"
        hours = max(product.cooling_off_hours, MIN_COOLING_OFF_HOURS) if cooling else 0
        return {
            "fingerprint": fingerprint,
            "serial": request.channel_serial_no,
            "order_no": "WO"
            + request.signed_at.strftime("%Y%m%d")
            + stable_digits(10, request.channel_serial_no),
            "id_number": request.id_number,
            "amount": str(request.amount),
            "status": "COOLING_OFF" if cooling else "ACCEPTED",
            "cooling_off_ends_at": (request.signed_at + timedelta(hours=hours)).isoformat()
            if cooling
            else None,
            "responded_at": self._pacer.now().isoformat(),
        }

    def _order_answer(self, serial: str, code: str) -> OrderResult:
        return OrderResult(request_id=serial, responded_at=self._pacer.now(), result=cast(Any, code))


def _stored(value: dict[str, Any]) -> StoredAssessment:
    return StoredAssessment(
        assessment_no=value["assessment_no"],
        level=value["level"],
        score=int(value["score"]),
        questionnaire_version=value["questionnaire_version"],
        caps_applied=tuple(value["caps_applied"]),
        assessed_at=datetime.fromisoformat(value["assessed_at"]),
        expires_at=datetime.fromisoformat(value["expires_at"]),
        status=value["status"],
    )


def _order_result(value: dict[str, Any]) -> OrderResult:
    ends = value.get("cooling_off_ends_at")
    return OrderResult(
        request_id=value["serial"],
        responded_at=datetime.fromisoformat(value["responded_at"]),
        result="OK",
        order_no=value["order_no"],
        status=value["status"],
        amount=Decimal(value["amount"]),
        cooling_off_ends_at=datetime.fromisoformat(ends) if ends else None,
    )


def _fingerprint(request: OrderRequest) -> str:
    payload = {k: str(v) for k, v in sorted(vars(request).items()) if k != "channel_serial_no"}
    return sm3(json.dumps(payload, ensure_ascii=False).encode()).hex()
