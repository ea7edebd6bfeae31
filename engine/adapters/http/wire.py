"""The wire conventions every HTTP adapter shares (README.md in this folder is the spec).

JSON over POST; `Idempotency-Key` carries the port's `request_id` (so a gateway can deduplicate
retries) and `X-Request-Id` a fresh id per HTTP attempt (to find one attempt in gateway logs). Every
library exception and every non-2xx answer becomes an `engine.errors` error here, so nothing above
this module ever sees httpx. Bodies are never logged: they carry ID and mobile numbers.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, TypeVar

import httpx

from engine.adapters.http.codec import PayloadError, decode
from engine.errors import ExternalServiceError, ExternalTimeout

log = logging.getLogger("fieldbank.adapters.http")
T = TypeVar("T")

IDENTITY_VERIFY = "/v1/identity/verify"
FACE_COMPARE = "/v1/face/compare"
WATCHLIST_SCREEN_PERSON = "/v1/watchlist/screen-person"
WATCHLIST_SCREEN_MOBILE = "/v1/watchlist/screen-mobile"
TELCO_VERIFY = "/v1/telco/verify"
SMS_SEND = "/v1/sms/send"
CORE_LOOKUP_CUSTOMER = "/v1/core/lookup-customer"
CORE_CHECK_CARD = "/v1/core/check-card"
CORE_OPEN_ACCOUNT = "/v1/core/open-account"
CORE_QUERY_STATUS = "/v1/core/query-status"
CARD_HOLDINGS = "/v1/credit-card/holdings"
CARD_SUBMIT = "/v1/credit-card/submit"
CARD_SUBMIT_DOCUMENTS = "/v1/credit-card/submit-documents"
CARD_STATUS = "/v1/credit-card/card-status"
CARD_ACTIVATE = "/v1/credit-card/activate"

SYSTEMS = ("identity", "face", "watchlist", "telco", "sms", "core", "card_centre")
# §12.1 client timeouts [Sim]; SMS submit and the card centre have none in §12.1, 10 s is ours (the
# centre answers at once and decides later, so nothing slow happens within the call).
DEFAULT_TIMEOUTS_S: Mapping[str, float] = {
    "identity": 10.0,
    "face": 8.0,
    "watchlist": 3.0,
    "telco": 8.0,
    "sms": 10.0,
    "core": 30.0,
    "card_centre": 10.0,
}

# `{"error": CODE}` bodies the client understands; any other code falls back to the HTTP status.
# AUTH_MISSING (no signed credit-report authorization) and UNKNOWN_APPLICATION are the card centre's.
SERVICE_ERRORS = frozenset(
    {"UNAVAILABLE", "FREQUENCY_LIMIT", "CORE_EOD", "IN_PROGRESS", "AUTH_MISSING", "UNKNOWN_APPLICATION"}
)
TIMEOUT_ERROR = "TIMEOUT"
BAD_REQUEST_ERROR = "BAD_REQUEST"
KNOWN_ERRORS = SERVICE_ERRORS | {TIMEOUT_ERROR, BAD_REQUEST_ERROR}
ERROR_STATUS: Mapping[str, int] = {
    "FREQUENCY_LIMIT": 429,
    "IN_PROGRESS": 409,
    TIMEOUT_ERROR: 504,
    BAD_REQUEST_ERROR: 400,
    "AUTH_MISSING": 422,  # refused, nothing recorded: not an outage
    "UNKNOWN_APPLICATION": 422,
}  # every other error code is a 503


@dataclass(frozen=True, kw_only=True)
class SmsAccepted:
    """The gateway's receipt for one submitted SMS (wire only; the port returns None)."""

    request_id: str
    status: Literal["ACCEPTED"]


def new_trace_id() -> str:
    return uuid.uuid4().hex


class JsonEndpoint:
    """One external system behind one `httpx.Client` (base URL, TLS and pooling are the caller's).

    `changes_state` marks calls whose outcome is unknown when the answer is lost (core opening): then
    a broken connection after sending, or a 5xx other than 503, raises `ExternalTimeout` so the caller
    queries the status by serial before anything else (§12.5). For read-only calls those are
    `UNAVAILABLE`, which the engine retries.
    """

    def __init__(
        self,
        client: httpx.Client,
        system: str,
        timeout_s: float,
        *,
        trace_id: Callable[[], str] = new_trace_id,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError(f"{system}: the timeout must be positive")
        self.client = client
        self.system = system
        self.timeout_s = timeout_s
        self._trace_id = trace_id

    def call(
        self,
        path: str,
        body: Mapping[str, Any],
        result_type: type[T],
        *,
        idempotency_key: str,
        changes_state: bool = False,
    ) -> T:
        """POST `body`, return the 2xx answer as `result_type`, whose `request_id` must echo the key."""
        trace = self._trace_id()
        started = time.monotonic()
        response = self._post(path, body, idempotency_key, trace, changes_state)
        elapsed_ms = (time.monotonic() - started) * 1000
        log.debug(
            "%s %s → %s in %.0f ms (trace %s)", self.system, path, response.status_code, elapsed_ms, trace
        )
        if not response.is_success:
            self._raise_for(response, path, trace, changes_state)
        result = self._decode(response, result_type, path, trace)
        if getattr(result, "request_id", idempotency_key) != idempotency_key:
            self._bad_response(path, trace, "the answer is for another request id")
        return result

    def _post(
        self, path: str, body: Mapping[str, Any], key: str, trace: str, changes_state: bool
    ) -> httpx.Response:
        headers = {"Idempotency-Key": key, "X-Request-Id": trace, "Accept": "application/json"}
        try:
            return self.client.post(path, json=dict(body), headers=headers, timeout=self.timeout_s)
        except httpx.TimeoutException as exc:
            log.warning("%s %s: no answer within %g s (trace %s)", self.system, path, self.timeout_s, trace)
            raise ExternalTimeout(
                f"{self.system}: no answer within {self.timeout_s:g} s", system=self.system
            ) from exc
        except httpx.ConnectError as exc:  # never reached the endpoint: nothing happened there
            self._unavailable(path, trace, "cannot connect", exc)
        except httpx.TransportError as exc:
            if changes_state:  # the request may have arrived: outcome unknown
                log.warning("%s %s: connection lost, outcome unknown (trace %s)", self.system, path, trace)
                raise ExternalTimeout(
                    f"{self.system}: connection lost, outcome unknown", system=self.system
                ) from exc
            self._unavailable(path, trace, "connection lost", exc)
        except httpx.HTTPError as exc:
            self._unavailable(path, trace, type(exc).__name__, exc)

    def _raise_for(self, response: httpx.Response, path: str, trace: str, changes_state: bool) -> NoReturn:
        status, code = response.status_code, _error_code(response)
        log.warning("%s %s: HTTP %s %s (trace %s)", self.system, path, status, code or "", trace)
        where = f"{self.system}: HTTP {status}" + (f" {code}" if code else "")
        if status == 504 or code == TIMEOUT_ERROR:
            raise ExternalTimeout(f"{where}, outcome unknown", system=self.system)
        if code in SERVICE_ERRORS:
            raise ExternalServiceError(where, system=self.system, reason=code)
        if status == 429:
            raise ExternalServiceError(where, system=self.system, reason="FREQUENCY_LIMIT")
        if status in (400, 422) or code == BAD_REQUEST_ERROR:
            # the endpoint found our request invalid, exactly where the sandbox raises ValueError
            raise ValueError(f"{where}: the request was refused as invalid")
        if status == 503 or (status >= 500 and not changes_state):
            raise ExternalServiceError(where, system=self.system, reason="UNAVAILABLE")
        if status >= 500:
            raise ExternalTimeout(f"{where}, outcome unknown", system=self.system)
        raise ExternalServiceError(
            f"{where}: check the base URL and access", system=self.system, reason="REJECTED"
        )

    def _decode(self, response: httpx.Response, result_type: type[T], path: str, trace: str) -> T:
        try:
            return decode(result_type, response.json())
        except (json.JSONDecodeError, UnicodeDecodeError):
            self._bad_response(path, trace, "the answer is not JSON")
        except PayloadError as exc:
            self._bad_response(path, trace, str(exc))

    def _bad_response(self, path: str, trace: str, why: str) -> NoReturn:
        log.warning("%s %s: bad response: %s (trace %s)", self.system, path, why, trace)
        raise ExternalServiceError(f"{self.system}: {why}", system=self.system, reason="BAD_RESPONSE")

    def _unavailable(self, path: str, trace: str, why: str, exc: Exception) -> NoReturn:
        log.warning("%s %s: %s (trace %s)", self.system, path, why, trace)
        raise ExternalServiceError(f"{self.system}: {why}", system=self.system, reason="UNAVAILABLE") from exc


def _error_code(response: httpx.Response) -> str | None:
    """The documented `error` of a `{"error": CODE}` body. Other codes are dropped unread: they end
    up in logs and messages, and an unknown gateway may put anything there."""
    try:
        payload = response.json()
    except ValueError:  # JSONDecodeError and UnicodeDecodeError both are
        return None
    code = payload.get("error") if isinstance(payload, dict) else None
    return code if code in KNOWN_ERRORS else None
