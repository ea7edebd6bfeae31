"""An exception no handler maps answers 500 in the one error shape, with the request id in the response
header and in the single log line that carries the traceback (§8.3)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services
from api.logging_setup import JsonFormatter, PersonalDataFilter
from engine.persistence.migrate import upgrade_to_head


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The catch-all does not touch the database: one backend is enough."""
    url = f"sqlite:///{tmp_path / 'fieldbank.db'}"
    upgrade_to_head(url)
    return url


class Lines(logging.Handler):
    """The production handler's filter and formatter, keeping the JSON lines."""

    def __init__(self) -> None:
        super().__init__()
        self.addFilter(PersonalDataFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


@pytest.fixture
def raising_client(services: Services) -> Iterator[TestClient]:
    app = create_app(services.settings, services)

    @app.get("/api/v1/test-only/boom")
    @app.get("/test-only/boom")
    def boom() -> None:
        raise RuntimeError("the test route fails on purpose")

    # the default re-raises whatever reaches the server: an exception must not get that far
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


def test_an_unexpected_exception_is_one_500_with_its_request_id(
    raising_client: TestClient, lines: Lines
) -> None:
    r = raising_client.get("/api/v1/test-only/boom", headers={"X-Request-Id": "tablet-boom-1"})
    assert r.status_code == 500
    assert r.json() == {"code": "internal_error", "message": "an unexpected error occurred", "details": None}
    assert r.headers["x-request-id"] == "tablet-boom-1"
    with_traceback = [line for line in lines.lines if "exception" in line]
    assert len(with_traceback) == 1, lines.lines
    [line] = with_traceback
    assert line["request_id"] == "tablet-boom-1"
    assert line["level"] == "ERROR"
    assert "the test route fails on purpose" in str(line["exception"])


def test_a_page_gets_the_error_page_with_its_request_id(raising_client: TestClient, lines: Lines) -> None:
    r = raising_client.get("/test-only/boom", headers={"Accept": "text/html"})
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    request_id = r.headers["x-request-id"]  # none given: a fresh one, in the header and the log line
    assert [line["request_id"] for line in lines.lines if "exception" in line] == [request_id]
