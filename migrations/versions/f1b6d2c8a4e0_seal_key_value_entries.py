"""seal key-value entries: drop the rows written in clear before the sealed store

Every row before this revision holds a clear key (ID numbers, mobiles) and a clear value. The sealed
store looks rows up by a keyed SM3 of the key, so it can never read them again; OTP rows live five
minutes and sandbox rows are simulator state. Deleting them loses nothing the code can use and leaves
no clear personal data behind (a migration has no keys, so it cannot re-seal them).

Revision ID: f1b6d2c8a4e0
Revises: e4a8c3d7f291
Create Date: 2026-12-04 18:20:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "f1b6d2c8a4e0"
down_revision: str | Sequence[str] | None = "e4a8c3d7f291"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM kv_entries")


def downgrade() -> None:
    """Nothing to restore: the deleted rows were unreadable state."""
