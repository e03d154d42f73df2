"""Bookkeeping that is not domain state: Slack events already handled, people who use App Home,
digests already posted."""

from datetime import date, datetime

from sqlalchemy import String, UniqueConstraint
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


class DigestRun(Base):
    """A digest posted for one local date: the unique key makes each run happen once across replicas."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("digest", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(80))
    local_date: Mapped[date]
    posted_at: Mapped[datetime]
