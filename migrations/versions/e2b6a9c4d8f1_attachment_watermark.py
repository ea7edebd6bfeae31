"""an evidence photo keeps what its time + GPS watermark says (§7.1 三亲见)

Revision ID: e2b6a9c4d8f1
Revises: b7d9f1a3c5e2
Create Date: 2026-12-05 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e2b6a9c4d8f1"
down_revision: str | Sequence[str] | None = "b7d9f1a3c5e2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # nullable: uploads before this revision, signatures and unwatermarked photos have none
    op.add_column("attachments", sa.Column("watermark", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("attachments", "watermark")
