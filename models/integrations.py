"""What connects Wrench to other systems: REST API tokens, the events it publishes, webhook deliveries."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ApiToken(Base):
    """A bearer token for `/api/v1`. Only a SHA-256 hash of the secret is kept: it is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # the public part, to tell tokens apart
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    acts_as: Mapped[str | None] = mapped_column(String(32))  # the Slack user every write is made as
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class PublishedEvent(Base):
    """A work-order or request event, written in the transaction that caused it (a transactional outbox).

    The webhook worker fans each one out to the webhooks that subscribe to it, once.
    """

    __tablename__ = "published_events"
    __table_args__ = (Index("ix_published_events_pending", "fanned_out_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(48))
    occurred_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    fanned_out_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One event on its way to one webhook: retried with backoff until delivered or given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int] = mapped_column(ForeignKey("published_events.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))  # pending, delivered, failed (gave up)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    leased_until: Mapped[datetime | None]  # a worker is sending it: others keep off until then
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class CalendarFeed(Base):
    """A private iCalendar address: a team's PM plan and due work, or one person's own work. Only a SHA-256
    hash of its secret is kept, as for API tokens; the address is shown once."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # the public part: lists, revoking
    secret_hash: Mapped[str] = mapped_column(String(64))
    team: Mapped[str | None] = mapped_column(String(64))  # a team's feed, or
    person: Mapped[str | None] = mapped_column(String(32), index=True)  # one person's own work
    created_by: Mapped[str] = mapped_column(String(32))  # a Slack user id, or "cli"
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
