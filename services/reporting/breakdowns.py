"""Downtime and recurring failures read from the database for a team report, the REST API, the digest and
the asset card; the formulas are the pure `downtime_kpis` and `recurring` beside it, the wording of the
report's rows is here (docs/kpis.md).

Downtime belongs to the work order that opened it (docs/decisions.md): a team's downtime is the periods
its work orders opened, whatever the asset.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.enums import Status, WorkOrderType
from models.places import Asset, Downtime, Location
from models.public import AssetDownOut, DowntimeOut, RecurringFixOut, RecurringOut
from models.requests import ServiceRequest
from models.slack_events import DigestRun
from models.views import RecurringFix, RecurringIssue
from models.work_orders import WorkOrder
from services.inventory import places
from services.organisation.org import Organisation
from services.reporting import downtime_kpis, recurring
from services.reporting.downtime_kpis import Period

SINCE_NO_DIGEST = timedelta(days=1)  # the first digest shows what became recurring in the last day


@dataclass(frozen=True)
class TeamDowntime:
    summary: downtime_kpis.Summary
    down_now: dict[int, datetime] = field(default_factory=dict)  # asset id → down since
    tags: dict[int, str] = field(default_factory=dict)

    def tag(self, asset_id: int) -> str:
        return self.tags.get(asset_id, str(asset_id))


async def team_downtime(session: AsyncSession, *, team: str, since: datetime, now: datetime) -> TeamDowntime:
    """The downtime periods `team`'s work orders opened that overlap [since, now), summed up."""
    rows = await session.execute(
        select(Downtime.asset_id, Downtime.started_at, Downtime.ended_at)
        .join(WorkOrder, WorkOrder.id == Downtime.work_order_id)
        .where(
            WorkOrder.team == team,
            Downtime.started_at < now,
            or_(Downtime.ended_at.is_(None), Downtime.ended_at > since),
        )
    )
    periods = [Period(asset_id, start, end) for asset_id, start, end in rows]
    asset_ids = {p.asset_id for p in periods}
    return TeamDowntime(
        summary=downtime_kpis.summary(periods, since, now, await _location_chains(session, asset_ids)),
        down_now=downtime_kpis.down_now(periods, now),
        tags=await places.tags_of(session, asset_ids),
    )


async def _location_chains(session: AsyncSession, asset_ids: set[int]) -> dict[int, list[str]]:
    """Each asset's location with its parents, from the site down: ["HQ", "HQ / Plant room"]."""
    if not asset_ids:
        return {}
    rows = await session.execute(select(Asset.id, Asset.location_id).where(Asset.id.in_(asset_ids)))
    located: dict[int, int | None] = {asset_id: location_id for asset_id, location_id in rows}
    known: dict[int, tuple[int | None, str]] = {}
    wanted = {loc for loc in located.values() if loc is not None}
    while wanted:
        found = await session.execute(
            select(Location.id, Location.parent_id, Location.path).where(Location.id.in_(wanted))
        )
        for loc_id, parent_id, path in found:
            known[loc_id] = (parent_id, path)
        wanted = {parent for parent, _ in known.values() if parent is not None and parent not in known}
    chains: dict[int, list[str]] = {}
    for asset_id, location_id in located.items():
        chain: list[str] = []
        at = location_id
        while at is not None and at in known and len(chain) < 50:  # 50: a cycle cannot loop for ever
            at, path = known[at]
            chain.insert(0, path)
        chains[asset_id] = chain
    return chains


async def _failures(
    session: AsyncSession,
    org: Organisation,
    query: Select[*tuple[Any, ...]],
    *,
    among: set[tuple[str, str]] | None = None,
) -> list[recurring.Failure]:
    """The failures `query` selects; with `among` ((kind, name) of assets, locations and categories), only
    those of any of them (and all of theirs)."""
    asset, own_place, asset_place = aliased(Asset), aliased(Location), aliased(Location)
    query = (
        query.add_columns(
            ServiceRequest.created_at.label("requested_at"),
            asset.tag,
            own_place.path.label("own_path"),
            asset_place.path.label("asset_path"),
        )
        .outerjoin(ServiceRequest, ServiceRequest.id == WorkOrder.request_id)
        .outerjoin(asset, asset.id == WorkOrder.asset_id)
        .outerjoin(own_place, own_place.id == WorkOrder.location_id)
        .outerjoin(asset_place, asset_place.id == asset.location_id)
    )
    if among is not None:
        named = {kind: {name for k, name in among if k == kind} for kind in recurring.KINDS}
        # a category is grouped by its name: every key shown under one of those names (a removed
        # category shows its bare key)
        keys = {c.key for c in org.categories if c.name in named["category"]} | named["category"]
        query = query.where(
            or_(
                asset.tag.in_(named["asset"]),
                func.coalesce(own_place.path, asset_place.path).in_(named["location"]),
                WorkOrder.category.in_(keys),
            )
        )
    rows = await session.execute(query)
    names: dict[str, str] = {}  # a category's name, looked up once per query instead of once per row
    return [
        recurring.Failure(
            number=row.number,
            type=row.type,
            status=row.status,
            requested_at=row.requested_at or row.created_at,
            category=names.get(row.category) or names.setdefault(row.category, org.category_name(row.category)),
            asset=row.tag,
            location=row.own_path or row.asset_path,
            title=row.title,
            completed_at=row.completed_at,
            resolution=row.resolution or "",
            cause=row.cause or "",
        )
        for row in rows
    ]


def _corrective(since: datetime) -> Select[*tuple[Any, ...]]:
    """Corrective work, not cancelled, created after `since` (a request is filed no later than its work
    order is created, so this holds every one requested after `since`): the columns a failure is made of,
    not whole work orders, which would cost the ORM an object each for every row of the window."""
    return select(
        WorkOrder.number,
        WorkOrder.type,
        WorkOrder.status,
        WorkOrder.created_at,
        WorkOrder.category,
        WorkOrder.title,
        WorkOrder.completed_at,
        WorkOrder.resolution,
        WorkOrder.cause,
    ).where(
        WorkOrder.type == WorkOrderType.CORRECTIVE, WorkOrder.status != Status.CANCELLED, WorkOrder.created_at > since
    )


def _issue(found: recurring.Recurrence, window_days: int) -> RecurringIssue:
    return RecurringIssue(
        kind=found.kind,
        name=found.name,
        count=found.count,
        window_days=window_days,
        last=tuple(
            RecurringFix(
                number=f.number, title=f.title, completed_at=f.completed_at, resolution=f.resolution, cause=f.cause
            )
            for f in found.last
            if f.completed_at is not None
        ),
    )


async def team_recurring(
    session: AsyncSession, *, org: Organisation, team: str, now: datetime
) -> tuple[RecurringIssue, ...]:
    """The team's recurring failures now, over `recurring.window_days` (not the report's period)."""
    config = org.recurring
    window = timedelta(days=config.window_days)
    failures = await _failures(session, org, _corrective(now - window).where(WorkOrder.team == team))
    found = recurring.recurring(failures, now=now, window=window, threshold=config.threshold)
    return tuple(_issue(r, config.window_days) for r in found)


async def new_recurring(
    session: AsyncSession, *, org: Organisation, team: str, now: datetime
) -> tuple[RecurringIssue, ...]:
    """For the digest: the team's failures that became recurring since its previous digest was posted (of
    any of the team's digests; without one, in the last day)."""
    keys = [d.key for d in org.digests if d.team == team]
    previous = await session.scalar(
        select(func.max(DigestRun.posted_at)).where(DigestRun.digest.in_(keys), DigestRun.posted_at < now)
    )
    previous = previous or now - SINCE_NO_DIGEST
    config = org.recurring
    window = timedelta(days=config.window_days)
    # Only what failed since the previous digest can have become recurring since (a group with no failure
    # since then had at least as many in the window then): those groups are the candidates. The database
    # counts each candidate's failures in the window at both times; only the groups that became recurring
    # are read as failures, for their last fixes. So the cost follows the day's failures and the groups
    # that crossed the threshold, not the window's rows.
    recent = await _failures(session, org, _corrective(previous).where(WorkOrder.team == team))
    candidates = {
        (kind, name)
        for f in recent
        for kind, name in zip(recurring.KINDS, (f.asset, f.location, f.category), strict=True)
        if name
    }
    if not candidates:
        return ()
    query = _corrective(previous - window).where(WorkOrder.team == team)
    counts = await _window_counts(session, org, query, now=now, previous=previous, window=window)
    threshold = config.threshold
    new = {g for g in candidates if counts.get(g, (0, 0))[0] >= threshold > counts.get(g, (0, 0))[1]}
    if not new:
        return ()
    failures = await _failures(session, org, query, among=new)
    # every failure of a group in `new` is read, so their counts and last fixes are the whole window's
    found = recurring.recurring(failures, now=now, window=window, threshold=threshold)
    return tuple(_issue(r, config.window_days) for r in found if (r.kind, r.name) in new)


async def _window_counts(
    session: AsyncSession,
    org: Organisation,
    query: Select[*tuple[Any, ...]],
    *,
    now: datetime,
    previous: datetime,
    window: timedelta,
) -> dict[tuple[str, str], tuple[int, int]]:
    """For each (kind, name) group of the failures `query` selects: how many were requested in the
    window ending `now` and in the one ending `previous` (as `recurring.recurring` counts them), counted
    by the database over the asset, location and category they are filed under."""
    asset, own_place, asset_place = aliased(Asset), aliased(Location), aliased(Location)
    requested = func.coalesce(ServiceRequest.created_at, WorkOrder.created_at)

    def within(end: datetime) -> Any:
        return func.sum(case((and_(requested > end - window, requested <= end), 1), else_=0))

    grouped = (
        query.with_only_columns(
            asset.tag, own_place.path, asset_place.path, WorkOrder.category, within(now), within(previous)
        )
        .outerjoin(ServiceRequest, ServiceRequest.id == WorkOrder.request_id)
        .outerjoin(asset, asset.id == WorkOrder.asset_id)
        .outerjoin(own_place, own_place.id == WorkOrder.location_id)
        .outerjoin(asset_place, asset_place.id == asset.location_id)
        .group_by(asset.tag, own_place.path, asset_place.path, WorkOrder.category)
    )
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    names: dict[str, str] = {}
    for tag, own_path, asset_path, category, at_now, at_previous in await session.execute(grouped):
        name = names.get(category) or names.setdefault(category, org.category_name(category))
        for group in zip(recurring.KINDS, (tag, own_path or asset_path, name), strict=True):
            if group[1]:
                was = counts.get(group, (0, 0))
                counts[group] = (was[0] + int(at_now or 0), was[1] + int(at_previous or 0))
    return counts


async def asset_recurring(
    session: AsyncSession, *, org: Organisation, asset_id: int, now: datetime
) -> RecurringIssue | None:
    """For the asset card: the asset's recurring failure (every team's work on it), if it has one."""
    config = org.recurring
    window = timedelta(days=config.window_days)
    failures = await _failures(session, org, _corrective(now - window).where(WorkOrder.asset_id == asset_id))
    found = recurring.recurring(failures, now=now, window=window, threshold=config.threshold)
    return next((_issue(r, config.window_days) for r in found if r.kind == "asset"), None)


# The report's rows (`services.reporting.reports.report_rows`): team-wide ones, shown on the Home tab too, and the
# per-asset, per-location and per-failure ones, only in `wrench report`.


def team_rows(downtime: TeamDowntime | None, issues: Sequence[RecurringIssue]) -> list[tuple[str, str]]:
    if downtime is None:
        return []
    s = downtime.summary
    longest = f"{s.longest.hours:.1f} h ({downtime.tag(s.longest.asset_id)})" if s.longest else "—"
    down = ", ".join(
        f"{downtime.tag(asset_id)} since {since:%Y-%m-%d %H:%M} UTC"
        for asset_id, since in sorted(downtime.down_now.items(), key=lambda item: (item[1], downtime.tag(item[0])))
    )
    return [
        ("Downtime", f"{s.hours:.1f} h in {_many(s.events, 'event')}"),
        ("Downtime, longest event", longest),
        ("Assets down now", down or "none"),
        ("Recurring failures", _recurring_count(issues)),
    ]


def detail_rows(downtime: TeamDowntime | None, issues: Sequence[RecurringIssue]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if downtime is not None:
        by_asset = sorted(downtime.summary.by_asset.items(), key=lambda item: downtime.tag(item[0]))
        found += [(f"{downtime.tag(asset_id)}: downtime", f"{hours:.1f} h") for asset_id, hours in by_asset]
        by_location = sorted(downtime.summary.by_location.items())
        found += [(f"Location {path}: downtime", f"{hours:.1f} h") for path, hours in by_location]
    for issue in issues:
        fixes = "; ".join(_fix(fix) for fix in issue.last) or "no resolution recorded yet"
        found.append((f"Recurring, {issue.kind} {issue.name}", f"{issue.count} corrective work orders; last: {fixes}"))
    return found


def _recurring_count(issues: Sequence[RecurringIssue]) -> str:
    if not issues:
        return "none"
    counts = {kind: sum(i.kind == kind for i in issues) for kind in recurring.KINDS}
    kinds = ", ".join(_many(count, kind) for kind, count in counts.items() if count)
    return f"{len(issues)} ({kinds})"


def _many(count: int, noun: str) -> str:
    """`1 event`, `2 events`, `3 categories`."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1]}ies" if noun.endswith("y") else f"{count} {noun}s"


def _fix(fix: RecurringFix) -> str:
    said = " ".join(part for part in (fix.resolution, f"(cause: {fix.cause})" if fix.cause else "") if part)
    return f"{fix.ref} {fix.completed_at:%Y-%m-%d}: {said}"


# The REST API's shapes (`services.reporting.records.team_kpis`).


def downtime_out(downtime: TeamDowntime | None) -> DowntimeOut | None:
    if downtime is None:
        return None
    s = downtime.summary
    return DowntimeOut(
        hours=s.hours,
        events=s.events,
        longest_hours=s.longest.hours if s.longest else None,
        longest_asset_tag=downtime.tag(s.longest.asset_id) if s.longest else None,
        by_asset={downtime.tag(asset_id): hours for asset_id, hours in s.by_asset.items()},
        by_location=dict(s.by_location),
        down_now=[
            AssetDownOut(asset_tag=downtime.tag(asset_id), since=since)
            for asset_id, since in sorted(downtime.down_now.items(), key=lambda item: item[1])
        ],
    )


def recurring_out(issues: Sequence[RecurringIssue]) -> list[RecurringOut]:
    return [
        RecurringOut(
            kind=issue.kind,
            name=issue.name,
            work_orders=issue.count,
            last=[
                RecurringFixOut(
                    work_order=fix.number,
                    completed_at=fix.completed_at,
                    resolution=fix.resolution,
                    cause=fix.cause,
                )
                for fix in issue.last
            ],
        )
        for issue in issues
    ]
