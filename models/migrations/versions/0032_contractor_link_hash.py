"""contractor links kept as a SHA-256 hash: the key is shown once, as API tokens and calendar addresses are

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contractor_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_hash", sa.String(length=64), nullable=True))
    jobs = sa.table("contractor_jobs", sa.column("id", sa.Integer), sa.column("link_key"), sa.column("link_hash"))
    connection = op.get_bind()
    for job_id, key in connection.execute(sa.select(jobs.c.id, jobs.c.link_key)).all():
        digest = hashlib.sha256(str(key).encode()).hexdigest()
        connection.execute(sa.update(jobs).where(jobs.c.id == job_id).values(link_hash=digest))
    with op.batch_alter_table("contractor_jobs", schema=None) as batch_op:
        batch_op.alter_column("link_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_contractor_jobs_link_hash"), ["link_hash"])
        batch_op.drop_constraint(batch_op.f("uq_contractor_jobs_link_key"), type_="unique")
        batch_op.drop_column("link_key")


def downgrade() -> None:
    """The keys cannot be recovered from their hashes: every open link stops working (the team sends anew)."""
    with op.batch_alter_table("contractor_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_key", sa.String(length=43), nullable=True))
    jobs = sa.table("contractor_jobs", sa.column("id", sa.Integer), sa.column("link_key"))
    connection = op.get_bind()
    for (job_id,) in connection.execute(sa.select(jobs.c.id)).all():
        connection.execute(sa.update(jobs).where(jobs.c.id == job_id).values(link_key=f"revoked-{job_id}"))
    with op.batch_alter_table("contractor_jobs", schema=None) as batch_op:
        batch_op.alter_column("link_key", existing_type=sa.String(length=43), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_contractor_jobs_link_key"), ["link_key"])
        batch_op.drop_constraint(batch_op.f("uq_contractor_jobs_link_hash"), type_="unique")
        batch_op.drop_column("link_hash")
