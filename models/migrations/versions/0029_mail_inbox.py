"""requests by email: the messages read, and what a sent message is for

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=250), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("work_order_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["service_requests.id"], name=op.f("fk_mail_inbox_request_id_service_requests")
        ),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_orders.id"], name=op.f("fk_mail_inbox_work_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_inbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mail_inbox_message_id")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f("ix_mail_outbox_message_id"), ["message_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_mail_outbox_dedupe_key"), ["dedupe_key"])


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_mail_outbox_dedupe_key"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_mail_outbox_message_id"))
        batch_op.drop_column("dedupe_key")
        batch_op.drop_column("message_id")
    op.drop_table("mail_inbox")
