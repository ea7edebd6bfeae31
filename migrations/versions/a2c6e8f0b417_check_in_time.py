"""the tablet's signed time of its last check-in, so a replayed check-in is refused

Revision ID: a2c6e8f0b417
Revises: f1b7d3a9e605
Create Date: 2026-12-08 02:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "a2c6e8f0b417"
down_revision: str | Sequence[str] | None = "f1b7d3a9e605"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("devices", sa.Column("last_check_in_ts", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("last_check_in_ts")
