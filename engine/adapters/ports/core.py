"""Port of core banking (domain §1.2, J1): customer lookup, card stock check, account opening and the
status query an unknown outcome needs (§12.5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from engine.adapters.ports.common import Echo

CifCode = Literal["OK", "CIF_CONFLICT", "CUSTOMER_RESTRICTED"]

CardCode = Literal["OK", "CARD_NOT_IN_STOCK", "CARD_ALREADY_BOUND", "CARD_DAMAGED"]

AccountClass = Literal["I", "II"]

OpenCode = Literal[
    "OK",
    "CLASS_I_EXISTS",
    "CLASS_II_LIMIT",
    "CLASS_III_LIMIT",
    "CIF_CONFLICT",
    "CUSTOMER_RESTRICTED",
    "CARD_NOT_IN_STOCK",
    "CARD_ALREADY_BOUND",
    "CARD_DAMAGED",
    "DUPLICATE_SERIAL_MISMATCH",
]

CoreStatusCode = Literal["OPENED", "NOT_FOUND", "PROCESSING"]


@dataclass(frozen=True, kw_only=True)
class CifLookup(Echo):
    result: CifCode
    cif_no: str | None
    class_i_count: int = 0
    class_ii_count: int = 0
    class_iii_count: int = 0
    restrictions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CardCheck(Echo):
    result: CardCode
    card_no: str


@dataclass(frozen=True, kw_only=True)
class OpenAccountRequest:
    """One core bundle: CIF create/update, account, card binding, default limits, card activation."""

    channel_serial_no: str
    id_number: str
    name: str
    mobile: str
    account_class: AccountClass
    product_code: str
    card_no: str
    branch_code: str
    operator_id: str


@dataclass(frozen=True, kw_only=True)
class OpenAccountResult(Echo):
    """`request_id` is the `channel_serial_no`; the other fields are set only when `result` is OK."""

    result: OpenCode
    cif_no: str | None = None
    account_no: str | None = None
    card_no: str | None = None
    core_serial_no: str | None = None
    business_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class CoreStatus(Echo):
    status: CoreStatusCode
    result: OpenAccountResult | None = None


class CoreBanking(Protocol):
    """Core banking + card management (§6.1, §6.6, §12.5). Reads time out after 30 s like writes.

    `open_account` is idempotent on `channel_serial_no`: same serial + same payload → the original
    response; same serial + different payload → DUPLICATE_SERIAL_MISMATCH. Business rejections are not
    recorded against the serial. On `ExternalTimeout` never retry blindly: `query_status` first and
    retry with the same serial only on NOT_FOUND. Raises `ExternalServiceError(CORE_EOD)` during the
    end-of-day window and `ExternalServiceError(IN_PROGRESS)` while the same serial is still running.
    """

    def lookup_customer(self, id_number: str, name: str, request_id: str) -> CifLookup: ...

    def check_card(self, card_no: str, officer_id: str, request_id: str) -> CardCheck: ...

    def open_account(self, request: OpenAccountRequest) -> OpenAccountResult: ...

    def query_status(self, channel_serial_no: str, request_id: str) -> CoreStatus: ...
