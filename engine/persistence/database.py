"""Engines are built lazily per process (rq forks) and tuned per backend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

SessionFactory = sessionmaker[Session]
"""What the rest of the engine holds: it passes the factory to repositories in this package and never
opens a query itself (the import-linter contract in pyproject.toml)."""
Transaction = Session
"""A session inside one command's transaction, handed from the unit of work to repositories."""


def build_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        _zone_loaded_instants()
        return engine
    # no pre-ping: it costs a round trip per checkout; recycling bounds the life of idle connections
    return create_engine(url, pool_size=10, max_overflow=20, pool_recycle=1800)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the in-process worker write while API threads read; foreign keys are off by default
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def build_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


def _zone_loaded_instants() -> None:
    """SQLite keeps no zone, so rows it loads carry naive datetimes although every one was written in
    UTC: give them their zone as they load, as PostgreSQL's timestamptz does. A load hook, not a type
    decorator: a decorator on every datetime column cost ~15-25% of J1's service layer on PostgreSQL,
    where nothing needs it (measured with bench/journey.py)."""
    from engine.persistence.records import Base

    if not event.contains(Base, "load", _utc_on_load):
        event.listen(Base, "load", _utc_on_load, propagate=True)
        event.listen(Base, "refresh", _utc_on_refresh, propagate=True)


def _utc_on_load(target: Any, _context: Any) -> None:
    for name in _instant_columns(type(target)):
        value = target.__dict__.get(name)
        if isinstance(value, datetime) and value.tzinfo is None:
            set_committed_value(target, name, value.replace(tzinfo=UTC))


def _utc_on_refresh(target: Any, context: Any, _attributes: Any) -> None:
    _utc_on_load(target, context)


_INSTANT_COLUMNS: dict[type, tuple[str, ...]] = {}


def _instant_columns(mapped: type) -> tuple[str, ...]:
    """The datetime attributes of a mapped class, looked up once per class."""
    found = _INSTANT_COLUMNS.get(mapped)
    if found is None:
        columns: Any = inspect(mapped).column_attrs
        found = tuple(c.key for c in columns if any(isinstance(col.type, DateTime) for col in c.columns))
        _INSTANT_COLUMNS[mapped] = found
    return found
