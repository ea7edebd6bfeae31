"""Logging for every entry point (§8.3): JSON lines with a request id, and personal data removed before
any handler sees a record.

- Resident ID numbers (18-digit, and the old 15-digit ones) never appear, not even masked: each becomes
  an HMAC-SM3 correlation token `idt:<16 hex>` under a key derived from the key store, so one customer's
  lines can still be found together without the number.
- Bank-card numbers (any 13-19 digit Luhn-valid run, whatever the prefix) and mobiles are masked.
- Names are masked where they are structured (`extra` fields named like `customer_name`); a Chinese name
  inside free text cannot be told from other words, so code never logs one.

Access logs carry URLs such as `/sandbox/sms/13900001234`; adapters may name an ID in an error: the filter
works on the final message and on tracebacks.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from crypto import hmac_sm3, mask_card_number, mask_mobile, mask_name
from forms.formats import id_birth_date, id_check_char, is_luhn_valid

_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]{13,19}[Xx]?(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# `extra` fields only: a record's own `name` is its logger's (an `extra` cannot even use that key)
NAME_FIELDS = frozenset({"customer_name", "applicant_name", "holder_name", "contact_name"})
REQUEST_ID = contextvars.ContextVar[str | None]("request_id", default=None)
_token_key: bytes | None = None


def set_log_token_key(key: bytes) -> None:
    """The composition root hands over the correlation-token key once the key store is open; until
    then an ID number is replaced by a token that says nothing about it."""
    global _token_key
    _token_key = key


def id_token(number: str) -> str:
    if _token_key is None:
        return "idt:unkeyed"
    return "idt:" + hmac_sm3(_token_key, number.upper().encode()).hex()[:16]


def _looks_like_id(run: str) -> bool:
    if len(run) == 18:
        return run[17].upper() == id_check_char(run[:17]) or run[17] in "Xx" or id_birth_date(run) is not None
    if len(run) == 15 and run.isdigit():  # the first-generation card: yymmdd at 6..12
        try:
            datetime.strptime("19" + run[6:12], "%Y%m%d")
        except ValueError:
            return False
        return True
    return False


def _replace_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if _looks_like_id(run):
        return id_token(run)
    if run.isdigit() and is_luhn_valid(run):
        return mask_card_number(run)
    return run


def mask_personal_data(text: str) -> str:
    text = _DIGIT_RUN.sub(_replace_run, text)
    return _MOBILE.sub(lambda m: mask_mobile(m.group(0)), text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = mask_personal_data(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        for field in NAME_FIELDS & vars(record).keys():
            value = getattr(record, field)
            if isinstance(value, str):
                setattr(record, field, mask_name(value))
        record.request_id = REQUEST_ID.get()
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "request_id", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int = logging.INFO, *, json_lines: bool = True) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
