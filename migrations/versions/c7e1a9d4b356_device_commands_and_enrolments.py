"""device identity keys per enrolment generation, remote commands, and what the tablet confirmed

Revision ID: c7e1a9d4b356
Revises: ace4e7437257
Create Date: 2026-12-08 01:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c7e1a9d4b356"
down_revision: str | Sequence[str] | None = "ace4e7437257"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("devices", sa.Column("epoch", sa.Integer(), server_default="0", nullable=False))
    op.add_column("devices", sa.Column("command_seq", sa.Integer(), server_default="0", nullable=False))
    op.add_column("devices", sa.Column("applied_state", sa.String(length=16), nullable=True))
    op.add_column("devices", sa.Column("pending_action", sa.String(length=40), nullable=True))
    op.add_column("devices", sa.Column("pending_since", _AT, nullable=True))
    op.add_column("devices", sa.Column("last_check_in_at", _AT, nullable=True))
    op.create_table(
        "device_enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=130), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("fingerprint_hash", sa.String(length=64), nullable=False),
        sa.Column("app_version", sa.String(length=32), nullable=False),
        sa.Column("enrolled_by", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", _AT, nullable=False),
        sa.Column("revoked_at", _AT, nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_id", "epoch", name="uq_device_enrolments_epoch"),
        sa.UniqueConstraint("public_key", name="uq_device_enrolments_public_key"),
    )
    op.create_index(op.f("ix_device_enrolments_device_id"), "device_enrolments", ["device_id"], unique=False)
    op.create_table(
        "device_commands",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", _AT, nullable=False),
        sa.Column("not_after", _AT, nullable=True),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("signing_key_id", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_delivered_at", _AT, nullable=True),
        sa.Column("deferrals", sa.Integer(), nullable=False),
        sa.Column("closed_at", _AT, nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("outcome_reason", sa.String(length=500), nullable=True),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("device_id", "epoch", "seq", name="uq_device_commands_seq"),
    )
    op.create_index(op.f("ix_device_commands_device_id"), "device_commands", ["device_id"], unique=False)
    op.create_index(op.f("ix_device_commands_status"), "device_commands", ["status"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_device_commands_status"), table_name="device_commands")
    op.drop_index(op.f("ix_device_commands_device_id"), table_name="device_commands")
    op.drop_table("device_commands")
    op.drop_index(op.f("ix_device_enrolments_device_id"), table_name="device_enrolments")
    op.drop_table("device_enrolments")
    with op.batch_alter_table("devices") as batch:
        for column in ("last_check_in_at", "pending_since", "pending_action", "applied_state"):
            batch.drop_column(column)
        batch.drop_column("command_seq")
        batch.drop_column("epoch")
