"""Personal data never reaches a log handler in clear."""

from __future__ import annotations

import json
import logging
import re

from api.logging_setup import (
    REQUEST_ID,
    JsonFormatter,
    PersonalDataFilter,
    mask_personal_data,
    set_log_token_key,
)


def test_ids_mobiles_and_cards_are_masked_in_messages() -> None:
    text = "GET /api/v1/sandbox/sms/13900001234 id=420106199003071238 card=6219994201000000010"
    masked = mask_personal_data(text)
    assert "13900001234" not in masked and "139****1234" in masked
    assert "420106199003071238" not in masked and "idt:" in masked  # a token, not even a masked ID
    assert "6219994201000000010" not in masked and masked.endswith("621999*********0010")


def test_the_filter_masks_formatted_arguments_and_tracebacks() -> None:
    try:
        raise ValueError("bad id 42011119680808915X")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "t", logging.ERROR, __file__, 1, "mobile %s", ("13900009001",), sys.exc_info()
        )
    assert PersonalDataFilter().filter(record)
    assert record.getMessage() == "mobile 139****9001"
    assert record.exc_text is not None and "42011119680808915X" not in record.exc_text
    assert "4201" not in record.exc_text


def test_id_numbers_become_correlation_tokens_not_even_masked() -> None:
    set_log_token_key(b"k" * 32)
    text = mask_personal_data("id=420106199003071238 old=420106900307123 again 420106199003071238")
    assert "420106199003071238" not in text and "4201" not in text and "420106900307123" not in text
    tokens = re.findall(r"idt:[0-9a-f]{16}", text)
    assert len(tokens) == 3 and tokens[0] == tokens[2] != tokens[1]  # one customer, one token


def test_every_card_prefix_is_masked_when_the_number_is_luhn_valid() -> None:
    visa, amex = "4111111111111111", "378282246310005"
    text = mask_personal_data(f"cards {visa} {amex} order 1234567890123")
    assert visa not in text and "411111******1111" in text
    assert amex not in text
    assert "1234567890123" in text  # not a card (Luhn fails), not an ID


def test_json_lines_carry_the_request_id_and_masked_names() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "opened", None, None)
    record.customer_name = "张伟"
    token = REQUEST_ID.set("req-1")
    try:
        assert PersonalDataFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert (line["message"], line["request_id"], line["customer_name"]) == ("opened", "req-1", "张*")


def test_the_logger_name_is_not_masked_as_a_person_s_name() -> None:
    # `name` is one of the structured name fields, but on a LogRecord it is the logger's name
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "started", None, None)
    record.holder_name = "张伟"
    assert PersonalDataFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["logger"] == "uvicorn.error"
    assert line["holder_name"] == "张*"


def test_a_name_passed_as_extra_is_still_masked() -> None:
    logger = logging.getLogger("fieldbank.test.names")
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(PersonalDataFilter())
    logger.addHandler(handler)
    try:
        logger.warning("customer", extra={"customer_name": "李明", "applicant_name": "王静"})
    finally:
        logger.removeHandler(handler)
    line = json.loads(JsonFormatter().format(records[0]))
    assert (line["logger"], line["customer_name"], line["applicant_name"]) == (
        "fieldbank.test.names",
        "李*",
        "王*",
    )
