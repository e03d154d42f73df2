"""Slack bookkeeping that is not domain state: events already handled, people who use App Home."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class SeenEvent(Base):
    """An Events API `event_id` already handled: Slack retries deliveries, we act once."""

    __tablename__ = "seen_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]


class HomeViewer(Base):
    """Someone who has opened Wrench's Home tab: only their Home is refreshed when work changes."""

    __tablename__ = "home_viewers"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    opened_at: Mapped[datetime]
