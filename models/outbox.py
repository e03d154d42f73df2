"""The Slack outbox: what Slack must be told, written in the same transaction as the change that calls
for it, and delivered by a worker that retries until Slack has it."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Double, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class OutboxEntry(Base):
    """One notice to deliver (a card to post or redraw, DMs, thread lines, Home tabs, a digest...).

    Entries of one `lane` (a work order, a request, a channel) are delivered one at a time in id order,
    so a card is never redrawn from an older change after a newer one. `steps` records each Slack call
    already made (and what Slack answered), so an entry cut short by a crash or a 429 picks up where it
    stopped instead of posting twice.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending_lane",
            "lane",
            "id",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
        Index("ix_outbox_done_at", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lane: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]  # None: at once; set when a try failed and the next one waits
    attempts: Mapped[int] = mapped_column(default=0)  # tries that failed and will be made again
    crashes: Mapped[int] = mapped_column(default=0)  # of those, tries our own code failed (not Slack)
    leased_until: Mapped[datetime | None]  # a worker is delivering it: others keep off until then
    lease_token: Mapped[str | None] = mapped_column(String(32))
    steps: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failures: Mapped[list[Any]] = mapped_column(JSON, default=list)  # calls given up on (permanent errors)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]  # kept only when something was given up on; otherwise deleted


class SlackPace(Base):
    """When a rate-limited Slack method (or one channel's posting) may next be called, shared by every
    replica: they make their calls with one app token, so Slack counts them together."""

    __tablename__ = "slack_pace"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # "chat.update", "post:C0123"...
    next_at: Mapped[float] = mapped_column(Double)  # seconds since the epoch (wall clock): the next free slot
