"""device risk snapshots and the device's current risk (§9.3)

Every scored snapshot is kept with its score, action and reasons; the device carries the latest one's
score and reasons next to its risk level, for the lists.

Revision ID: b4e8d2f6a913
Revises: 62dfc001f9be
Create Date: 2026-12-07 23:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "b4e8d2f6a913"
down_revision: str | Sequence[str] | None = "62dfc001f9be"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("devices", sa.Column("risk_score", sa.Integer(), nullable=True))
    op.add_column("devices", sa.Column("risk_reasons", sa.JSON(), nullable=True))
    op.create_table(
        "device_risk_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("fingerprint_hash", sa.String(length=64), nullable=False),
        sa.Column("sim_iccid", sa.String(length=22), nullable=True),
        sa.Column("last_fix", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_device_risk_snapshots_device_id"), "device_risk_snapshots", ["device_id"], unique=False
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_device_risk_snapshots_device_id"), table_name="device_risk_snapshots")
    op.drop_table("device_risk_snapshots")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("risk_reasons")
        batch.drop_column("risk_score")
