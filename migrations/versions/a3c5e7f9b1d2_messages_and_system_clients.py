"""message subscriptions and deliveries, system clients

Revision ID: a3c5e7f9b1d2
Revises: f1b6d2c8a4e0
Create Date: 2026-12-04 22:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c5e7f9b1d2"
down_revision: str | Sequence[str] | None = "f1b6d2c8a4e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_subscriptions",
        sa.Column("message_name", sa.String(length=100), nullable=False),
        sa.Column("correlation_key", sa.String(length=200), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("message_name", "correlation_key"),
    )
    op.create_index("ix_message_subscriptions_instance_id", "message_subscriptions", ["instance_id"])
    op.create_table(
        "message_deliveries",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=False),
        sa.Column("message_name", sa.String(length=100), nullable=False),
        sa.Column("correlation_key", sa.String(length=200), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("payload_sm3", sa.String(length=64), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "message_id"),
    )
    op.create_index("ix_message_deliveries_instance_id", "message_deliveries", ["instance_id"])
    op.create_table(
        "system_clients",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("message_names", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id"),
        sa.UniqueConstraint("token_hash"),
    )


def downgrade() -> None:
    op.drop_table("system_clients")
    op.drop_index("ix_message_deliveries_instance_id", table_name="message_deliveries")
    op.drop_table("message_deliveries")
    op.drop_index("ix_message_subscriptions_instance_id", table_name="message_subscriptions")
    op.drop_table("message_subscriptions")
