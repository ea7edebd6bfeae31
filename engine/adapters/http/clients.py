"""HTTP clients of the external-system ports: the same signatures and results as the sandbox.

Each takes an `httpx.Client` whose base URL (and TLS, proxies, credentials) the composition root
chooses, so tests can hand in `httpx.MockTransport`. The JSON bodies built here are the wire spec in
README.md; business outcomes arrive as 200 answers carrying the result code, like the sandbox's.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import httpx

from engine.adapters.http import wire
from engine.adapters.http.wire import DEFAULT_TIMEOUTS_S, JsonEndpoint, SmsAccepted
from engine.adapters.ports import (
    ActivationResult,
    CardApplication,
    CardCheck,
    CardHoldings,
    CardStatus,
    CardSubmission,
    CifLookup,
    CoreStatus,
    FaceResult,
    IdentityResult,
    MobileScreenResult,
    OpenAccountRequest,
    OpenAccountResult,
    TelcoResult,
    WatchListResult,
    result_record,
)
from engine.errors import ExternalServiceError


class HttpIdentityCheck:
    """联网核查 over HTTP; timeout 10 s by default (§12.1)."""

    def __init__(self, client: httpx.Client, *, timeout_s: float = DEFAULT_TIMEOUTS_S["identity"]) -> None:
        self._endpoint = JsonEndpoint(client, "identity", timeout_s)

    def verify(self, name: str, id_number: str, request_id: str) -> IdentityResult:
        body = {"request_id": request_id, "name": name, "id_number": id_number}
        return self._endpoint.call(wire.IDENTITY_VERIFY, body, IdentityResult, idempotency_key=request_id)


class HttpFaceCompare:
    """Server-side face comparison over HTTP; timeout 8 s by default. Only the capture's digest
    travels here: the image itself is uploaded as evidence, not sent to this call."""

    def __init__(self, client: httpx.Client, *, timeout_s: float = DEFAULT_TIMEOUTS_S["face"]) -> None:
        self._endpoint = JsonEndpoint(client, "face", timeout_s)

    def compare(
        self,
        id_number: str,
        live_image_digest: str,
        has_registry_photo: bool,
        attempt: int,
        simulated_camera: str | None,
        request_id: str,
    ) -> FaceResult:
        body = {
            "request_id": request_id,
            "id_number": id_number,
            "live_image_digest": live_image_digest,
            "has_registry_photo": has_registry_photo,
            "attempt": attempt,
            "simulated_camera": simulated_camera,
        }
        return self._endpoint.call(wire.FACE_COMPARE, body, FaceResult, idempotency_key=request_id)


class HttpWatchList:
    """Watch-list screening over HTTP; timeout 3 s by default. Any error must suspend the journey."""

    def __init__(self, client: httpx.Client, *, timeout_s: float = DEFAULT_TIMEOUTS_S["watchlist"]) -> None:
        self._endpoint = JsonEndpoint(client, "watchlist", timeout_s)

    def screen_person(
        self, name: str, id_number: str, birth_date: date | None, request_id: str
    ) -> WatchListResult:
        body = {
            "request_id": request_id,
            "name": name,
            "id_number": id_number,
            "birth_date": birth_date.isoformat() if birth_date else None,
        }
        return self._endpoint.call(
            wire.WATCHLIST_SCREEN_PERSON, body, WatchListResult, idempotency_key=request_id
        )

    def screen_mobile(self, mobile: str, request_id: str) -> MobileScreenResult:
        body = {"request_id": request_id, "mobile": mobile}
        return self._endpoint.call(
            wire.WATCHLIST_SCREEN_MOBILE, body, MobileScreenResult, idempotency_key=request_id
        )


class HttpTelcoRealName:
    """Mobile three-element check over HTTP; timeout 8 s by default."""

    def __init__(self, client: httpx.Client, *, timeout_s: float = DEFAULT_TIMEOUTS_S["telco"]) -> None:
        self._endpoint = JsonEndpoint(client, "telco", timeout_s)

    def verify(self, name: str, id_number: str, mobile: str, request_id: str) -> TelcoResult:
        body = {"request_id": request_id, "name": name, "id_number": id_number, "mobile": mobile}
        return self._endpoint.call(wire.TELCO_VERIFY, body, TelcoResult, idempotency_key=request_id)


class HttpSmsGateway:
    """SMS submit over HTTP; the gateway deduplicates on `Idempotency-Key`, so a retry never sends twice."""

    def __init__(self, client: httpx.Client, *, timeout_s: float = DEFAULT_TIMEOUTS_S["sms"]) -> None:
        self._endpoint = JsonEndpoint(client, "sms", timeout_s)

    def send(self, mobile: str, text: str, request_id: str) -> None:
        body = {"request_id": request_id, "mobile": mobile, "text": text}
        self._endpoint.call(wire.SMS_SEND, body, SmsAccepted, idempotency_key=request_id)


class HttpCoreBanking:
    """Core banking over HTTP; timeout 30 s by default. Opening is keyed by `channel_serial_no`: a lost
    answer raises `ExternalTimeout` so the caller queries the status before retrying (§12.5)."""

    def __init__(self, client: httpx.Client, *, timeout_s: float = DEFAULT_TIMEOUTS_S["core"]) -> None:
        self._endpoint = JsonEndpoint(client, "core", timeout_s)

    def lookup_customer(self, id_number: str, name: str, request_id: str) -> CifLookup:
        body = {"request_id": request_id, "id_number": id_number, "name": name}
        return self._endpoint.call(wire.CORE_LOOKUP_CUSTOMER, body, CifLookup, idempotency_key=request_id)

    def check_card(self, card_no: str, officer_id: str, request_id: str) -> CardCheck:
        body = {"request_id": request_id, "card_no": card_no, "officer_id": officer_id}
        return self._endpoint.call(wire.CORE_CHECK_CARD, body, CardCheck, idempotency_key=request_id)

    def open_account(self, request: OpenAccountRequest) -> OpenAccountResult:
        return self._endpoint.call(
            wire.CORE_OPEN_ACCOUNT,
            asdict(request),
            OpenAccountResult,
            idempotency_key=request.channel_serial_no,
            changes_state=True,
        )

    def query_status(self, channel_serial_no: str, request_id: str) -> CoreStatus:
        body = {"request_id": request_id, "channel_serial_no": channel_serial_no}
        status = self._endpoint.call(wire.CORE_QUERY_STATUS, body, CoreStatus, idempotency_key=request_id)
        if status.result is not None and status.result.request_id != channel_serial_no:
            raise ExternalServiceError(
                "core: the status answer is for another serial", system="core", reason="BAD_RESPONSE"
            )
        return status


class HttpCardCentre:
    """Credit-card centre over HTTP; timeout 10 s by default. The submissions and activation change
    state: a lost answer raises `ExternalTimeout`, and a retry with the same request id is safe (the
    centre answers it with the original application number or activation)."""

    def __init__(self, client: httpx.Client, *, timeout_s: float = DEFAULT_TIMEOUTS_S["card_centre"]) -> None:
        self._endpoint = JsonEndpoint(client, "card_centre", timeout_s)

    def holdings(self, id_number: str, request_id: str) -> CardHoldings:
        body = {"request_id": request_id, "id_number": id_number}
        return self._endpoint.call(wire.CARD_HOLDINGS, body, CardHoldings, idempotency_key=request_id)

    def submit(self, application: CardApplication) -> CardSubmission:
        return self._endpoint.call(
            wire.CARD_SUBMIT,
            result_record(application),
            CardSubmission,
            idempotency_key=application.request_id,
            changes_state=True,
        )

    def submit_documents(
        self, application_no: str, documents: tuple[str, ...], request_id: str
    ) -> CardSubmission:
        body = {"request_id": request_id, "application_no": application_no, "documents": list(documents)}
        return self._endpoint.call(
            wire.CARD_SUBMIT_DOCUMENTS, body, CardSubmission, idempotency_key=request_id, changes_state=True
        )

    def card_status(self, application_no: str, request_id: str) -> CardStatus:
        body = {"request_id": request_id, "application_no": application_no}
        return self._endpoint.call(wire.CARD_STATUS, body, CardStatus, idempotency_key=request_id)

    def activate(
        self,
        application_no: str,
        id_number: str,
        otp_verified: bool,
        face_verified: bool,
        pin_block: str,
        request_id: str,
    ) -> ActivationResult:
        body = {
            "request_id": request_id,
            "application_no": application_no,
            "id_number": id_number,
            "otp_verified": otp_verified,
            "face_verified": face_verified,
            "pin_block": pin_block,  # encrypted at the PIN pad; bodies are never logged anyway
        }
        return self._endpoint.call(
            wire.CARD_ACTIVATE, body, ActivationResult, idempotency_key=request_id, changes_state=True
        )
