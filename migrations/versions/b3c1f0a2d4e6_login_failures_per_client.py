"""login failures per client

Revision ID: b3c1f0a2d4e6
Revises: aef0fd4f5375
Create Date: 2026-12-04 18:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3c1f0a2d4e6"
down_revision: str | Sequence[str] | None = "aef0fd4f5375"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client", sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_index("ix_login_failures_client_at", ["client", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_client_at")
        batch_op.drop_column("client")
