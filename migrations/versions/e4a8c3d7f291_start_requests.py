"""start requests (Idempotency-Key on journey start)

Revision ID: e4a8c3d7f291
Revises: c7d2e9a1b5f3
Create Date: 2026-12-04 18:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4a8c3d7f291"
down_revision: str | Sequence[str] | None = "c7d2e9a1b5f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "start_requests",
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("staff_id", "idempotency_key"),
    )


def downgrade() -> None:
    op.drop_table("start_requests")
