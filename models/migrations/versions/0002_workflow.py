"""workflow: places, holds, approvals, attachments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "home_viewers",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_home_viewers")),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["locations.id"], name=op.f("fk_locations_parent_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("path", name=op.f("uq_locations_path")),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locations_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "seen_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_seen_events")),
    )
    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False
        ),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_assets_location_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("tag", name=op.f("uq_assets_tag")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assets_location_id"), ["location_id"], unique=False)

    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("asset_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("source_channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("source_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("rejection_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("approval_messages", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.create_foreign_key(
            batch_op.f("fk_service_requests_location_id_locations"), "locations", ["location_id"], ["id"]
        )
        batch_op.create_foreign_key(batch_op.f("fk_service_requests_asset_id_assets"), "assets", ["asset_id"], ["id"])

    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("location_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("asset_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("source_channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("source_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("source_link", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("hold_reason", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("status_note", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_work_orders_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_orders_location_id"), ["location_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_work_orders_location_id_locations"), "locations", ["location_id"], ["id"]
        )
        batch_op.create_foreign_key(batch_op.f("fk_work_orders_asset_id_assets"), "assets", ["asset_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_work_orders_asset_id_assets"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_work_orders_location_id_locations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_work_orders_location_id"))
        batch_op.drop_index(batch_op.f("ix_work_orders_asset_id"))
        batch_op.drop_column("status_note")
        batch_op.drop_column("hold_reason")
        batch_op.drop_column("source_link")
        batch_op.drop_column("source_ts")
        batch_op.drop_column("source_channel")
        batch_op.drop_column("attachments")
        batch_op.drop_column("asset_id")
        batch_op.drop_column("location_id")

    with op.batch_alter_table("service_requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_service_requests_asset_id_assets"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_service_requests_location_id_locations"), type_="foreignkey")
        batch_op.drop_column("approval_messages")
        batch_op.drop_column("rejection_reason")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("source_ts")
        batch_op.drop_column("source_channel")
        batch_op.drop_column("attachments")
        batch_op.drop_column("asset_id")
        batch_op.drop_column("location_id")

    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assets_location_id"))

    op.drop_table("assets")
    op.drop_table("seen_events")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_parent_id"))

    op.drop_table("locations")
    op.drop_table("home_viewers")
