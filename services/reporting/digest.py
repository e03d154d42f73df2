"""Daily backlog digests: which are due (in the organisation's local time), what one shows, and the
once-per-day claim that makes two schedulers post it once."""

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.enums import Status
from models.places import Asset
from models.slack_events import DigestRun
from models.views import DigestChart, DigestData
from models.work_orders import WorkOrder
from services.contracting import vendors
from services.delivery import outbox
from services.maintenance import pm_generation
from services.organisation.business_time import WEEKDAYS
from services.organisation.org import Digest, Organisation
from services.purchasing import spend
from services.reporting import finding
from services.reporting import satisfaction as ratings
from services.reporting.assets import contact
from services.reporting.breakdowns import new_recurring
from services.reporting.workload_records import overdue_holders
from services.sla.plans import unindexed
from services.work_orders import rules
from services.work_orders.satisfaction import LOW as LOW_RATING

log = logging.getLogger("wrench.scheduler")
AGING = (
    (timedelta(days=1), "under a day"),
    (timedelta(days=3), "1 to 3 days"),
    (timedelta(days=7), "3 to 7 days"),
    (timedelta(days=30), "1 to 4 weeks"),
)
OLDEST = "over 4 weeks"
LISTED = 10
CHART_DAYS = 14
CHART_PEOPLE = 8


def due(org: Organisation, now: datetime) -> list[tuple[Digest, date]]:
    """Digests whose time has come today (local), with today's date: posted once per date, so after
    downtime a missed digest is posted once when the scheduler is back the same day."""
    local = now.astimezone(org.zone())
    return [
        (digest, local.date())
        for digest in org.digests
        if WEEKDAYS[local.weekday()] in digest.weekdays and local.time() >= digest.at
    ]


async def claim(session: AsyncSession, digest: Digest, local_date: date, now: datetime) -> bool:
    """True for the one caller that gets to post `digest` for `local_date`."""
    statement = (
        dialect_insert(session, DigestRun)
        .values(digest=digest.key, local_date=local_date, posted_at=now)
        .on_conflict_do_nothing()
    )
    return bool((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def claim_and_build(
    session: AsyncSession, *, org: Organisation, digest: Digest, local_date: date, now: datetime
) -> DigestData | None:
    """Today's digest to post, or None when another scheduler (or an earlier tick) has it already."""
    if not await claim(session, digest, local_date, now):
        return None
    return await build(session, org=org, team=digest.team, now=now)


async def chart_data(
    session: AsyncSession, *, org: Organisation, team: str, now: datetime, days: int = CHART_DAYS
) -> DigestChart:
    """The chart's two series in two queries, over the last `days` local days (the last one ends now).

    A work order is in the backlog from its `created_at` until it left the active statuses: its
    `completed_at`, or else its `closed_at` (cancelling sets `closed_at`, so cancelled work leaves when it
    was cancelled; no event replay). Reopening clears `completed_at`, so reopened work counts as open
    since its creation. Completions are the work completed in those same days (from the first day's local
    midnight), per `completed_by`, top `CHART_PEOPLE`, most first."""
    zone = org.zone()
    today = now.astimezone(zone).date()
    dates = [today - timedelta(days=back) for back in range(days - 1, -1, -1)]
    bounds = [datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC) for day in dates[:-1]] + [now]
    ended = func.coalesce(WorkOrder.completed_at, WorkOrder.closed_at)
    counts = [
        func.sum(case((and_(WorkOrder.created_at < bound, or_(ended.is_(None), ended >= bound)), 1), else_=0))
        for bound in bounds
    ]
    # The work in the backlog on any of the days: not ended, or ended since the first day's end. Asked as
    # three disjoint ranges of `ix_work_orders_team_completed_at_closed_at` (one OR would read every row
    # the team ever had) and added up.
    completed, closed = WorkOrder.completed_at, WorkOrder.closed_at
    spans = (
        and_(completed.is_(None), closed.is_(None)),
        completed >= bounds[0],
        and_(completed.is_(None), closed >= bounds[0]),
    )
    mine = (WorkOrder.team == team) & (unindexed(WorkOrder.created_at) < now)  # SQLite: not by creation
    parts = union_all(*(select(*counts).where(mine, span) for span in spans))
    found = (await session.execute(parts)).all()
    row = [sum(int(part[n] or 0) for part in found) for n in range(len(bounds))]
    since = datetime.combine(dates[0], time(0), zone).astimezone(UTC)
    done = await session.execute(
        select(WorkOrder.completed_by, func.count())
        .where(WorkOrder.team == team, WorkOrder.completed_at >= since, WorkOrder.completed_by.is_not(None))
        .group_by(WorkOrder.completed_by)
        .order_by(func.count().desc(), WorkOrder.completed_by)
        .limit(CHART_PEOPLE)
    )
    return DigestChart(
        team=org.team(team).name,
        backlog=tuple((day, int(count or 0)) for day, count in zip(dates, row, strict=True)),
        completions=tuple((str(who), int(count)) for who, count in done),
    )


async def build(session: AsyncSession, *, org: Organisation, team: str, now: datetime) -> DigestData:
    """The team's backlog now: aggregate queries and short lists, so it stays fast on a large backlog."""
    active = (WorkOrder.team == team) & WorkOrder.status.in_(rules.ACTIVE)
    day_ago = now - timedelta(days=1)
    overdue = select(WorkOrder).where(active, WorkOrder.resolution_due_at < now).order_by(WorkOrder.resolution_due_at)
    # SQLite would walk the team's whole history in creation order (or every unassigned work order ever
    # filed) to save sorting its open work
    unassigned = (
        select(WorkOrder)
        .where(active, unindexed(WorkOrder.assignee_id).is_(None))
        .order_by(unindexed(WorkOrder.created_at))
    )
    new = await session.scalar(select(func.count()).where(WorkOrder.team == team, WorkOrder.created_at >= day_ago))
    completed = await session.scalar(
        select(func.count()).where(WorkOrder.team == team, WorkOrder.completed_at >= day_ago)
    )
    bucket = case(
        *((WorkOrder.created_at > now - limit, name) for limit, name in AGING),
        else_=OLDEST,
    )
    ages = await session.execute(select(bucket, func.count()).where(active).group_by(bucket))
    aging: dict[str, int] = {str(name): int(count) for name, count in ages}
    holds: dict[str, int] = {}
    on_hold = select(WorkOrder.hold_reason, func.count()).where(active, WorkOrder.status == Status.ON_HOLD)
    for reason, count in await session.execute(on_hold.group_by(WorkOrder.hold_reason)):
        label = reason.label if reason else "Other"
        holds[label] = holds.get(label, 0) + int(count)
    top = await session.execute(
        select(Asset.tag, Asset.name, func.count())
        .join(WorkOrder, WorkOrder.asset_id == Asset.id)
        .where(active)
        .group_by(Asset.id, Asset.tag, Asset.name)
        .order_by(func.count().desc(), Asset.tag)
        .limit(5)
    )
    today = org.local_date(now)
    pm_due, pm_due_total = await pm_generation.upcoming(session, team=team, today=today)
    week = await ratings.team_satisfaction(session, team=team, since=now - timedelta(days=7), now=now)
    low = await session.execute(
        select(WorkOrder.number, WorkOrder.title, WorkOrder.rating, WorkOrder.rating_comment)
        .where(WorkOrder.team == team, WorkOrder.rated_at >= day_ago, WorkOrder.rating <= LOW_RATING)
        .order_by(WorkOrder.rated_at)
        .limit(LISTED)
    )
    trades = {category.key for category in org.categories if category.team == team}
    purchases, purchases_total = await spend.open_orders(session, team=team, now=now, limit=LISTED)
    return DigestData(
        team=org.team(team).name,
        local_date=today,
        open=int(await session.scalar(select(func.count()).where(active)) or 0),
        new_24h=int(new or 0),
        completed_24h=int(completed or 0),
        overdue=await finding.listing(session, overdue, LISTED),
        unassigned=await finding.listing(session, unassigned, LISTED),
        aging=tuple((name, int(aging[name])) for _, name in (*AGING, (None, OLDEST)) if name in aging),
        on_hold=tuple(sorted(holds.items())),
        top_assets=tuple((f"{tag} · {name}", int(count)) for tag, name, count in top),
        pm_due=pm_due,
        pm_due_total=pm_due_total,
        overdue_holders=await overdue_holders(session, team=team, now=now),
        recurring=await new_recurring(session, org=org, team=team, now=now),
        vendor_expiries=tuple(
            contact(vendor, today=today) for vendor in await vendors.expiring(session, trades=trades, today=today)
        ),
        ratings_7d=week.team.count,
        rating_average_7d=week.team.average,
        low_ratings_24h=tuple((f"WO-{n} · {title}", r or 0, comment or "") for n, title, r, comment in low),
        open_purchases=tuple(purchases),
        open_purchases_total=purchases_total,
    )


async def queue(session: AsyncSession, *, org: Organisation, due: Digest, local_date: date, now: datetime) -> int:
    """Claim today's run of `due` and queue its message (with its chart's data) in the same transaction; 1
    when queued, 0 when another scheduler or an earlier tick has it."""
    data = await claim_and_build(session, org=org, digest=due, local_date=local_date, now=now)
    if data is None or (data.quiet and due.skip_when_quiet):
        return 0
    chart = await chart_or_none(session, org=org, team=due.team, now=now)
    outbox.digest(session, due.channel or org.team(due.team).channel, data, chart, now=now)
    return 1


async def chart_or_none(session: AsyncSession, *, org: Organisation, team: str, now: datetime) -> DigestChart | None:
    """The digest's chart data, or None (logged) when it cannot be had: the digest goes out without it (a
    savepoint keeps the failed query from spoiling the transaction)."""
    try:
        async with session.begin_nested():
            return await chart_data(session, org=org, team=team, now=now)
    except Exception:
        log.warning("no chart for the %s digest", team, exc_info=True)
        return None
