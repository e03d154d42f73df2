"""indexes that keep the scheduler's tick and the digest off the finished history: the SLA watch's
partial indexes led by the status, and a team's open, new and completed work as ranges of its own

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

UNANSWERED = sa.text("first_response_at IS NULL")
ESCALATED = sa.text("escalated_at IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_work_orders_unanswered_response_due_at", table_name="work_orders")
    op.drop_index("ix_work_orders_escalated_at", table_name="work_orders")
    op.drop_index("ix_work_orders_team", table_name="work_orders")
    op.create_index(
        "ix_work_orders_unanswered_status_response_due_at",
        "work_orders",
        ["status", "response_due_at"],
        sqlite_where=UNANSWERED,
        postgresql_where=UNANSWERED,
    )
    op.create_index(
        "ix_work_orders_escalated_status_escalated_at",
        "work_orders",
        ["status", "escalated_at"],
        sqlite_where=ESCALATED,
        postgresql_where=ESCALATED,
    )
    op.create_index(
        "ix_work_orders_team_status_resolution_due_at", "work_orders", ["team", "status", "resolution_due_at"]
    )
    op.create_index("ix_work_orders_team_created_at", "work_orders", ["team", "created_at"])
    op.create_index("ix_work_orders_team_completed_at_closed_at", "work_orders", ["team", "completed_at", "closed_at"])


def downgrade() -> None:
    op.drop_index("ix_work_orders_team_completed_at_closed_at", table_name="work_orders")
    op.drop_index("ix_work_orders_team_created_at", table_name="work_orders")
    op.drop_index("ix_work_orders_team_status_resolution_due_at", table_name="work_orders")
    op.drop_index("ix_work_orders_escalated_status_escalated_at", table_name="work_orders")
    op.drop_index("ix_work_orders_unanswered_status_response_due_at", table_name="work_orders")
    op.create_index("ix_work_orders_team", "work_orders", ["team"])
    op.create_index(
        "ix_work_orders_escalated_at",
        "work_orders",
        ["escalated_at"],
        sqlite_where=ESCALATED,
        postgresql_where=ESCALATED,
    )
    op.create_index(
        "ix_work_orders_unanswered_response_due_at",
        "work_orders",
        ["response_due_at"],
        sqlite_where=UNANSWERED,
        postgresql_where=UNANSWERED,
    )
