"""Integration fixtures: a real database (PostgreSQL `test` and a SQLite file), schema by Alembic.

Every test gets an emptied database, fresh platform keys and the demo staff, then a real app with
its in-process worker. Nothing is mocked: the sandbox simulators are product code.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from api.app import create_app
from api.bootstrap import Services, build_services, utc_now
from crypto import init_key_store
from devices.demo import seed_demo_devices
from engine.adapters.sandbox.fixtures import FIXTURE_PERSONS, MOBILE_SCENARIOS
from engine.people.demo import seed_demo
from engine.persistence.cache import BRANCH_PATHS, DEFINITIONS
from engine.persistence.migrate import upgrade_to_head
from engine.persistence.records import Base
from engine.settings import Settings

# a parallel checkout (a second session's worktree) may point its run at its own database
_BASE_URL = os.environ.get("FIELDBANK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# each pytest-xdist worker empties and fills a database of its own (`test_gw0`, `test_gw1`, ...)
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
POSTGRES_URL = f"{_BASE_URL}_{_WORKER}" if _WORKER else _BASE_URL
_migrated: set[str] = set()


def _create_database_once() -> None:
    """The worker's own database, made on first use (the base one is the machine's, as README says)."""
    url = make_url(POSTGRES_URL)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()


def _reset_postgres() -> None:
    DEFINITIONS.clear()  # the emptied database hands out its definition ids again
    BRANCH_PATHS.clear()
    if _WORKER and POSTGRES_URL not in _migrated:
        _create_database_once()
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        if POSTGRES_URL not in _migrated:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    if POSTGRES_URL not in _migrated:
        upgrade_to_head(POSTGRES_URL)
        _migrated.add(POSTGRES_URL)


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "keys"
    init_key_store(path)
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated by Alembic per test session; each test gets a copy (≈ 0.26 s saved)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "fieldbank.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    # an emptied database hands out its ids again: a cached definition id would name another version
    DEFINITIONS.clear()
    BRANCH_PATHS.clear()
    if request.param == "postgresql":
        _reset_postgres()
        return POSTGRES_URL
    template: Path = request.getfixturevalue("sqlite_template")
    for part in template.parent.glob(template.name + "*"):  # the file and any journal beside it
        shutil.copyfile(part, tmp_path / part.name)
    return f"sqlite:///{tmp_path / template.name}"


def make_settings(database_url: str, key_dir: Path, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "data_dir": tmp_path,
        "keys_dir": key_dir,
        "sandbox_latency": "zero",
        "retry_backoff_scale": 0.01,
        "sandbox_card_decision_delay_s": 0.0,
        # a spawned render child per test would cost each test its start-up; the served app of the
        # browser and e2e tests, and tests/integration/test_render_in_child.py, render in the child
        "render_in_child": False,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def services(
    database_url: str, key_dir: Path, tmp_path: Path, settings_overrides: dict[str, Any]
) -> Iterator[Services]:
    settings = make_settings(database_url, key_dir, tmp_path, **settings_overrides)
    built = build_services(settings)
    seed_demo(built.deps.sessions, built.deps.now)
    seed_demo_devices(built.device_admin)
    built.definitions.deploy_all("test")
    yield built
    found = clear_personal_data(built.deps.sessions.kw["bind"])
    assert not found, f"clear ID or mobile numbers stored in: {found}"


TEST_PROCESSES = Path(__file__).parent / "processes"
TEST_FORMS = Path(__file__).parent / "forms"


def services_with_test_processes(
    database_url: str,
    key_dir: Path,
    tmp_path: Path,
    *process_ids: str,
    now: Callable[[], datetime] = utc_now,
) -> Services:
    """Services that deploy only the named test diagrams of `processes/` with the test forms of `forms/`
    (on the engine clock `now`, which a test may move)."""
    processes = tmp_path / "processes"
    processes.mkdir()
    for process_id in process_ids:
        shutil.copy(TEST_PROCESSES / f"{process_id}.bpmn", processes)
    settings = make_settings(database_url, key_dir, tmp_path, processes_dir=processes, forms_dir=TEST_FORMS)
    built = build_services(settings, now=now)
    seed_demo(built.deps.sessions, built.deps.now)
    seed_demo_devices(built.device_admin)
    built.definitions.deploy_all("test")
    return built


_FIXTURE_NUMBERS = re.compile(
    r"(?<![0-9])(?:"
    + "|".join(sorted({*FIXTURE_PERSONS, *MOBILE_SCENARIOS}, key=len, reverse=True))
    + r"|1390000[0-9]{4})(?![0-9])",
    re.IGNORECASE,
)


def clear_personal_data(engine: Any) -> list[str]:
    """Every table after the test, like the log guard: no §13 ID number or mobile may be stored in clear."""
    found: list[str] = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            names = [c.name for c in table.columns]
            for row in conn.execute(table.select()):
                for column, value in zip(names, row, strict=True):
                    if value is not None and _FIXTURE_NUMBERS.search(str(value)):
                        found.append(f"{table.name}.{column}")
    return sorted(set(found))


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client


class Clock:
    """An engine clock the test moves by hand (`clock.now += timedelta(...)`)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
