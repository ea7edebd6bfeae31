"""Sandbox core banking (§6.1, §12.3, §12.5, §13.5): CIF, account classes, card binding, unknown outcomes.

All state lives in the `SandboxStore`, written only by inserts, so concurrent workers cannot open two
accounts for one serial, bind one card twice or exceed a class limit. An opening (serial claim, CIF,
slot, binding, account, result) is one store transaction, so a crash leaves either all of it or none:
never a serial claimed for ever without its answer.
- `core.serial/<serial>` claims a channel serial (payload fingerprint); `core.result/<serial>` is its answer;
- `core.cif/<id>` the customer file; `core.slot/<id>:<class>:<n>` one account of a class (the n-th
  claimer is admitted only if fewer than the limit are active below it; a loser voids its own slot);
- `core.binding/<card_no>` a bound card; `core.account/<account_no>` the account; `core.fault/…` marks
  that a one-off injected fault of a serial has happened.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from engine.adapters.ports import (
    CardCheck,
    CifCode,
    CifLookup,
    CoreStatus,
    OpenAccountRequest,
    OpenAccountResult,
    OpenCode,
    result_record,
)
from engine.adapters.sandbox import fixtures
from engine.adapters.sandbox.core_balances import CoreBalances
from engine.adapters.sandbox.core_cards import CardStock
from engine.adapters.sandbox.store import SandboxStore, SandboxView, claim_next, walk
from engine.adapters.sandbox.timing import CORE, Pacer, stable_digits
from engine.errors import ExternalServiceError
from forms.formats import normalise_chinese_name, normalise_resident_id

CoreMode = Literal["normal", "commit_then_timeout", "timeout_no_commit", "processing"]
CORE_MODES: tuple[CoreMode, ...] = ("normal", "commit_then_timeout", "timeout_no_commit", "processing")
PROCESSING_S = 60.0
EOD_START, EOD_END = time(23, 0), time(23, 30)
CLASS_REJECTION: dict[str, OpenCode] = {
    "I": "CLASS_I_EXISTS",
    "II": "CLASS_II_LIMIT",
    "III": "CLASS_III_LIMIT",
}
DEFAULT_NON_COUNTER_LIMITS = {"per_transaction": "5000.00", "daily": "10000.00"}  # [Sim] product default


class SandboxCoreBanking:
    """`mode` (knob `core_mode`) applies once per serial, to its first attempt:
    `commit_then_timeout` commits then raises ExternalTimeout; `timeout_no_commit` raises without
    committing; `processing` commits, raises ExternalTimeout and reports PROCESSING for 60 s.
    Reads (lookup, card check, status) stay available during end of day; opening does not.
    """

    def __init__(
        self,
        pacer: Pacer,
        store: SandboxStore,
        *,
        mode: CoreMode = "normal",
        force_eod: bool = False,
        card_stock: CardStock | None = None,
    ) -> None:
        if mode not in CORE_MODES:
            raise ValueError(f"unknown core mode {mode!r}")
        self._pacer = pacer
        self._store = store
        self._mode = mode
        self._force_eod = force_eod
        self._cards = card_stock or CardStock()
        self.balances = CoreBalances(store)
        """The accounts' money (§13.5), shared with the sandbox wm_sales, which freezes against it."""

    def lookup_customer(self, id_number: str, name: str, request_id: str) -> CifLookup:
        self._pacer.inject_faults(CORE, request_id)
        self._pacer.wait(CORE, "lookup", id_number, request_id)
        number = normalise_resident_id(id_number)
        store = self._store
        cif = _cif(store, number)
        return CifLookup(
            request_id=request_id,
            responded_at=self._pacer.now(),
            result=_cif_code(store, number, normalise_chinese_name(name)),
            cif_no=cif["cif_no"] if cif else None,
            class_i_count=_held(store, number, "I"),
            class_ii_count=_held(store, number, "II"),
            class_iii_count=_held(store, number, "III"),
            restrictions=_restrictions(number),
        )

    def check_card(self, card_no: str, officer_id: str, request_id: str) -> CardCheck:
        self._pacer.inject_faults(CORE, request_id)
        self._pacer.wait(CORE, "card", card_no, officer_id, request_id)
        code = self._cards.check(card_no, officer_id, lambda card: _is_bound(self._store, card))
        return CardCheck(request_id=request_id, responded_at=self._pacer.now(), result=code, card_no=card_no)

    def open_account(self, request: OpenAccountRequest) -> OpenAccountResult:
        if request.account_class not in ("I", "II"):
            raise ValueError("field opening offers Class I or Class II only")
        serial, fingerprint = request.channel_serial_no, _fingerprint(request)
        waited = self._pacer.wait(CORE, "open", serial, fingerprint)
        now = self._pacer.now()
        if self._force_eod or EOD_START <= now.time() < EOD_END:
            raise ExternalServiceError("core end-of-day batch until 23:30", system="core", reason="CORE_EOD")
        if (claim := self._store.get("core.serial", serial)) is not None:
            return self._replay(claim, request, fingerprint, now)
        self._first_attempt_faults(serial, waited)
        rejection = self._precheck(request)
        if rejection is not None:
            if (claim := self._store.get("core.serial", serial)) is not None:
                return self._replay(claim, request, fingerprint, now)  # our own twin just committed
            return _answer(request, rejection, now)  # nothing changed, so nothing recorded
        claim = {"fingerprint": fingerprint, "claimed_at": now.isoformat()}
        with self._store.transaction() as store:
            claimed = store.put_if_absent("core.serial", serial, claim)
            result = self._commit(store, request, now) if claimed else None
        if result is None:  # a twin committed this serial first
            return self._replay(self._store.get("core.serial", serial) or {}, request, fingerprint, now)
        if result.result == "OK" and self._mode in ("commit_then_timeout", "processing"):
            self._pacer.time_out(CORE, waited_s=waited)  # committed; the answer never reaches the channel
        return result

    def query_status(self, channel_serial_no: str, request_id: str) -> CoreStatus:
        self._pacer.inject_faults(CORE, request_id)
        self._pacer.wait(CORE, "status", channel_serial_no, request_id)
        now = self._pacer.now()
        claimed = self._store.get("core.serial", channel_serial_no) is not None
        result = _visible_result(self._store, channel_serial_no, now)
        if not claimed:
            status: Literal["OPENED", "NOT_FOUND", "PROCESSING"] = "NOT_FOUND"
        elif result is None:
            status = "PROCESSING"
        else:
            status = "OPENED" if result.result == "OK" else "NOT_FOUND"
        return CoreStatus(request_id=request_id, responded_at=now, status=status, result=result)

    def _first_attempt_faults(self, serial: str, waited: float) -> None:
        if self._mode == "timeout_no_commit" and self._store.put_if_absent(
            "core.fault", f"{serial}:mode", {}
        ):
            self._pacer.time_out(CORE, waited_s=waited)
        fault = self._pacer.fault_due(CORE, serial)
        if fault and self._store.put_if_absent("core.fault", f"{serial}:chaos", {"fault": fault}):
            if fault == "error":
                self._pacer.fail_fast(CORE)
            self._pacer.time_out(CORE, waited_s=waited)

    def _replay(
        self, claim: dict[str, Any], request: OpenAccountRequest, fingerprint: str, now: datetime
    ) -> OpenAccountResult:
        if claim.get("fingerprint") != fingerprint:
            return _answer(request, "DUPLICATE_SERIAL_MISMATCH", now)
        original = _visible_result(self._store, request.channel_serial_no, now)
        if original is None:
            raise ExternalServiceError(
                "core: this serial is still being processed", system="core", reason="IN_PROGRESS"
            )
        return original

    def _precheck(self, request: OpenAccountRequest) -> OpenCode | None:
        number, store = normalise_resident_id(request.id_number), self._store
        cif_code = _cif_code(store, number, normalise_chinese_name(request.name))
        if cif_code != "OK":
            return cif_code
        if _held(store, number, request.account_class) >= fixtures.CLASS_LIMITS[request.account_class]:
            return CLASS_REJECTION[request.account_class]
        card = self._cards.check(request.card_no, request.operator_id, lambda c: _is_bound(store, c))
        return None if card == "OK" else card

    def _commit(self, store: SandboxView, request: OpenAccountRequest, now: datetime) -> OpenAccountResult:
        """Everything an opening books, inside the transaction that claimed its serial."""
        number, cls = normalise_resident_id(request.id_number), request.account_class
        name = normalise_chinese_name(request.name)
        cif_no = _cif_no(number)
        store.put_if_absent("core.cif", number, {"cif_no": cif_no, "name": name, "at": now.isoformat()})
        if _cif_code(store, number, name) != "OK":  # another name won the race to create the CIF
            return _settle(store, request, None, "CIF_CONFLICT", now)
        slot = claim_next(store, "core.slot", f"{number}:{cls}", {"serial": request.channel_serial_no})
        if _held(store, number, cls, below=slot) >= fixtures.CLASS_LIMITS[cls]:
            return _settle(store, request, slot, CLASS_REJECTION[cls], now)
        binding = {"serial": request.channel_serial_no, "id_number": number, "bound_at": now.isoformat()}
        if not store.put_if_absent("core.binding", request.card_no, binding):
            return _settle(store, request, slot, "CARD_ALREADY_BOUND", now)
        account_no = _create_account(store, request, cif_no, now)
        business_date = now.date() + timedelta(days=1) if now.time() >= EOD_END else now.date()
        core_serial = stable_digits(10, "core-serial", request.channel_serial_no)
        result = OpenAccountResult(
            request_id=request.channel_serial_no,
            responded_at=now,
            result="OK",
            cif_no=cif_no,
            account_no=account_no,
            card_no=request.card_no,
            core_serial_no=f"CB{business_date:%Y%m%d}{core_serial}",
            business_date=business_date,
        )
        delay = PROCESSING_S if self._mode == "processing" else 0.0
        _record(store, result, now + timedelta(seconds=delay))
        return result


def _settle(
    store: SandboxView, request: OpenAccountRequest, slot: int | None, code: OpenCode, now: datetime
) -> OpenAccountResult:
    """A concurrent opening won a resource after our serial was claimed: answer and remember it."""
    number = normalise_resident_id(request.id_number)
    if slot is not None:
        key = f"{number}:{request.account_class}:{slot}"
        store.put("core.slot", key, {"serial": request.channel_serial_no, "void": True})
    result = _answer(request, code, now)
    _record(store, result, now)
    return result


def _create_account(store: SandboxView, request: OpenAccountRequest, cif_no: str, now: datetime) -> str:
    branch = "".join(c for c in request.branch_code if c.isdigit())[:6].ljust(6, "0")
    record = {
        **asdict(request),
        "cif_no": cif_no,
        "status": "ACTIVE",
        "card_status": "ACTIVE",
        "non_counter_limits": DEFAULT_NON_COUNTER_LIMITS,
        "opened_at": now.isoformat(),
    }
    salt = 0
    while True:
        account_no = branch + ("1" if request.account_class == "I" else "2")
        account_no += stable_digits(12, "account", request.channel_serial_no, salt)
        if store.put_if_absent("core.account", account_no, {**record, "account_no": account_no}):
            return account_no
        salt += 1


def _record(store: SandboxView, result: OpenAccountResult, visible_at: datetime) -> None:
    value = {"result": result_record(result), "visible_at": visible_at.isoformat()}
    store.put_if_absent("core.result", result.request_id, value)


def _visible_result(store: SandboxView, serial: str, now: datetime) -> OpenAccountResult | None:
    stored = store.get("core.result", serial)
    if stored is None or now < datetime.fromisoformat(stored["visible_at"]):
        return None
    return _decode_result(stored["result"])


def _cif(store: SandboxView, number: str) -> dict[str, Any] | None:
    stored = store.get("core.cif", number)
    if stored is None and fixtures.sequence_code(number) in fixtures.CORE_CUSTOMERS:
        return {"cif_no": _cif_no(number), "name": fixtures.FIXTURE_PERSONS.get(number, "")}
    return stored


def _cif_code(store: SandboxView, number: str, name: str) -> CifCode:
    if _restrictions(number):
        return "CUSTOMER_RESTRICTED"
    cif = _cif(store, number)
    return "CIF_CONFLICT" if cif and cif["name"] and cif["name"] != name else "OK"


def _held(store: SandboxView, number: str, cls: str, *, below: int | None = None) -> int:
    """Accounts of a class the person holds: fixture accounts plus live slots (below slot `below`)."""
    fixture = fixtures.CORE_CUSTOMERS.get(fixtures.sequence_code(number), {})
    slots = walk(store, "core.slot", f"{number}:{cls}")
    if below is not None:
        slots = slots[: below - 1]
    return int(fixture.get(f"class_{cls.lower()}", 0)) + sum(1 for s in slots if not s.get("void"))


def _is_bound(store: SandboxView, card_no: str) -> bool:
    return store.get("core.binding", card_no) is not None


def _restrictions(number: str) -> tuple[str, ...]:
    return tuple(fixtures.CORE_CUSTOMERS.get(fixtures.sequence_code(number), {}).get("restrictions", ()))


def _cif_no(number: str) -> str:
    """Stable per person; fixture customers get C0000000<seq>, others C1 + 9 hash digits."""
    if fixtures.sequence_code(number) in fixtures.CORE_CUSTOMERS:
        return "C0000000" + fixtures.sequence_code(number)
    return "C1" + stable_digits(9, "cif", number)


def _fingerprint(request: OpenAccountRequest) -> str:
    payload = {k: v for k, v in asdict(request).items() if k != "channel_serial_no"}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _answer(request: OpenAccountRequest, code: OpenCode, now: datetime) -> OpenAccountResult:
    return OpenAccountResult(request_id=request.channel_serial_no, responded_at=now, result=code)


def _decode_result(data: dict[str, Any]) -> OpenAccountResult:
    business_date = data.get("business_date")
    return OpenAccountResult(
        request_id=data["request_id"],
        responded_at=datetime.fromisoformat(data["responded_at"]),
        result=data["result"],
        cif_no=data.get("cif_no"),
        account_no=data.get("account_no"),
        card_no=data.get("card_no"),
        core_serial_no=data.get("core_serial_no"),
        business_date=date.fromisoformat(business_date) if business_date else None,
    )
