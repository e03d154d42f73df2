"""purchasing: purchase requests and orders, their lines and receipts, and the PO-n counter

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def _now() -> sa.sql.elements.TextClause:
    return sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=True),
        sa.Column("requested_by", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=32), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("approval_messages", sa.JSON(), nullable=False),
        sa.Column("message_channel", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("emailed_to", sa.String(length=254), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=_now(), nullable=False),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"], name=op.f("fk_purchase_orders_vendor_id_vendors")),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_orders.id"], name=op.f("fk_purchase_orders_work_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_orders_number")),
    )
    op.create_index("ix_purchase_orders_status_ordered_at", "purchase_orders", ["status", "ordered_at"])
    op.create_index(op.f("ix_purchase_orders_vendor_id"), "purchase_orders", ["vendor_id"])
    op.create_index(op.f("ix_purchase_orders_work_order_id"), "purchase_orders", ["work_order_id"])
    op.create_table(
        "purchase_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost_minor", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["purchase_orders.id"], name=op.f("fk_purchase_lines_order_id_purchase_orders")
        ),
        sa.ForeignKeyConstraint(["part_id"], ["parts.id"], name=op.f("fk_purchase_lines_part_id_parts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_lines")),
    )
    op.create_index(op.f("ix_purchase_lines_order_id"), "purchase_lines", ["order_id"])
    op.create_table(
        "purchase_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost_minor", sa.Integer(), nullable=False),
        sa.Column("over", sa.Boolean(), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["purchase_orders.id"], name=op.f("fk_purchase_receipts_order_id_purchase_orders")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["purchase_lines.id"], name=op.f("fk_purchase_receipts_line_id_purchase_lines")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_receipts")),
    )
    op.create_index(op.f("ix_purchase_receipts_order_id"), "purchase_receipts", ["order_id"])
    op.create_index(op.f("ix_purchase_receipts_at"), "purchase_receipts", ["at"])
    counters = sa.table("counters", sa.column("name", sa.String()), sa.column("value", sa.Integer()))
    op.bulk_insert(counters, [{"name": "purchase_order", "value": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM counters WHERE name = 'purchase_order'")
    op.drop_index(op.f("ix_purchase_receipts_at"), table_name="purchase_receipts")
    op.drop_index(op.f("ix_purchase_receipts_order_id"), table_name="purchase_receipts")
    op.drop_table("purchase_receipts")
    op.drop_index(op.f("ix_purchase_lines_order_id"), table_name="purchase_lines")
    op.drop_table("purchase_lines")
    op.drop_index(op.f("ix_purchase_orders_work_order_id"), table_name="purchase_orders")
    op.drop_index(op.f("ix_purchase_orders_vendor_id"), table_name="purchase_orders")
    op.drop_index("ix_purchase_orders_status_ordered_at", table_name="purchase_orders")
    op.drop_table("purchase_orders")
