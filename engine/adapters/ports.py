"""Ports to the bank's external systems (domain.md §1.2): what the engine may rely on, nothing more.

Common contract of every port:
- Every call carries a `request_id`, the idempotency key the caller derives from instance + task; every
  result echoes it with `responded_at` (aware, Asia/Shanghai) so the evidence trail can show both.
- Business outcomes are *returned* as result codes. Technical failures *raise*: `ExternalTimeout` when
  the client timeout (§12.1) elapsed, `ExternalServiceError(reason=...)` otherwise (`UNAVAILABLE`,
  `FREQUENCY_LIMIT`, `CORE_EOD`, `IN_PROGRESS`). A timeout of a state-changing call means "unknown":
  query the status first (§12.5).
- Durations are seconds; all results are frozen and JSON-friendly via `result_record`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

IdentityCode = Literal[
    "MATCH_WITH_PHOTO", "MATCH_NO_PHOTO", "NAME_MISMATCH", "NOT_FOUND", "ID_CARD_INVALIDATED"
]
FaceCode = Literal["PASS", "GRAY", "FAIL", "LIVENESS_FAIL"]
FaceReference = Literal["registry", "chip"]
PersonScreenCode = Literal[
    "CLEAR", "BLOCK_DISCIPLINE", "BLOCK_SANCTIONS", "REVIEW_AML", "BLOCK_INTERNAL", "REVIEW_ENHANCED"
]
MobileScreenCode = Literal["CLEAR", "REVIEW_MOBILE", "BLOCK_MOBILE"]
TelcoCode = Literal["MATCH", "MISMATCH", "NO_RECORD"]
Operator = Literal["cmcc", "cucc", "ctcc", "cbn"]
LineStatus = Literal["normal", "suspended", "cancelled", "not_activated"]
TenureBucket = Literal["[0,3)", "[3,6)", "[6,12)", "[12,24)", "[24,inf)"]
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
class Echo:
    """What every answer carries for the evidence trail."""

    request_id: str
    responded_at: datetime


@dataclass(frozen=True, kw_only=True)
class IdentityResult(Echo):
    result: IdentityCode
    registry_photo_ref: str | None = None
    wording: str = ""  # the registry's Chinese wording, as staff are used to seeing it (§2.4)


@dataclass(frozen=True, kw_only=True)
class FaceResult(Echo):
    result: FaceCode
    score: float | None  # None when liveness failed and no comparison ran
    attempt: int
    engine_version: str
    reference: FaceReference
    threshold_pass: float = 80.0
    threshold_gray: float = 65.0


@dataclass(frozen=True)
class WatchListHit:
    """One list entry that matched; for the AML officer only, never shown to the customer (no tipping off)."""

    list_code: str
    entry_ref: str
    match_type: Literal["exact_id", "fuzzy_name", "exact_mobile"]
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class WatchListResult(Echo):
    result: PersonScreenCode
    list_version: str
    hits: tuple[WatchListHit, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MobileScreenResult(Echo):
    result: MobileScreenCode
    list_version: str
    hits: tuple[WatchListHit, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TelcoResult(Echo):
    result: TelcoCode
    operator: Operator | None
    ported: bool = False
    status: LineStatus | None = None
    tenure_bucket: TenureBucket | None = None
    mvno: bool = False


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    text: str
    sent_at: datetime
    request_id: str = ""


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


class IdentityCheck(Protocol):
    """联网核查 (§2.4 A). Read-only, safe to retry once after 2 s. Client timeout 10 s → `ExternalTimeout`;
    outage or maintenance → `ExternalServiceError(UNAVAILABLE)`; rate limit → `FREQUENCY_LIMIT`."""

    def verify(self, name: str, id_number: str, request_id: str) -> IdentityResult: ...


class FaceCompare(Protocol):
    """Server-side face comparison of a live capture (§2.4 B) against the registry photo, or the chip
    photo when `has_registry_photo` is false. Read-only; timeout 8 s. `attempt` is 1-based (max 3 per
    journey, enforced by the caller). `simulated_camera` is honoured by non-production engines only."""

    def compare(
        self,
        id_number: str,
        live_image_digest: str,
        has_registry_photo: bool,
        attempt: int,
        simulated_camera: str | None,
        request_id: str,
    ) -> FaceResult: ...


class WatchList(Protocol):
    """Watch-list screening (§2.5): exact ID, exact + fuzzy name with DOB, exact mobile. Read-only;
    timeout 3 s. An error must suspend the journey: never continue unscreened."""

    def screen_person(
        self, name: str, id_number: str, birth_date: date | None, request_id: str
    ) -> WatchListResult: ...

    def screen_mobile(self, mobile: str, request_id: str) -> MobileScreenResult: ...


class TelcoRealName(Protocol):
    """Mobile three-element check (§2.6): name + ID + mobile. Read-only; timeout 8 s. The operator is
    the carrier of record (never inferred from the prefix: number portability)."""

    def verify(self, name: str, id_number: str, mobile: str, request_id: str) -> TelcoResult: ...


class SmsGateway(Protocol):
    """Submit one SMS. At most once per `request_id` (a retried submit does not send twice)."""

    def send(self, mobile: str, text: str, request_id: str) -> None: ...


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


CardDecisionCode = Literal["APPROVED", "DECLINED", "PENDING_DOCS", "REFERRED"]
CardDelivery = Literal["RESIDENTIAL", "WORK", "BRANCH"]
CardState = Literal["NOT_ISSUED", "PRODUCED", "MAILED", "DELIVERED", "RETURNED", "AT_BRANCH", "ACTIVE"]
ActivationCode = Literal[
    "ACTIVATED",
    "UNKNOWN_APPLICATION",
    "IDENTITY_MISMATCH",
    "IDENTITY_NOT_VERIFIED",
    "NOT_ISSUED",
    "NOT_DELIVERED",
    "ALREADY_ACTIVE",
]


@dataclass(frozen=True)
class SupplementaryHolder:
    """The holder of a supplementary card applied for with the main card (§J2 "card", §7.2-7.3): present,
    identified from their own ID card and screened in their own name, signing themselves. The only person
    besides the applicant a card may be applied for (§7.2: "except supplementary cards")."""

    id_number: str
    name: str
    relation: str
    """To the applicant: `SPOUSE` / `PARENT` / `CHILD` / `SIBLING`."""
    identity_result: str
    """Their 联网核查 result (`MATCH_WITH_PHOTO` / `MATCH_NO_PHOTO`)."""
    watchlist_result: str
    """Their watch-list result (`CLEAR`, or a `REVIEW_*` the centre weighs)."""
    signature_ref: str
    """Their own handwritten signature (attachment id) on the application's supplementary section."""


@dataclass(frozen=True)
class CardApplication:
    """What the tablet submits to the card centre (J2 step 8): the applicant's identity, the facts its
    rules read, and when the credit-report authorization was signed (the bureau query must be later)."""

    request_id: str
    id_number: str
    name: str
    product_code: str
    annual_income: int
    income_proofs: tuple[str, ...]
    credit_auth_signed_at: datetime | None
    flags: tuple[str, ...] = ()
    """Check outcomes the card centre must weigh (a `REVIEW` result is submitted with a flag, §J2)."""
    delivery: CardDelivery = "RESIDENTIAL"
    """Where the card goes (§7.4): one of the applicant's declared addresses or branch pickup, never a
    free address, so a card cannot be diverted."""
    supplementary_holder: SupplementaryHolder | None = None
    """The supplementary card's holder, when one is applied for and was identified; None otherwise."""


@dataclass(frozen=True, kw_only=True)
class CardHoldings(Echo):
    """What the card centre knows of one person (J2 step 1): the products held (approved, issued or
    active) and the products with an application still open (being decided, 补件, manual review)."""

    held_products: tuple[str, ...] = ()
    in_progress_products: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CardSubmission(Echo):
    application_no: str
    status: Literal["RECEIVED"]


@dataclass(frozen=True)
class CardDecision:
    """The card centre's answer, delivered later as the `card_decision` message."""

    application_no: str
    decision: CardDecisionCode
    reason: str | None = None
    credit_limit: int | None = None
    bureau_queried_at: datetime | None = None
    documents_due: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CardStatus(Echo):
    """The card of an application after the decision (J2 steps 11-12, §7.4). `usable` and `fees_from`
    stay false / None until activation: no fees on a card the customer has not activated."""

    application_no: str
    state: CardState
    delivery: CardDelivery
    since: datetime | None = None  # when the current state began; None while NOT_ISSUED
    usable: bool = False
    fees_from: date | None = None  # the annual fee counts from the activation day


@dataclass(frozen=True, kw_only=True)
class ActivationResult(Echo):
    application_no: str
    result: ActivationCode
    activated_at: datetime | None = None


class CardCentre(Protocol):
    """Credit-card centre (`credit_card_sys`, §J2 steps 1 and 8-12).

    - `holdings` (read-only) tells which products an ID number holds and which it has applications open
      for: the eligibility pre-check asks it instead of trusting a declaration.
    - `submit` is idempotent on the request id and answers at once with an application number; the
      decision comes later, asynchronously, as a message. The centre de-duplicates: a second application
      for a product the person holds or has open is numbered and then `DECLINED`.
    - `submit_documents` is the 补件 upload for an application in `PENDING_DOCS`.
    - `card_status` follows an approved application's card: production, mailing to the declared address
      or branch pickup, delivery or return to the branch, activation.
    - `activate` (idempotent on the request id) needs the applicant's ID number and a verified identity
      (OTP or face), takes the PIN as an encrypted PIN block, and refuses a card not delivered yet.

    Raises `ExternalServiceError(AUTH_MISSING)` for an application without a signed credit-report
    authorization (the bureau may not be queried without one, §13.6) and
    `ExternalServiceError(UNKNOWN_APPLICATION)` for documents or a status of an unknown application."""

    def holdings(self, id_number: str, request_id: str) -> CardHoldings: ...

    def submit(self, application: CardApplication) -> CardSubmission: ...

    def submit_documents(
        self, application_no: str, documents: tuple[str, ...], request_id: str
    ) -> CardSubmission: ...

    def card_status(self, application_no: str, request_id: str) -> CardStatus: ...

    def activate(
        self,
        application_no: str,
        id_number: str,
        otp_verified: bool,
        face_verified: bool,
        pin_block: str,
        request_id: str,
    ) -> ActivationResult: ...


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


def result_record(result: Any) -> dict[str, Any]:
    """A JSON-ready dict of any result dataclass, for workflow data and the evidence package."""
    return _plain(dataclasses.asdict(result))


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal):  # money travels as a string with its 2 decimals (§0)
        return str(value)
    return value
