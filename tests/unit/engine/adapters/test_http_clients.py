"""HTTP clients against `httpx.MockTransport`: what goes on the wire, and every failure → our errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest

from engine.adapters.http import build_http_adapters
from engine.adapters.http.factory import resolve_base_urls
from engine.adapters.ports import SHANGHAI, OpenAccountRequest
from engine.errors import ExternalServiceError, ExternalTimeout

ID_NUMBER, MOBILE = "420106199003071238", "13900001234"
Handler = Callable[[httpx.Request], httpx.Response]


def identity_answer(request_id: str = "r-1", **fields: Any) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "responded_at": "2025-06-12T02:00:00+00:00",
        "result": "MATCH_WITH_PHOTO",
        "registry_photo_ref": "photo/1",
        "wording": "一致",
        **fields,
    }


def opening(**fields: Any) -> OpenAccountRequest:
    base: dict[str, Any] = {
        "channel_serial_no": "FB-1",
        "id_number": ID_NUMBER,
        "name": "张伟",
        "mobile": MOBILE,
        "account_class": "I",
        "product_code": "DEBIT_STD",
        "card_no": "6219994201000000010",
        "branch_code": "420101",
        "operator_id": "fo-001",
    }
    return OpenAccountRequest(**{**base, **fields})


class Recorder:
    """A MockTransport handler that records requests and answers with a fixed response or raises."""

    def __init__(self, answer: Handler) -> None:
        self.requests: list[httpx.Request] = []
        self._answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._answer(request)

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.requests[-1].content)


def adapters_with(answer: Handler, **kwargs: Any) -> tuple[Any, Recorder]:
    recorder = Recorder(answer)
    built = build_http_adapters("https://gw.bank.test", transport=httpx.MockTransport(recorder), **kwargs)
    return built, recorder


def respond(status: int, payload: Any = None, *, raw: bytes | None = None) -> Handler:
    return lambda _request: (
        httpx.Response(status, content=raw) if raw is not None else httpx.Response(status, json=payload)
    )


def raising(exc_type: type[httpx.TransportError]) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc_type("boom", request=request)

    return answer


def test_a_call_posts_json_with_the_idempotency_key_a_trace_id_and_the_systems_timeout():
    adapters, wire = adapters_with(respond(200, identity_answer("inst-1:task-2")))
    result = adapters.identity.verify("张伟", ID_NUMBER, "inst-1:task-2")
    request = wire.requests[0]
    assert (request.method, request.url.path) == ("POST", "/v1/identity/verify")
    assert request.headers["Idempotency-Key"] == "inst-1:task-2"
    assert len(request.headers["X-Request-Id"]) == 32
    assert request.extensions["timeout"]["read"] == 10.0
    assert wire.body == {"request_id": "inst-1:task-2", "name": "张伟", "id_number": ID_NUMBER}
    assert result.result == "MATCH_WITH_PHOTO" and result.registry_photo_ref == "photo/1"
    assert result.responded_at.tzinfo == SHANGHAI and result.responded_at.hour == 10


def test_each_attempt_gets_a_fresh_trace_id_but_keeps_its_idempotency_key():
    adapters, wire = adapters_with(respond(200, identity_answer()))
    adapters.identity.verify("张伟", ID_NUMBER, "r-1")
    adapters.identity.verify("张伟", ID_NUMBER, "r-1")
    first, second = wire.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == "r-1"
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_timeouts_follow_section_12_1_and_can_be_configured_per_system():
    adapters, wire = adapters_with(respond(503, {"error": "UNAVAILABLE"}), timeouts={"watchlist": 1.5})
    calls = [
        (lambda: adapters.face.compare(ID_NUMBER, "d", True, 1, None, "r"), 8.0),
        (lambda: adapters.watchlist.screen_mobile(MOBILE, "r"), 1.5),
        (lambda: adapters.telco.verify("张伟", ID_NUMBER, MOBILE, "r"), 8.0),
        (lambda: adapters.core.lookup_customer(ID_NUMBER, "张伟", "r"), 30.0),
    ]
    for call, expected in calls:
        with pytest.raises(ExternalServiceError):
            call()
        assert wire.requests[-1].extensions["timeout"]["read"] == expected


def test_request_bodies_follow_the_wire_spec():
    adapters, wire = adapters_with(respond(503, {"error": "UNAVAILABLE"}))
    expectations: list[tuple[Callable[[], Any], str, dict[str, Any]]] = [
        (
            lambda: adapters.watchlist.screen_person("张伟", ID_NUMBER, date(1990, 3, 7), "r"),
            "/v1/watchlist/screen-person",
            {"request_id": "r", "name": "张伟", "id_number": ID_NUMBER, "birth_date": "1990-03-07"},
        ),
        (
            lambda: adapters.face.compare(ID_NUMBER, "sha256:ab", False, 2, "spoof", "r"),
            "/v1/face/compare",
            {
                "request_id": "r",
                "id_number": ID_NUMBER,
                "live_image_digest": "sha256:ab",
                "has_registry_photo": False,
                "attempt": 2,
                "simulated_camera": "spoof",
            },
        ),
        (
            lambda: adapters.sms.send(MOBILE, "code 1", "r"),
            "/v1/sms/send",
            {"request_id": "r", "mobile": MOBILE, "text": "code 1"},
        ),
        (
            lambda: adapters.core.query_status("FB-1", "r"),
            "/v1/core/query-status",
            {"request_id": "r", "channel_serial_no": "FB-1"},
        ),
    ]
    for call, path, body in expectations:
        with pytest.raises(ExternalServiceError):
            call()
        assert (wire.requests[-1].url.path, wire.body) == (path, body)


def test_opening_is_keyed_by_the_channel_serial():
    adapters, wire = adapters_with(respond(503, {"error": "CORE_EOD"}))
    with pytest.raises(ExternalServiceError) as caught:
        adapters.core.open_account(opening())
    assert caught.value.reason == "CORE_EOD"
    assert wire.requests[0].headers["Idempotency-Key"] == "FB-1"
    assert wire.body["channel_serial_no"] == "FB-1" and wire.body["account_class"] == "I"


@pytest.mark.parametrize(
    ("status", "payload", "reason"),
    [
        (503, {"error": "UNAVAILABLE"}, "UNAVAILABLE"),
        (503, None, "UNAVAILABLE"),
        (500, {"error": "SOMETHING_NEW"}, "UNAVAILABLE"),
        (502, None, "UNAVAILABLE"),
        (429, None, "FREQUENCY_LIMIT"),
        (503, {"error": "FREQUENCY_LIMIT"}, "FREQUENCY_LIMIT"),
        (409, {"error": "IN_PROGRESS"}, "IN_PROGRESS"),
        (404, None, "REJECTED"),
        (401, {"error": "UNAUTHORISED"}, "REJECTED"),
    ],
)
def test_error_answers_of_a_read_only_check_become_service_errors(status, payload, reason):
    adapters, _ = adapters_with(respond(status, payload))
    with pytest.raises(ExternalServiceError) as caught:
        adapters.identity.verify("张伟", ID_NUMBER, "r-1")
    assert type(caught.value) is ExternalServiceError
    assert (caught.value.system, caught.value.reason) == ("identity", reason)


@pytest.mark.parametrize("answer", [respond(504, None), respond(503, {"error": "TIMEOUT"})])
def test_a_gateway_timeout_is_an_external_timeout_because_the_outcome_is_unknown(answer):
    adapters, _ = adapters_with(answer)
    with pytest.raises(ExternalTimeout) as caught:
        adapters.telco.verify("张伟", ID_NUMBER, MOBILE, "r-1")
    assert caught.value.system == "telco"


@pytest.mark.parametrize(
    "exc_type", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.WriteTimeout, httpx.PoolTimeout]
)
def test_a_client_timeout_is_an_external_timeout_chained_to_the_library_error(exc_type):
    adapters, _ = adapters_with(raising(exc_type))
    with pytest.raises(ExternalTimeout) as caught:
        adapters.watchlist.screen_mobile(MOBILE, "r-1")
    assert caught.value.system == "watchlist" and isinstance(caught.value.__cause__, exc_type)


@pytest.mark.parametrize("exc_type", [httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError])
def test_connection_failures_of_a_read_only_check_are_unavailable(exc_type):
    adapters, _ = adapters_with(raising(exc_type))
    with pytest.raises(ExternalServiceError) as caught:
        adapters.core.lookup_customer(ID_NUMBER, "张伟", "r-1")
    assert type(caught.value) is ExternalServiceError and caught.value.reason == "UNAVAILABLE"
    assert isinstance(caught.value.__cause__, exc_type)


def test_an_opening_that_never_connected_is_unavailable_and_safe_to_retry():
    adapters, _ = adapters_with(raising(httpx.ConnectError))
    with pytest.raises(ExternalServiceError) as caught:
        adapters.core.open_account(opening())
    assert type(caught.value) is ExternalServiceError and caught.value.reason == "UNAVAILABLE"


@pytest.mark.parametrize(
    "answer", [raising(httpx.ReadError), raising(httpx.RemoteProtocolError), respond(500), respond(502)]
)
def test_an_opening_whose_answer_was_lost_is_an_external_timeout_so_status_is_queried_first(answer):
    adapters, _ = adapters_with(answer)
    with pytest.raises(ExternalTimeout):
        adapters.core.open_account(opening())


def test_a_request_refused_as_invalid_is_a_value_error_like_the_sandboxs():
    adapters, _ = adapters_with(respond(400, {"error": "BAD_REQUEST", "message": "not a mainland mobile"}))
    with pytest.raises(ValueError, match="refused as invalid"):
        adapters.sms.send("123", "hello", "r-1")


@pytest.mark.parametrize(
    "answer",
    [
        respond(200, raw=b"<html>gateway login</html>"),
        respond(200, raw=b"\xff\xfe not utf-8"),
        respond(200, ["not", "an", "object"]),
        respond(200, {k: v for k, v in identity_answer().items() if k != "result"}),
        respond(200, identity_answer(result="MAYBE")),
        respond(200, identity_answer(responded_at="2025-06-12T10:00:00")),  # no offset
        respond(200, identity_answer(responded_at=1749693600)),
        respond(200, identity_answer(wording=None)),
        respond(200, identity_answer(request_id="someone-else")),
    ],
)
def test_a_malformed_or_unexpected_answer_is_a_bad_response(answer):
    adapters, _ = adapters_with(answer)
    with pytest.raises(ExternalServiceError) as caught:
        adapters.identity.verify("张伟", ID_NUMBER, "r-1")
    assert caught.value.reason == "BAD_RESPONSE"


@pytest.mark.parametrize(
    "fields",
    [{"score": "85"}, {"score": True}, {"attempt": 1.5}, {"reference": "passport"}],
)
def test_wrong_json_types_in_a_face_answer_are_a_bad_response(fields):
    answer = {
        "request_id": "r-1",
        "responded_at": "2025-06-12T10:00:00+08:00",
        "result": "PASS",
        "score": 91,
        "attempt": 1,
        "engine_version": "v",
        "reference": "registry",
        **fields,
    }
    adapters, _ = adapters_with(respond(200, answer))
    with pytest.raises(ExternalServiceError) as caught:
        adapters.face.compare(ID_NUMBER, "d", True, 1, None, "r-1")
    assert caught.value.reason == "BAD_RESPONSE"


def test_unknown_fields_are_ignored_and_defaults_fill_in_missing_optional_ones():
    answer = {"request_id": "r-1", "responded_at": "2025-06-12T10:00:00+08:00", "result": "CLEAR"}
    adapters, _ = adapters_with(respond(200, {**answer, "list_version": "WL-1", "gateway_node": "gw-3"}))
    result = adapters.watchlist.screen_mobile(MOBILE, "r-1")
    assert (result.result, result.hits, result.list_version) == ("CLEAR", (), "WL-1")


def test_nested_hits_and_results_are_decoded_into_port_dataclasses():
    hit = {"list_code": "AML", "entry_ref": "AML/1", "match_type": "fuzzy_name", "note": ""}
    answer = {
        "request_id": "r-1",
        "responded_at": "2025-06-12T10:00:00+08:00",
        "result": "REVIEW_AML",
        "list_version": "WL-1",
        "hits": [hit],
    }
    adapters, _ = adapters_with(respond(200, answer))
    result = adapters.watchlist.screen_person("韩磊", ID_NUMBER, None, "r-1")
    assert result.hits[0].match_type == "fuzzy_name" and isinstance(result.hits, tuple)
    adapters, _ = adapters_with(respond(200, {**answer, "hits": [{**hit, "match_type": "guess"}]}))
    with pytest.raises(ExternalServiceError, match=r"\$\.hits\[0\]\.match_type"):
        adapters.watchlist.screen_person("韩磊", ID_NUMBER, None, "r-1")


def test_a_status_answer_about_another_serial_is_a_bad_response():
    opened = {"request_id": "FB-2", "responded_at": "2025-06-12T10:00:00+08:00", "result": "OK"}
    status = {"request_id": "q-1", "responded_at": "2025-06-12T10:00:01+08:00", "status": "OPENED"}
    adapters, _ = adapters_with(respond(200, {**status, "result": opened}))
    with pytest.raises(ExternalServiceError) as caught:
        adapters.core.query_status("FB-1", "q-1")
    assert caught.value.reason == "BAD_RESPONSE"
    adapters, _ = adapters_with(respond(200, {**status, "result": {**opened, "request_id": "FB-1"}}))
    assert adapters.core.query_status("FB-1", "q-1").result.request_id == "FB-1"


def test_an_sms_submit_needs_the_gateways_receipt():
    adapters, _ = adapters_with(respond(202, {"request_id": "r-1", "status": "ACCEPTED"}))
    assert adapters.sms.send(MOBILE, "hello", "r-1") is None
    adapters, _ = adapters_with(respond(200, {"request_id": "r-1", "status": "QUEUED"}))
    with pytest.raises(ExternalServiceError):
        adapters.sms.send(MOBILE, "hello", "r-1")


def test_no_log_record_carries_an_id_number_mobile_or_message_text(caplog):
    caplog.set_level(logging.DEBUG)
    adapters, _ = adapters_with(respond(200, raw=b"{broken"))
    for call in (
        lambda: adapters.telco.verify("张伟", ID_NUMBER, MOBILE, "r-1"),
        lambda: adapters.sms.send(MOBILE, "验证码 482913", "r-2"),
    ):
        with pytest.raises(ExternalServiceError):
            call()
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "telco" in logged and ID_NUMBER not in logged and MOBILE not in logged
    assert "482913" not in logged and "张伟" not in logged


def test_an_undocumented_error_code_is_neither_logged_nor_put_in_the_error(caplog):
    caplog.set_level(logging.DEBUG)
    adapters, _ = adapters_with(respond(503, {"error": "42010619900307123X"}))
    with pytest.raises(ExternalServiceError) as caught:
        adapters.identity.verify("张伟", ID_NUMBER, "r-1")
    assert caught.value.reason == "UNAVAILABLE"
    assert "307123X" not in str(caught.value) and "307123X" not in caplog.text


def test_base_urls_are_one_for_all_or_per_system_with_a_default():
    assert set(resolve_base_urls("http://sandbox:8701/").values()) == {"http://sandbox:8701"}
    urls = resolve_base_urls({"default": "https://gw.bank", "core": "https://core.bank/esb", "sms": ""})
    assert urls["core"] == "https://core.bank/esb" and urls["sms"] == urls["identity"] == "https://gw.bank"
    with pytest.raises(ValueError, match="no base URL"):
        resolve_base_urls({"core": "https://core.bank"})
    with pytest.raises(ValueError, match="unknown systems"):
        resolve_base_urls({"default": "https://gw.bank", "bureau": "https://x"})
    with pytest.raises(ValueError, match="http"):
        resolve_base_urls("ftp://gw.bank")


def test_bad_timeouts_are_refused():
    with pytest.raises(ValueError, match="unknown systems"):
        build_http_adapters("https://gw.bank", timeouts={"bureau": 3})
    with pytest.raises(ValueError, match="positive"):
        build_http_adapters("https://gw.bank", timeouts={"core": 0})


def test_systems_on_one_base_url_share_a_pool_and_close_releases_them():
    single = build_http_adapters("https://gw.bank")
    split = build_http_adapters({"default": "https://gw.bank", "core": "https://core.bank"})
    assert len(single.clients) == 1 and len(split.clients) == 2
    split.close()
    assert all(client.is_closed for client in split.clients)
    single.close()


def test_a_base_path_prefix_is_kept():
    recorder = Recorder(respond(200, identity_answer()))
    adapters = build_http_adapters("https://gw.bank/esb/fieldbank", transport=httpx.MockTransport(recorder))
    adapters.identity.verify("张伟", ID_NUMBER, "r-1")
    assert recorder.requests[0].url.path == "/esb/fieldbank/v1/identity/verify"
