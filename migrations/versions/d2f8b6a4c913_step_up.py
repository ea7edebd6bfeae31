"""step-up (§9.3): since when a device's risk asks for re-authentication, and when each session last
authenticated

Revision ID: d2f8b6a4c913
Revises: c7e1a9d4b356
Create Date: 2026-12-08 01:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "d2f8b6a4c913"
down_revision: str | Sequence[str] | None = "c7e1a9d4b356"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("devices", sa.Column("step_up_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("access_tokens", sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("access_tokens") as batch:
        batch.drop_column("authenticated_at")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("step_up_since")
