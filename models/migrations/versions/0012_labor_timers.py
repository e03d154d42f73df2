"""labor timers

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "labor_timers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_orders.id"], name=op.f("fk_labor_timers_work_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labor_timers")),
        sa.UniqueConstraint("work_order_id", "user_id", name=op.f("uq_labor_timers_work_order_id")),
    )
    with op.batch_alter_table("labor_timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_labor_timers_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("labor_timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labor_timers_user_id"))

    op.drop_table("labor_timers")
