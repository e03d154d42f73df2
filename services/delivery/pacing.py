"""Slack's rate limits booked in the database, so replicas sharing one app token share one budget.

A key is what Slack counts on its own: a Web API method (`chat.update`, its tier's calls a minute) or
posting in one channel (`post:C0123`, about a message a second). Each key's row holds the next free slot
(seconds since the epoch). Booking takes the slot and moves the next one on by the key's spacing, in one
statement, so two replicas booking at once get different slots. A slot further off than `max_wait` is
not booked: the caller gives its work back and books again when it is near, and a long rest after a 429
cannot push a channel's slots further away with every retry.
"""

from collections.abc import Sequence

from sqlalchemy import case, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.outbox import SlackPace


async def book(session: AsyncSession, *, slots: Sequence[tuple[str, float]], now: float, max_wait: float) -> float:
    """Book a slot of each (key, spacing) for one call; returns the seconds until the call may be made
    (more than `max_wait`: not booked, come back later)."""
    delay = 0.0
    for key, spacing in slots:
        delay = max(delay, await _book_one(session, key, spacing, now=now, max_wait=max_wait))
    return delay


async def _book_one(session: AsyncSession, key: str, spacing: float, *, now: float, max_wait: float) -> float:
    free_from = case((SlackPace.next_at > now, SlackPace.next_at), else_=literal(now))
    booked = await session.scalar(
        update(SlackPace)
        .where(SlackPace.key == key, SlackPace.next_at <= now + max_wait)
        .values(next_at=free_from + spacing)
        .returning(SlackPace.next_at)
        .execution_options(synchronize_session=False)
    )
    if booked is not None:
        return max(0.0, booked - spacing - now)
    current = await session.scalar(select(SlackPace.next_at).where(SlackPace.key == key))
    if current is not None:
        return max(0.0, current - now)  # further off than max_wait: not booked
    statement = dialect_insert(session, SlackPace).values(key=key, next_at=now + spacing)
    inserted = await session.execute(statement.on_conflict_do_nothing(index_elements=["key"]))
    if inserted.rowcount == 1:  # type: ignore[attr-defined]
        return 0.0
    return await _book_one(session, key, spacing, now=now, max_wait=max_wait)  # another replica made the row


async def rest(session: AsyncSession, *, keys: Sequence[str], until: float) -> None:
    """Slack answered 429: no slot of these keys before `until`."""
    for key in keys:
        statement = dialect_insert(session, SlackPace).values(key=key, next_at=until)
        later = case((SlackPace.next_at > until, SlackPace.next_at), else_=literal(until))
        await session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"next_at": later}))
