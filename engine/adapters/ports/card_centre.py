"""Port of the credit-card centre (domain J2, §7.4): applications, decisions, card status and activation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from engine.adapters.ports.common import Echo

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
