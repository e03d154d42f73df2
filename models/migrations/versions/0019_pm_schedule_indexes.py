"""indexes for the scheduler's tick: PM schedules with an open occurrence or a meter, work orders
unanswered past their response time or escalated

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

OPEN = sa.text("open_work_order_id IS NOT NULL")
METERED = sa.text("meter IS NOT NULL")
UNANSWERED = sa.text("first_response_at IS NULL")
ESCALATED = sa.text("escalated_at IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_pm_schedules_open_work_order_id",
        "pm_schedules",
        ["open_work_order_id"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_pm_schedules_asset_id_meter",
        "pm_schedules",
        ["asset_id", "meter"],
        sqlite_where=METERED,
        postgresql_where=METERED,
    )
    op.create_index(
        "ix_work_orders_unanswered_response_due_at",
        "work_orders",
        ["response_due_at"],
        sqlite_where=UNANSWERED,
        postgresql_where=UNANSWERED,
    )
    op.create_index(
        "ix_work_orders_escalated_at",
        "work_orders",
        ["escalated_at"],
        sqlite_where=ESCALATED,
        postgresql_where=ESCALATED,
    )


def downgrade() -> None:
    op.drop_index("ix_work_orders_escalated_at", table_name="work_orders")
    op.drop_index("ix_work_orders_unanswered_response_due_at", table_name="work_orders")
    op.drop_index("ix_pm_schedules_asset_id_meter", table_name="pm_schedules")
    op.drop_index("ix_pm_schedules_open_work_order_id", table_name="pm_schedules")
