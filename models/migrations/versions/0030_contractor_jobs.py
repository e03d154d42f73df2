"""work sent to contractors: the job behind a private link, and the files the contractor sends

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contractor_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_order_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("link_key", sa.String(length=43), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("not_to_exceed_minor", sa.Integer(), nullable=True),
        sa.Column("cost_minor", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("sent_by", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"], name=op.f("fk_contractor_jobs_vendor_id_vendors")),
        sa.ForeignKeyConstraint(
            ["work_order_id"], ["work_orders.id"], name=op.f("fk_contractor_jobs_work_order_id_work_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contractor_jobs")),
        sa.UniqueConstraint("link_key", name=op.f("uq_contractor_jobs_link_key")),
    )
    with op.batch_alter_table("contractor_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contractor_jobs_vendor_id"), ["vendor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contractor_jobs_work_order_id"), ["work_order_id"], unique=False)
        batch_op.create_index(
            "uq_contractor_jobs_open_work_order",
            ["work_order_id"],
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )
    op.create_table(
        "contractor_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slack_file_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["contractor_jobs.id"], name=op.f("fk_contractor_files_job_id_contractor_jobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contractor_files")),
    )
    with op.batch_alter_table("contractor_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contractor_files_job_id"), ["job_id"], unique=False)


def downgrade() -> None:
    op.drop_table("contractor_files")
    op.drop_table("contractor_jobs")
