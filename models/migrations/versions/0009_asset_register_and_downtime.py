"""asset register and downtime

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "downtimes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_by", sa.String(length=32), nullable=False),
        sa.Column("ended_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_downtimes_asset_id_assets")),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_orders.id"], name=op.f("fk_downtimes_work_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_downtimes")),
    )
    with op.batch_alter_table("downtimes", schema=None) as batch_op:
        batch_op.create_index("ix_downtimes_asset_id_started_at", ["asset_id", "started_at"], unique=False)

    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("manufacturer", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("model", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("serial", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("installed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("criticality", sa.String(length=20), nullable=False, server_default="medium"))
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="running"))
        batch_op.create_foreign_key(batch_op.f("fk_assets_parent_id_assets"), "assets", ["parent_id"], ["id"])

    with op.batch_alter_table("labor_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rate_cents", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cost_cents", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("labor_entries", schema=None) as batch_op:
        batch_op.drop_column("cost_cents")
        batch_op.drop_column("rate_cents")

    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_assets_parent_id_assets"), type_="foreignkey")
        batch_op.drop_column("status")
        batch_op.drop_column("criticality")
        batch_op.drop_column("installed_on")
        batch_op.drop_column("serial")
        batch_op.drop_column("model")
        batch_op.drop_column("manufacturer")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("category")

    with op.batch_alter_table("downtimes", schema=None) as batch_op:
        batch_op.drop_index("ix_downtimes_asset_id_started_at")

    op.drop_table("downtimes")
