"""Schema changes are Alembic migrations; the app never calls create_all outside tests."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from engine.settings import REPO_ROOT


def upgrade_to_head(database_url: str) -> None:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    command.upgrade(config, "head")
