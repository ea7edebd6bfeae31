"""The sandbox HTTP server's request handling, without sockets: validation and error mapping."""

from __future__ import annotations

import json
from typing import Any

from engine.adapters.http import wire
from engine.adapters.sandbox.http_server import SMS_INBOX, handle

HAPPY = {"request_id": "r-1", "name": "张伟", "id_number": "420106199003071238"}


def post(adapters: Any, path: str, body: Any, key: str | None = "r-1") -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return handle(adapters, path, key, raw)


def test_a_business_outcome_is_a_200_with_the_result_record(adapters):
    status, payload = post(adapters, wire.IDENTITY_VERIFY, {**HAPPY, "name": "李四"})
    assert status == 200
    assert (payload["request_id"], payload["result"]) == ("r-1", "NAME_MISMATCH")
    assert payload["responded_at"] == "2025-06-12T10:00:00+08:00"


def test_unknown_paths_bad_json_and_missing_or_mistyped_fields_are_refused(adapters):
    assert post(adapters, "/v1/identity/verify/", HAPPY) == (404, {"error": "NOT_FOUND"})
    assert post(adapters, wire.IDENTITY_VERIFY, b"{nope")[0] == 400
    status, payload = post(adapters, wire.IDENTITY_VERIFY, {"request_id": "r-1", "name": "张伟"})
    assert (status, payload["error"], payload["message"]) == (
        400,
        "BAD_REQUEST",
        "$.id_number: expected a value (missing)",
    )
    status, payload = post(
        adapters,
        wire.FACE_COMPARE,
        {
            **HAPPY,
            "live_image_digest": "d",
            "has_registry_photo": "yes",
            "attempt": 1,
            "simulated_camera": None,
        },
    )
    assert status == 400 and "$.has_registry_photo" in payload["message"]


def test_the_idempotency_key_must_be_sent_and_match_the_request_id(adapters):
    assert post(adapters, wire.IDENTITY_VERIFY, HAPPY, key=None)[0] == 400
    assert post(adapters, wire.IDENTITY_VERIFY, HAPPY, key="r-2")[0] == 400
    opening = {
        "channel_serial_no": "FB-1",
        "id_number": "420106199003071238",
        "name": "张伟",
        "mobile": "13900001234",
        "account_class": "I",
        "product_code": "DEBIT_STD",
        "card_no": "6219994201000000010",
        "branch_code": "420101",
        "operator_id": "fo-001",
    }
    assert post(adapters, wire.CORE_OPEN_ACCOUNT, opening, key="r-1")[0] == 400
    assert post(adapters, wire.CORE_OPEN_ACCOUNT, opening, key="FB-1")[1]["result"] == "OK"


def test_sandbox_failures_map_to_documented_error_answers(make_adapters):
    adapters = make_adapters(force_core_eod=True)
    timeout = {**HAPPY, "name": "高峰", "id_number": "420117198606069051"}
    unavailable = {**HAPPY, "name": "林娜", "id_number": "420106198101019068"}
    assert post(adapters, wire.IDENTITY_VERIFY, timeout) == (504, {"error": "TIMEOUT"})
    assert post(adapters, wire.IDENTITY_VERIFY, unavailable) == (503, {"error": "UNAVAILABLE"})
    opening = {
        "channel_serial_no": "r-1",
        "id_number": "420106199003071238",
        "name": "张伟",
        "mobile": "13900001234",
        "account_class": "II",
        "product_code": "DEBIT_STD",
        "card_no": "6219994201000000010",
        "branch_code": "420101",
        "operator_id": "fo-001",
    }
    assert post(adapters, wire.CORE_OPEN_ACCOUNT, opening) == (503, {"error": "CORE_EOD"})


def test_a_sandbox_value_error_is_a_bad_request(adapters):
    status, payload = post(adapters, wire.SMS_SEND, {"request_id": "r-1", "mobile": "123", "text": "hi"})
    assert (status, payload["error"]) == (400, "BAD_REQUEST")


def test_an_sms_submit_answers_a_receipt_and_the_inbox_shows_it(adapters):
    body = {"request_id": "r-1", "mobile": "13900001234", "text": "验证码 1234"}
    assert post(adapters, wire.SMS_SEND, body) == (200, {"request_id": "r-1", "status": "ACCEPTED"})
    status, payload = post(adapters, SMS_INBOX, {"mobile": "13900001234"}, key=None)
    assert status == 200 and [m["text"] for m in payload["messages"]] == ["验证码 1234"]
    assert post(adapters, SMS_INBOX, {"mobile": 139}, key=None)[0] == 400
