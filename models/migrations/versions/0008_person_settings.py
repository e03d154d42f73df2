"""person settings

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_settings",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("morning_dm", sa.Boolean(), nullable=False),
        sa.Column("morning_dm_sent_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_person_settings")),
    )


def downgrade() -> None:
    op.drop_table("person_settings")
