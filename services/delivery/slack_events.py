"""Bookkeeping for Slack's delivery habits: retried events, and who looks at the Home tab."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.slack_events import HomeViewer, SeenEvent
from services.delivery import outbox


async def first_delivery(session: AsyncSession, *, event_id: str, now: datetime) -> bool:
    """True the first time `event_id` is seen; Slack's retries of it get False. Part of the caller's
    transaction, so an event whose handling failed is taken again on retry."""
    statement = dialect_insert(session, SeenEvent).values(event_id=event_id, received_at=now)
    inserted = await session.execute(statement.on_conflict_do_nothing(index_elements=["event_id"]))
    return bool(inserted.rowcount)  # type: ignore[attr-defined]


async def opened_home(session: AsyncSession, *, user_id: str, now: datetime) -> None:
    statement = dialect_insert(session, HomeViewer).values(user_id=user_id, opened_at=now)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["user_id"], set_={"opened_at": statement.excluded.opened_at})
    )
    outbox.homes(session, [user_id], now=now)


async def home_viewers(session: AsyncSession, user_ids: Iterable[str]) -> list[str]:
    """Those of `user_ids` who have opened the Home tab (only their tab is kept fresh)."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    rows = await session.execute(select(HomeViewer.user_id).where(HomeViewer.user_id.in_(wanted)))
    return sorted(rows.scalars())
