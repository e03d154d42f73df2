"""portal requester and status key

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requester_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("requester_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("status_key", sa.String(length=43), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_service_requests_status_key"), ["status_key"])


def downgrade() -> None:
    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_service_requests_status_key"), type_="unique")
        batch_op.drop_column("status_key")
        batch_op.drop_column("requester_email")
        batch_op.drop_column("requester_name")
