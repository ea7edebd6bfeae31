"""a 双录 recording keeps the length read from its container (domain J3 step 7, §5.6)

Revision ID: a9d3e5f7b214
Revises: c81f4a2e9d37
Create Date: 2026-12-07 22:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9d3e5f7b214"
down_revision: str | Sequence[str] | None = "c81f4a2e9d37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # nullable: images have no length
    op.add_column("attachments", sa.Column("duration_ms", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("attachments", "duration_ms")
