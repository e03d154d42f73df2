"""sla status and escalation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sla_response", sa.String(length=20), nullable=False, server_default="ongoing"))
        batch_op.add_column(sa.Column("sla_resolution", sa.String(length=20), nullable=False, server_default="ongoing"))
        batch_op.add_column(sa.Column("sla_warned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("escalation_level", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_work_orders_status_resolution_due_at", ["status", "resolution_due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_work_orders_status_resolution_due_at")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("escalation_level")
        batch_op.drop_column("sla_warned_at")
        batch_op.drop_column("sla_resolution")
        batch_op.drop_column("sla_response")
