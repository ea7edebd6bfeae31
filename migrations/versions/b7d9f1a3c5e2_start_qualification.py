"""a process may require a qualification to start (credit-card face signing)

Revision ID: b7d9f1a3c5e2
Revises: a3c5e7f9b1d2
Create Date: 2026-12-04 22:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d9f1a3c5e2"
down_revision: str | Sequence[str] | None = "a3c5e7f9b1d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "process_definitions", sa.Column("start_qualification", sa.String(length=60), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("process_definitions", "start_qualification")
