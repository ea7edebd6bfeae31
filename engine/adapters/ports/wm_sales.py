"""Port of the wealth-management sales / TA system (`wm_sales`, domain J3, §5): assessments, the shelf,
orders and their cooling-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Protocol

from engine.adapters.ports.common import Echo

WmRiskLevel = Literal["C1", "C2", "C3", "C4", "C5"]

ProductRiskLevel = Literal["R1", "R2", "R3", "R4", "R5"]

AssessmentStatus = Literal["SCORED", "CONFIRMED"]

Offering = Literal["public", "private"]

AssetClass = Literal["cash", "fixed_income", "mixed", "equity", "commodity_derivatives"]

Issuer = Literal["bank", "wm_company", "fund_agency"]

DocumentKind = Literal["product_description", "risk_disclosure", "sales_agreement", "investor_rights"]

OrderCode = Literal[
    "OK",
    "PRODUCT_NOT_FOUND",
    "BELOW_MINIMUM",
    "ACCOUNT_NOT_FOUND",
    "INSUFFICIENT_FUNDS",
    "DUPLICATE_SERIAL_MISMATCH",
]

OrderStatus = Literal["COOLING_OFF", "ACCEPTED", "CANCELLED"]

CancelCode = Literal["OK", "ORDER_NOT_FOUND", "COOLING_OFF_ENDED", "ALREADY_CANCELLED"]


@dataclass(frozen=True, kw_only=True)
class StoredAssessment:
    """One risk assessment as the wealth sales system keeps it (§5.6); `CONFIRMED` once signed."""

    assessment_no: str
    level: WmRiskLevel
    score: int
    questionnaire_version: str
    caps_applied: tuple[str, ...]
    assessed_at: datetime
    expires_at: datetime
    status: AssessmentStatus


@dataclass(frozen=True, kw_only=True)
class AssessmentLookup(Echo):
    """The customer's current (latest confirmed) assessment, or None when there is none."""

    assessment: StoredAssessment | None


@dataclass(frozen=True, kw_only=True)
class AssessmentRecord:
    """One scored attempt to keep (every attempt is kept, never overwritten: §5.4)."""

    request_id: str
    id_number: str
    questionnaire_version: str
    score: int
    level: WmRiskLevel
    caps_applied: tuple[str, ...]
    assessed_at: datetime
    expires_at: datetime
    record_digest: str  # SM3 of the full questionnaire record (answers, hashes, timings)
    branch_code: str
    operator_id: str


@dataclass(frozen=True, kw_only=True)
class AssessmentReceipt(Echo):
    assessment_no: str
    status: AssessmentStatus
    attempt_of_day: int  # 1-based count of this customer's attempts on the business date


@dataclass(frozen=True, kw_only=True)
class AttemptCount(Echo):
    business_date: date
    count: int
    levels: tuple[str, ...]  # the levels of those attempts, oldest first (a rising level is a flag)


@dataclass(frozen=True)
class ProductDocument:
    """A sales document the customer reads; `content_sm3` pins the exact version shown (§J3 evidence)."""

    kind: DocumentKind
    title: str
    version: str
    content_sm3: str


@dataclass(frozen=True)
class WealthProduct:
    code: str
    name: str
    risk_level: ProductRiskLevel
    offering: Offering
    asset_class: AssetClass
    issuer: Issuer
    min_amount: Decimal
    cooling_off_hours: int  # 0 for public products; ≥ 24 for private ones (§5.4)
    documents: tuple[ProductDocument, ...]


@dataclass(frozen=True, kw_only=True)
class ProductShelf(Echo):
    shelf_version: str
    products: tuple[WealthProduct, ...]


@dataclass(frozen=True, kw_only=True)
class OrderRequest:
    """A subscription; the funds are frozen (认购冻结) by the sales system when it accepts."""

    channel_serial_no: str
    id_number: str
    product_code: str
    amount: Decimal
    account_no: str
    assessment_no: str
    signed_at: datetime
    branch_code: str
    operator_id: str


@dataclass(frozen=True, kw_only=True)
class OrderResult(Echo):
    """`request_id` is the channel serial; order fields are set only when `result` is OK."""

    result: OrderCode
    order_no: str | None = None
    status: OrderStatus | None = None
    amount: Decimal | None = None
    cooling_off_ends_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class CancelResult(Echo):
    result: CancelCode
    order_no: str
    refund_amount: Decimal | None = None  # always the full amount inside the cooling-off period


class WealthSales(Protocol):
    """Wealth-management sales / TA system (`wm_sales`, §1.2, J3). Timeout 10 s [Sim].

    Reads are safe to retry. `record_assessment` is idempotent on `request_id` and keeps every attempt;
    `confirm_assessment` makes an attempt the customer's current assessment. `place_order` is
    idempotent on `channel_serial_no` like the core (same payload → original answer, different →
    DUPLICATE_SERIAL_MISMATCH); a private product's order stays COOLING_OFF until `cooling_off_ends_at`
    (signing + the product's hours, at least 24) and can be cancelled for a full refund until then.
    Raises `ExternalServiceError(UNAVAILABLE)` when the system is down: the journey suspends and never
    takes an order "offline".
    """

    def current_assessment(self, id_number: str, request_id: str) -> AssessmentLookup: ...

    def count_attempts(self, id_number: str, business_date: date, request_id: str) -> AttemptCount: ...

    def record_assessment(self, record: AssessmentRecord) -> AssessmentReceipt: ...

    def confirm_assessment(
        self, assessment_no: str, signature_ref: str, request_id: str
    ) -> AssessmentReceipt: ...

    def list_products(self, request_id: str) -> ProductShelf: ...

    def place_order(self, request: OrderRequest) -> OrderResult: ...

    def cancel_order(self, order_no: str, request_id: str) -> CancelResult: ...
