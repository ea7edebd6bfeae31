"""Integration fixtures: a real database (PostgreSQL `test` and a SQLite file), schema by Alembic.

Every test gets an emptied database, fresh platform keys and the demo staff, then a real app with
its in-process worker. Nothing is mocked: the sandbox simulators are product code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.app import create_app
from api.bootstrap import Services, build_services
from crypto import init_key_store
from engine.people.demo import seed_demo
from engine.persistence.migrate import upgrade_to_head
from engine.persistence.records import Base
from engine.settings import Settings

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_migrated: set[str] = set()


def _reset_postgres() -> None:
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


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        _reset_postgres()
        return POSTGRES_URL
    url = f"sqlite:///{tmp_path / 'fieldbank.db'}"
    upgrade_to_head(url)
    return url


def make_settings(database_url: str, key_dir: Path, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "data_dir": tmp_path,
        "keys_dir": key_dir,
        "sandbox_latency": "zero",
        "retry_backoff_scale": 0.01,
        **overrides,
    }
    return Settings(**values)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def services(
    database_url: str, key_dir: Path, tmp_path: Path, settings_overrides: dict[str, Any]
) -> Services:
    settings = make_settings(database_url, key_dir, tmp_path, **settings_overrides)
    built = build_services(settings)
    seed_demo(built.deps.sessions, built.deps.now)
    built.definitions.deploy_all("test")
    return built


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services.settings, services)) as test_client:
        yield test_client
