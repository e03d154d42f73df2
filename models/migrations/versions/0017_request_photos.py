"""photos sent with web portal requests

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slack_file_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["service_requests.id"], name=op.f("fk_request_photos_request_id_service_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_photos")),
    )
    op.create_index(op.f("ix_request_photos_request_id"), "request_photos", ["request_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_request_photos_request_id"), table_name="request_photos")
    op.drop_table("request_photos")
