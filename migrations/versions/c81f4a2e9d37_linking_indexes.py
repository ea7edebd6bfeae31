"""blind indexes of the values that tie applications together (fraud-ring signal, domain J2)

Revision ID: c81f4a2e9d37
Revises: e2b6a9c4d8f1
Create Date: 2026-12-08 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c81f4a2e9d37"
down_revision: str | Sequence[str] | None = "e2b6a9c4d8f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "linking_indexes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=40), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("process_id", sa.String(length=100), nullable=False),
        sa.Column("subject_index", sa.String(length=64), nullable=False),
        sa.Column("link", sa.String(length=64), nullable=False),
        sa.Column("value_index", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["package_id"], ["evidence_packages.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_linking_indexes_package_id", "linking_indexes", ["package_id"])
    op.create_index("ix_linking_indexes_instance_id", "linking_indexes", ["instance_id"])
    op.create_index("ix_linking_indexes_lookup", "linking_indexes", ["process_id", "link", "value_index"])


def downgrade() -> None:
    op.drop_index("ix_linking_indexes_lookup", table_name="linking_indexes")
    op.drop_index("ix_linking_indexes_instance_id", table_name="linking_indexes")
    op.drop_index("ix_linking_indexes_package_id", table_name="linking_indexes")
    op.drop_table("linking_indexes")
