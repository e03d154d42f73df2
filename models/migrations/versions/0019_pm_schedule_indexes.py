"""indexes for the PM tick: schedules with an open occurrence, schedules with a meter

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


def downgrade() -> None:
    op.drop_index("ix_pm_schedules_asset_id_meter", table_name="pm_schedules")
    op.drop_index("ix_pm_schedules_open_work_order_id", table_name="pm_schedules")
