"""Personal data never reaches a log handler in clear."""

from __future__ import annotations

import logging

from api.logging_setup import PersonalDataFilter, mask_personal_data


def test_ids_mobiles_and_cards_are_masked_in_messages() -> None:
    text = "GET /api/v1/sandbox/sms/13900001234 id=420106199003071238 card=6219994201000000010"
    masked = mask_personal_data(text)
    assert "13900001234" not in masked and "139****1234" in masked
    assert "420106199003071238" not in masked and "4201**********1238" in masked
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
