"""The sandbox over HTTP, in the wire format of `engine/adapters/http/README.md`.

Why: the HTTP clients are contract-tested against the sandbox's real behaviour, and a tester can run
the sandbox as its own process (`python -m engine.adapters.sandbox.http_server --port 8701`) and point
FieldBank's HTTP adapters at it. Standard library only (FastAPI belongs to `api/`). Requests are
decoded against the ports' own signatures, so server and clients cannot drift apart.

Sandbox timeouts are honest: the server sleeps as the simulator does (nothing with profile `zero`)
and then answers 504 `{"error": "TIMEOUT"}`, which the client treats as `ExternalTimeout`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from engine.adapters.http import wire
from engine.adapters.http.codec import PayloadError, decode_value, type_hints
from engine.adapters.ports import (
    CardCentre,
    CoreBanking,
    FaceCompare,
    IdentityCheck,
    SmsGateway,
    TelcoRealName,
    WatchList,
    result_record,
)
from engine.adapters.sandbox.factory import SandboxAdapters, SandboxKnobs, build_sandbox_adapters
from engine.adapters.sandbox.store import InMemorySandboxStore
from engine.errors import ExternalServiceError, ExternalTimeout

log = logging.getLogger("fieldbank.sandbox.http")
MAX_BODY_BYTES = 64 * 1024
SHUTDOWN_POLL_S = 0.02  # how often serve_forever looks for shutdown(): tests stop a server each
SMS_INBOX = "/sandbox/sms/inbox"  # sandbox only: lets a tester read OTPs from another process

# path → (SandboxAdapters field, port Protocol, method); the Protocol's signature is the request schema
ROUTES: Mapping[str, tuple[str, type, str]] = {
    wire.IDENTITY_VERIFY: ("identity", IdentityCheck, "verify"),
    wire.FACE_COMPARE: ("face", FaceCompare, "compare"),
    wire.WATCHLIST_SCREEN_PERSON: ("watchlist", WatchList, "screen_person"),
    wire.WATCHLIST_SCREEN_MOBILE: ("watchlist", WatchList, "screen_mobile"),
    wire.TELCO_VERIFY: ("telco", TelcoRealName, "verify"),
    wire.SMS_SEND: ("sms", SmsGateway, "send"),
    wire.CORE_LOOKUP_CUSTOMER: ("core", CoreBanking, "lookup_customer"),
    wire.CORE_CHECK_CARD: ("core", CoreBanking, "check_card"),
    wire.CORE_OPEN_ACCOUNT: ("core", CoreBanking, "open_account"),
    wire.CORE_QUERY_STATUS: ("core", CoreBanking, "query_status"),
    wire.CARD_HOLDINGS: ("card_centre", CardCentre, "holdings"),
    wire.CARD_SUBMIT: ("card_centre", CardCentre, "submit"),
    wire.CARD_SUBMIT_DOCUMENTS: ("card_centre", CardCentre, "submit_documents"),
    wire.CARD_STATUS: ("card_centre", CardCentre, "card_status"),
    wire.CARD_ACTIVATE: ("card_centre", CardCentre, "activate"),
}

Reply = tuple[int, dict[str, Any]]


def handle(adapters: SandboxAdapters, path: str, idempotency_key: str | None, raw: bytes) -> Reply:
    """One request → (HTTP status, JSON body). No sockets here, so it is unit-testable."""
    if path == SMS_INBOX:
        return _inbox(adapters, raw)
    if path not in ROUTES:
        return 404, {"error": "NOT_FOUND"}
    field, port, method = ROUTES[path]
    try:
        args = _arguments(getattr(port, method), json.loads(raw))
    except (ValueError, PayloadError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return _bad_request(str(exc) if isinstance(exc, PayloadError) else "the body is not JSON")
    key = _key_of(args)
    if idempotency_key != key:
        return _bad_request("the Idempotency-Key header must equal the request id")
    try:
        result = getattr(getattr(adapters, field), method)(**args)
    except ExternalTimeout:
        return wire.ERROR_STATUS[wire.TIMEOUT_ERROR], {"error": wire.TIMEOUT_ERROR}
    except ExternalServiceError as exc:
        return wire.ERROR_STATUS.get(exc.reason, 503), {"error": exc.reason}
    except ValueError as exc:
        return _bad_request(str(exc))
    if result is None:  # SMS submit: the port returns nothing, the wire a receipt
        return 200, result_record(wire.SmsAccepted(request_id=key, status="ACCEPTED"))
    return 200, result_record(result)


def _arguments(method: Callable[..., Any], body: Any) -> dict[str, Any]:
    params = {name: tp for name, tp in type_hints(method).items() if name != "return"}
    if len(params) == 1:  # a single dataclass parameter (OpenAccountRequest) is the whole body
        [(name, tp)] = params.items()
        if dataclasses.is_dataclass(tp):
            return {name: decode_value(tp, body)}
    if not isinstance(body, dict):
        raise PayloadError("$", "an object")
    missing = [name for name in params if name not in body]
    if missing:
        raise PayloadError(f"$.{missing[0]}", "a value (missing)")
    return {name: decode_value(tp, body[name], f"$.{name}") for name, tp in params.items()}


def _key_of(args: dict[str, Any]) -> str:
    """The idempotency key of a call: its `request_id`, the opening's `channel_serial_no`, or the
    card application's `request_id`."""
    if "request_id" in args:
        return str(args["request_id"])
    [request] = args.values()
    return str(getattr(request, "channel_serial_no", None) or request.request_id)


def _inbox(adapters: SandboxAdapters, raw: bytes) -> Reply:
    try:
        body = json.loads(raw)
        mobile = decode_value(str, body.get("mobile") if isinstance(body, dict) else None, "$.mobile")
        messages = adapters.sms.inbox(mobile)
    except (ValueError, PayloadError):
        return _bad_request('expected {"mobile": "..."} with a mainland mobile')
    return 200, {"messages": [result_record(m) for m in messages]}


def _bad_request(message: str) -> Reply:
    return wire.ERROR_STATUS[wire.BAD_REQUEST_ERROR], {"error": wire.BAD_REQUEST_ERROR, "message": message}


class SandboxHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], adapters: SandboxAdapters) -> None:
        super().__init__(address, _Handler)
        self.adapters = adapters

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (its own timeout) before a slow answer is expected, not an error."""
        log.debug("sandbox http: connection from %s ended early", client_address[0], exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the pooled clients expect
    server: SandboxHttpServer
    timeout = 60  # an idle keep-alive connection is dropped after a minute
    disable_nagle_algorithm = True  # headers and body go out in two writes: without this, +40 ms a call

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body must not be taken for the next request
            self._send(*_bad_request(f"a Content-Length up to {MAX_BODY_BYTES} bytes is required"))
            return
        raw = self.rfile.read(int(length))
        try:
            status, payload = handle(
                self.server.adapters, self.path, self.headers.get("Idempotency-Key"), raw
            )
        except Exception:
            log.exception("sandbox %s failed", self.path)  # the traceback, never the body
            status, payload = 500, {"error": "INTERNAL"}
        self._send(status, payload)

    def do_GET(self) -> None:
        self._send(405, {"error": "METHOD_NOT_ALLOWED"})

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if trace := self.headers.get("X-Request-Id"):
            self.send_header("X-Request-Id", trace[:64])
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # the request line only, at debug level
        log.debug("sandbox http: " + format, *args)


def serve_sandbox(
    adapters: SandboxAdapters, host: str = "127.0.0.1", port: int = 0
) -> tuple[SandboxHttpServer, threading.Thread, str]:
    """Serve in a daemon thread; port 0 picks a free one. Stop with `server.shutdown()` then
    `server.server_close()`."""
    server = SandboxHttpServer((host, port), adapters)
    thread = threading.Thread(
        target=server.serve_forever, args=(SHUTDOWN_POLL_S,), name="sandbox-http", daemon=True
    )
    thread.start()
    return server, thread, f"http://{host}:{server.server_address[1]}"


def main(argv: list[str] | None = None) -> None:
    """Run the sandbox as its own process with an in-memory store (state lasts as long as it runs)."""
    parser = argparse.ArgumentParser(description="FieldBank sandbox simulators over HTTP [Sim]")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--latency", default="normal", choices=["zero", "fast", "normal", "peak", "degraded"])
    parser.add_argument(
        "--core-mode",
        default="normal",
        choices=["normal", "commit_then_timeout", "timeout_no_commit", "processing"],
    )
    options = parser.parse_args(argv)
    knobs = SandboxKnobs(latency_profile=options.latency, core_mode=options.core_mode)
    server, thread, base_url = serve_sandbox(
        build_sandbox_adapters(InMemorySandboxStore(), knobs), options.host, options.port
    )
    print(f"sandbox serving on {base_url}; Ctrl-C stops it", flush=True)
    try:
        thread.join()
    except KeyboardInterrupt:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
