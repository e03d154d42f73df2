"""Private calendar addresses: made from Slack or the CLI, listed, revoked, checked on every fetch.

An address is `/calendar/cal_<prefix>_<secret>.ics`, shown once; the database keeps the prefix (to tell
feeds apart and revoke them) and a SHA-256 hash of the token, as for API tokens. A feed is a team's (its
PM plan and the due dates of its open work) or one person's (the due dates of the work assigned to them).
"""

import re
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.calendar_schemas import CalendarFeedRead as FeedRead
from models.integrations import CalendarFeed
from services.errors import Forbidden, InvalidInput, NotFound
from services.organisation import secret_tokens
from services.organisation.org import USER_ID, Organisation

TOKEN_PATTERN = re.compile(r"^cal_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$")
PREFIX_PATTERN = re.compile(r"^(?:cal_)?([a-z0-9]{8})$")
PATH = "/calendar"
CLI = "cli"
LAST_USED_GRANULARITY_SECONDS = 300  # calendar apps fetch every hour or so; note it at most every 5 minutes


def address(org: Organisation, token: str) -> str:
    """Where a calendar app subscribes: absolute with `portal.public_url`, else the path to put behind it."""
    return f"{(org.portal.public_url or '').rstrip('/')}{PATH}/{token}.ics"


def may_manage(org: Organisation, user_id: str, feed: FeedRead | None = None, *, team: str | None = None) -> bool:
    """Admins manage every feed; a team's managers their team's; anyone their own person feed."""
    team = feed.team if feed is not None else team
    if user_id in org.admins or user_id == CLI:
        return True
    if team is not None:
        return any(t.key == team and user_id in t.managers for t in org.teams)
    return feed is not None and feed.person == user_id


async def create(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    created_by: str,
    team: str | None = None,
    person: str | None = None,
    replace_own: bool = False,
) -> tuple[FeedRead, str]:
    """A new feed of `team` or of `person`; returns it and its token, which nobody can see again. With
    `replace_own`, the person's earlier feeds are revoked (one personal address at a time from Slack)."""
    if (team is None) == (person is None):
        raise InvalidInput("A calendar is a team's or a person's: give one of them.")
    if team is not None:
        if team not in {t.key for t in org.teams}:
            raise InvalidInput(f"There is no team “{team}”. Teams: {', '.join(t.key for t in org.teams)}.")
        if not may_manage(org, created_by, team=team):
            raise Forbidden("Only the team's managers (and admins) can make its calendar address.")
    if person is not None:
        if not USER_ID.match(person):
            raise InvalidInput(f"'{person}' is not a Slack user id (like U024BE7LH).")
        if created_by not in (person, CLI) and created_by not in org.admins:
            raise Forbidden("A personal calendar address is made by its owner.")
        if replace_own:
            await session.execute(
                update(CalendarFeed)
                .where(CalendarFeed.person == person, CalendarFeed.revoked_at.is_(None))
                .values(revoked_at=now)
            )
    prefix, token = secret_tokens.new("cal")
    while await session.scalar(select(CalendarFeed.id).where(CalendarFeed.prefix == prefix)) is not None:
        prefix, token = secret_tokens.new("cal")  # 1 in 4 billion: cheaper to ask than to explain a clash
    stored = CalendarFeed(
        prefix=prefix,
        secret_hash=secret_tokens.digest(token),
        team=team,
        person=person,
        created_by=created_by,
        created_at=now,
    )
    session.add(stored)
    await session.flush()
    return FeedRead.model_validate(stored), token


async def listing(
    session: AsyncSession, *, org: Organisation, user_id: str = CLI, include_revoked: bool = False
) -> list[FeedRead]:
    """The feeds `user_id` may manage (every feed for the CLI and admins), newest first."""
    query = select(CalendarFeed).order_by(CalendarFeed.id.desc())
    if not include_revoked:
        query = query.where(CalendarFeed.revoked_at.is_(None))
    found = [FeedRead.model_validate(row) for row in await session.scalars(query)]
    return [feed for feed in found if may_manage(org, user_id, feed)]


async def revoke(
    session: AsyncSession, *, org: Organisation, now: datetime, prefix: str, user_id: str = CLI
) -> FeedRead:
    matched = PREFIX_PATTERN.match(prefix.strip())
    stored = (
        await session.scalar(select(CalendarFeed).where(CalendarFeed.prefix == matched.group(1))) if matched else None
    )
    if stored is None or not may_manage(org, user_id, FeedRead.model_validate(stored)):
        raise NotFound(f"There is no calendar address {prefix.strip()[:20]} that you can revoke.")
    if stored.revoked_at is None:
        stored.revoked_at = now
        await session.flush()
    return FeedRead.model_validate(stored)


async def authenticate(session: AsyncSession, *, now: datetime, token: str) -> FeedRead | None:
    """The live feed `token` opens, or None (malformed, unknown, revoked). Notes when it was last fetched."""
    stored = await secret_tokens.live(
        session, CalendarFeed, token=token, pattern=TOKEN_PATTERN, now=now, granularity=LAST_USED_GRANULARITY_SECONDS
    )
    return FeedRead.model_validate(stored) if stored is not None else None
