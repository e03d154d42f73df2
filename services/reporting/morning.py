"""The personal morning DM: people opt in from the Home tab and get their own open work, most
overdue first, once per working day at `morning_dm.at` local time (once across replicas)."""

from datetime import date, datetime

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.people import PersonSettings
from services.delivery import outbox
from services.organisation.business_time import WEEKDAYS
from services.organisation.org import Organisation
from services.reporting import finding


async def choose(session: AsyncSession, *, user_id: str, on: bool, now: datetime) -> None:
    """Turn `user_id`'s morning DM on or off."""
    statement = dialect_insert(session, PersonSettings).values(user_id=user_id, morning_dm=on, updated_at=now)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["user_id"], set_={"morning_dm": on, "updated_at": now})
    )
    outbox.homes(session, [user_id], now=now)  # the tab shows the choice


def due_date(org: Organisation, now: datetime) -> date | None:
    """Today's local date once the morning time has come on a configured weekday, else None."""
    local = now.astimezone(org.zone())
    if WEEKDAYS[local.weekday()] not in org.morning_dm.weekdays or local.time() < org.morning_dm.at:
        return None
    return local.date()


async def claim(session: AsyncSession, *, today: date) -> list[str]:
    """The people whose DM for `today` is still to send, marked sent in the same statement."""
    claimed = await session.execute(
        update(PersonSettings)
        .where(
            PersonSettings.morning_dm.is_(True),
            or_(PersonSettings.morning_dm_sent_on.is_(None), PersonSettings.morning_dm_sent_on < today),
        )
        .values(morning_dm_sent_on=today)
        .returning(PersonSettings.user_id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.scalars())


async def queue(session: AsyncSession, *, today: date, now: datetime) -> int:
    """Mark today's DMs sent and queue them, in one transaction."""
    sent = 0
    for user_id in await claim(session, today=today):
        listing = await finding.mine(session, user_id=user_id)
        if listing.total:
            outbox.morning(session, user_id, listing, now=now)
            sent += 1
    return sent
