"""Work sent to an outside contractor: the job (vendor, state, not-to-exceed amount, the contractor's cost
and hours, resolution) behind a private link, and the photos and invoice the contractor sends, kept until
they are shared in the card's thread."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, EnumText
from models.enums import JobState

KEY_LENGTH = 43  # secrets.token_urlsafe(32)
HASH_LENGTH = 64  # SHA-256, hex
NOTE_MAX = 2000
CONTACT_MAX = 200
RESOLUTION_MAX = 3000
REASON_MAX = 1000


class ContractorJob(Base):
    __tablename__ = "contractor_jobs"
    __table_args__ = (
        # One open job per work order: open until declined, revoked or reviewed (`closed_at` set).
        Index(
            "uq_contractor_jobs_open_work_order",
            "work_order_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id"), index=True)
    state: Mapped[JobState] = mapped_column(EnumText(JobState), default=JobState.SENT)
    # The SHA-256 of the key the contractor page's address holds: the key itself is shown once, when sent.
    link_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(CONTACT_MAX), default="")  # who to ask on site: a name
    # Money in the currency's minor units (services.contracting.money), never floats.
    currency: Mapped[str] = mapped_column(String(3))
    not_to_exceed_minor: Mapped[int | None] = mapped_column(Integer)
    cost_minor: Mapped[int | None] = mapped_column(Integer)
    minutes: Mapped[int | None]  # the hours they worked, as typed (2.5 h is 150)
    resolution: Mapped[str | None] = mapped_column(Text)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    sent_by: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]  # declined, revoked or reviewed: the link no longer acts
    updated_at: Mapped[datetime]


class ContractorFile(Base):
    """A photo or the invoice a contractor sent from their page: kept until shared in the card's thread,
    then its bytes are dropped (Slack holds the file)."""

    __tablename__ = "contractor_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("contractor_jobs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # photo | invoice
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    shared_at: Mapped[datetime | None]
    slack_file_id: Mapped[str | None] = mapped_column(String(32))
