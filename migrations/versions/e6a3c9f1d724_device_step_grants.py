"""restricted tablets (§9.3): an authorizer's grant to go on with an in-flight journey

Revision ID: e6a3c9f1d724
Revises: d2f8b6a4c913
Create Date: 2026-12-08 01:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e6a3c9f1d724"
down_revision: str | Sequence[str] | None = "d2f8b6a4c913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "device_step_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("branch_code", sa.String(length=32), nullable=False),
        sa.Column("process_id", sa.String(length=64), nullable=False),
        sa.Column("requested_at", _AT, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", _AT, nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("expires_at", _AT, nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("instance_id", "device_id", "branch_code", "status"):
        op.create_index(op.f(f"ix_device_step_grants_{column}"), "device_step_grants", [column], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    for column in ("status", "branch_code", "device_id", "instance_id"):
        op.drop_index(op.f(f"ix_device_step_grants_{column}"), table_name="device_step_grants")
    op.drop_table("device_step_grants")
