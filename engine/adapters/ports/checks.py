"""Ports of the pre-checks (domain §2.4–§2.6): citizen-ID check, face compare, watch-list, telco
real-name, and the SMS gateway."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from engine.adapters.ports.common import Echo

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
