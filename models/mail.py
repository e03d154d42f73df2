"""Email on its way out: a durable queue, written in the transaction that decided to send it."""

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

RECIPIENT_MAX = 254
SUBJECT_MAX = 250
ABOUT_MAX = 32


class OutgoingMail(Base):
    """One message, built whole when it was queued (so a retry sends the same bytes, Message-ID and all),
    sent by the mail worker with retries until the server takes it or refuses it for good."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(RECIPIENT_MAX))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    about: Mapped[str] = mapped_column(String(ABOUT_MAX), default="")  # what it concerns: WO-12, PO-3
    message: Mapped[bytes] = mapped_column(LargeBinary)  # RFC 5322, as sent
    state: Mapped[str] = mapped_column(String(16))  # pending, sent, failed (gave up)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    leased_until: Mapped[datetime | None]  # a worker is sending it: others keep off until then
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
