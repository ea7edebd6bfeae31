"""journeys held when their device leaves service (§9.1), and the device of each journey's latest step

`process_instances.last_device_id` names the device the journey is in flight on (its latest staff
step); a device that is locked, lost, sent to repair, transferred or voided holds those journeys in
`journey_holds` until staff resume them on another device. Running journeys take the device of their
latest step in the trail.

Revision ID: c7a3e5f1d802
Revises: e6a3c9f1d724
Create Date: 2026-12-08 01:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c7a3e5f1d802"
down_revision: str | Sequence[str] | None = "e6a3c9f1d724"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column("process_instances", sa.Column("last_device_id", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_process_instances_last_device_id"), "process_instances", ["last_device_id"], unique=False
    )
    op.execute(
        "UPDATE process_instances SET last_device_id = ("
        " SELECT e.device_id FROM instance_events e"
        " WHERE e.instance_id = process_instances.id AND e.device_id IS NOT NULL"
        " AND e.actor_id IS NOT NULL ORDER BY e.id DESC LIMIT 1)"
        " WHERE status <> 'completed'"
    )
    op.create_table(
        "journey_holds",
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("device_state", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("instance_id"),
    )
    op.create_index(op.f("ix_journey_holds_device_id"), "journey_holds", ["device_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_journey_holds_device_id"), table_name="journey_holds")
    op.drop_table("journey_holds")
    op.drop_index(op.f("ix_process_instances_last_device_id"), table_name="process_instances")
    with op.batch_alter_table("process_instances") as batch:
        batch.drop_column("last_device_id")
