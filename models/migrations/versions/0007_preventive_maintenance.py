"""preventive maintenance

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asset_meters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_asset_meters_asset_id_assets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_meters")),
        sa.UniqueConstraint("asset_id", "name", name=op.f("uq_asset_meters_asset_id")),
    )
    op.create_table(
        "meter_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_meter_readings_asset_id_assets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meter_readings")),
    )
    with op.batch_alter_table("meter_readings", schema=None) as batch_op:
        batch_op.create_index("ix_meter_readings_asset_id_name_read_at", ["asset_id", "name", "read_at"], unique=False)

    op.create_table(
        "pm_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("estimated_minutes", sa.Integer(), nullable=True),
        sa.Column("repeat", sa.String(length=20), nullable=True),
        sa.Column("every", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("cron", sa.String(length=100), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("max_count", sa.Integer(), nullable=True),
        sa.Column("anchor", sa.String(length=20), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("non_working", sa.String(length=20), nullable=False),
        sa.Column("meter", sa.String(length=40), nullable=True),
        sa.Column("meter_every", sa.Float(), nullable=True),
        sa.Column("meter_threshold", sa.Float(), nullable=True),
        sa.Column("one_open", sa.Boolean(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("generate_on", sa.Date(), nullable=True),
        sa.Column("open_work_order_id", sa.Integer(), nullable=True),
        sa.Column("generated_count", sa.Integer(), nullable=False),
        sa.Column("last_due_on", sa.Date(), nullable=True),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("meter_base", sa.Float(), nullable=True),
        sa.Column("meter_armed", sa.Boolean(), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pause_reason", sa.String(length=300), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(["asset_id"], ["assets.id"], name=op.f("fk_pm_schedules_asset_id_assets")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_pm_schedules_location_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pm_schedules")),
        sa.UniqueConstraint("key", name=op.f("uq_pm_schedules_key")),
    )
    with op.batch_alter_table("pm_schedules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pm_schedules_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index("ix_pm_schedules_generate_on", ["generate_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_pm_schedules_team"), ["team"], unique=False)

    op.create_table(
        "pm_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["pm_schedules.id"], name=op.f("fk_pm_occurrences_schedule_id_pm_schedules")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_orders.id"], name=op.f("fk_pm_occurrences_work_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pm_occurrences")),
        sa.UniqueConstraint("schedule_id", "sequence", name=op.f("uq_pm_occurrences_schedule_id")),
    )
    with op.batch_alter_table("pm_occurrences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pm_occurrences_work_order_id"), ["work_order_id"], unique=False)

    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pm_schedule_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("checklist", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("estimated_minutes", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_work_orders_pm_schedule_id"), ["pm_schedule_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_work_orders_pm_schedule_id_pm_schedules"), "pm_schedules", ["pm_schedule_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_work_orders_pm_schedule_id_pm_schedules"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_work_orders_pm_schedule_id"))
        batch_op.drop_column("estimated_minutes")
        batch_op.drop_column("checklist")
        batch_op.drop_column("pm_schedule_id")

    with op.batch_alter_table("pm_occurrences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pm_occurrences_work_order_id"))

    op.drop_table("pm_occurrences")
    with op.batch_alter_table("pm_schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pm_schedules_team"))
        batch_op.drop_index("ix_pm_schedules_generate_on")
        batch_op.drop_index(batch_op.f("ix_pm_schedules_asset_id"))

    op.drop_table("pm_schedules")
    with op.batch_alter_table("meter_readings", schema=None) as batch_op:
        batch_op.drop_index("ix_meter_readings_asset_id_name_read_at")

    op.drop_table("meter_readings")
    op.drop_table("asset_meters")
