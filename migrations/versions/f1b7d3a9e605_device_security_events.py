"""device security events (§9.3): automatic locks, step-up notices, failed wipes, and who acknowledged them

Revision ID: f1b7d3a9e605
Revises: c7a3e5f1d802
Create Date: 2026-12-08 01:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "f1b7d3a9e605"
down_revision: str | Sequence[str] | None = "c7a3e5f1d802"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "device_security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("branch_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("at", _AT, nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_at", _AT, nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("device_id", "branch_code"):
        op.create_index(
            op.f(f"ix_device_security_events_{column}"), "device_security_events", [column], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    for column in ("branch_code", "device_id"):
        op.drop_index(op.f(f"ix_device_security_events_{column}"), table_name="device_security_events")
    op.drop_table("device_security_events")
