"""Session-wide guard: no clear resident ID number or mobile number reaches a log record.

Every record any logger emits during a test is collected *before* the production masking filter
would see it, so this checks that our code does not log personal data at all, not just that the filter
hides it. The fixture values of domain §13 are what the tests feed in, so they are what could leak.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

# whole tokens only: digits inside a hex trace id or a UUID are not a phone number
_ID = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += " " + logging.Formatter().formatException(record.exc_info)
        except Exception:
            return
        for pattern in (_ID, _MOBILE):
            for match in pattern.finditer(text):
                self.leaks.append(
                    f"{record.name}: ...{text[max(0, match.start() - 40) : match.end() + 10]}..."
                )


_collector = _Collector()


@pytest.fixture(scope="session", autouse=True)
def _collect_log_records() -> Iterator[None]:
    root = logging.getLogger()
    root.addHandler(_collector)
    yield
    root.removeHandler(_collector)


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(_collect_log_records: None) -> Iterator[None]:
    """Fails the test whose run logged a clear ID or mobile number (an error in its teardown), so the
    guard holds in every pytest-xdist worker and names the test that leaked."""
    before = len(_collector.leaks)
    yield
    leaks = sorted(set(_collector.leaks[before:]))[:20]
    if leaks:
        pytest.fail("Personal data in log records:\n  " + "\n  ".join(leaks), pytrace=False)
