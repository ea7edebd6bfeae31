"""device changes keep the state they put the device in

A change that took effect (APPLIED at once, or APPROVED on decision) records the state the device
entered, so post-supervision can read a device's state at any past moment from its history alone.
Rows written before this revision are filled from the transition's name: the lifecycle table then and
now ends each transition in one state (check_out and check_in keep the device ACTIVE). Pending,
rejected and superseded rows changed nothing and stay empty.

Revision ID: ace4e7437257
Revises: b4e8d2f6a913
Create Date: 2026-12-08 01:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ace4e7437257"
down_revision: str | Sequence[str] | None = "b4e8d2f6a913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# devices/lifecycle.py's TRANSITIONS as of this revision, written out: a migration never imports the
# code it migrates for, which may change after it
TO_STATE = {
    "register": "REGISTERED",
    "bind": "BOUND",
    "activate": "ACTIVE",
    "check_out": "ACTIVE",
    "check_in": "ACTIVE",
    "lock": "LOCKED",
    "unlock": "ACTIVE",
    "transfer": "TRANSFER_PENDING",
    "complete_transfer": "BOUND",
    "send_to_repair": "REPAIR",
    "return_from_repair": "BOUND",
    "report_lost": "LOST",
    "recover": "REPAIR",
    "void": "VOIDED",
}


def upgrade() -> None:
    op.add_column("device_changes", sa.Column("to_state", sa.String(length=20), nullable=True))
    changes = sa.table(
        "device_changes",
        sa.column("transition", sa.String()),
        sa.column("status", sa.String()),
        sa.column("to_state", sa.String()),
    )
    for transition, state in TO_STATE.items():
        op.execute(
            changes.update()
            .where(changes.c.transition == transition, changes.c.status.in_(("APPLIED", "APPROVED")))
            .values(to_state=state)
        )


def downgrade() -> None:
    with op.batch_alter_table("device_changes") as batch:
        batch.drop_column("to_state")
