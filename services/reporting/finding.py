"""Finding work: `/wo mine`, `/wo open [team]`, `/wo search TEXT` and the Home tab's dashboard."""

from datetime import datetime

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import PurchaseStatus, RequestStatus, Status
from models.people import PersonSettings
from models.places import Asset
from models.requests import ServiceRequest
from models.schemas import Listing, ServiceRequestRead, WorkOrderRead
from models.views import Dashboard, PurchaseRead, TeamTotals
from models.work_orders import WorkOrder
from services.errors import InvalidInput
from services.inputs import searchable
from services.organisation.org import Organisation
from services.purchasing import orders, reading
from services.work_orders import rules

SEARCH_MIN = 2
SEARCH_MAX = 100


def _active() -> Select[WorkOrder]:
    return select(WorkOrder).where(WorkOrder.status.in_(rules.ACTIVE))


def _soonest_due(query: Select[WorkOrder]) -> Select[WorkOrder]:
    return query.order_by(WorkOrder.resolution_due_at.is_(None), WorkOrder.resolution_due_at, WorkOrder.number)


async def listing(session: AsyncSession, query: Select[WorkOrder], limit: int) -> Listing:
    """The first `limit` rows of `query` and how many it matches in all."""
    rows = (await session.execute(query.limit(limit))).scalars()
    return Listing(rows=tuple(WorkOrderRead.model_validate(row) for row in rows), total=await _count(session, query))


async def mine(session: AsyncSession, *, user_id: str, limit: int = 15) -> Listing:
    """Active work `user_id` holds, soonest due first."""
    return await listing(session, _soonest_due(_active().where(WorkOrder.assignee_id == user_id)), limit)


async def open_work(session: AsyncSession, *, teams: tuple[str, ...] | None = None, limit: int = 15) -> Listing:
    """Active work (of `teams`, or every team), soonest due first."""
    query = _active()
    if teams is not None:
        query = query.where(WorkOrder.team.in_(teams))
    return await listing(session, _soonest_due(query), limit)


async def search(session: AsyncSession, *, text: str, limit: int = 15) -> Listing:
    """Work orders whose title, description, location or asset (tag or name) contain `text`, newest first."""
    text = searchable(text).strip()
    if len(text) < SEARCH_MIN:
        raise InvalidInput(f"Search for at least {SEARCH_MIN} characters, for example `/wo search pump`.")
    term = text[:SEARCH_MAX].lower()
    asset_ids = select(Asset.id).where(
        or_(
            func.lower(Asset.tag).contains(term, autoescape=True),
            func.lower(Asset.name).contains(term, autoescape=True),
        )
    )
    query = (
        select(WorkOrder)
        .where(
            or_(
                func.lower(WorkOrder.title).contains(term, autoescape=True),
                func.lower(WorkOrder.description).contains(term, autoescape=True),
                func.lower(WorkOrder.location).contains(term, autoescape=True),
                WorkOrder.asset_id.in_(asset_ids),
            )
        )
        .order_by(WorkOrder.number.desc())
    )
    return await listing(session, query, limit)


def teams_asked(org: Organisation, named: str, user_id: str) -> tuple[str, ...] | None:
    """The teams a command means: the one `named` (key or name), else the asker's teams, else every
    team (None)."""
    if named:
        wanted = named.lower()
        found = tuple(team.key for team in org.teams if wanted in (team.key.lower(), team.name.lower()))
        if not found:
            raise InvalidInput(f"There is no team “{named}”. Teams: {', '.join(t.key for t in org.teams)}.")
        return found
    return teams_of(org, user_id) or None


def teams_of(org: Organisation, user_id: str) -> tuple[str, ...]:
    """The teams `user_id` works in (as technician or manager)."""
    return tuple(team.key for team in org.teams if rules.is_team_member(user_id, team=team.key, org=org))


def managed_teams(org: Organisation, user_id: str) -> list[str]:
    """The teams `user_id` manages; every team for an admin."""
    return [team.key for team in org.teams if user_id in team.managers or user_id in org.admins]


async def dashboard(
    session: AsyncSession, *, org: Organisation, user_id: str, now: datetime, limit: int = 10
) -> Dashboard:
    """What `user_id`'s Home tab shows; `limit` rows per list (the tab says how many more there are)."""
    assigned = _soonest_due(_active().where(WorkOrder.assignee_id == user_id))
    requested = select(WorkOrder).where(WorkOrder.requester_id == user_id).order_by(WorkOrder.number.desc())
    teams = teams_of(org, user_id)
    queue = _soonest_due(_active().where(WorkOrder.team.in_(teams), WorkOrder.assignee_id.is_(None)))
    overdue = WorkOrder.resolution_due_at < now
    return Dashboard(
        assigned=await listing(session, assigned, limit),
        requested=await listing(session, requested, limit),
        queue=await listing(session, queue, limit),
        overdue_assigned=await _count(session, assigned.where(overdue)),
        overdue_queue=await _count(session, queue.where(overdue)),
        pending_approvals=await _pending_approvals(session, org, user_id),
        pending_purchases=await _pending_purchases(session, org, user_id),
        teams=await _team_totals(session, org, user_id, now),
        morning_dm=await wants_morning_dm(session, user_id) if teams else None,
    )


async def _count(session: AsyncSession, query: Select[WorkOrder]) -> int:
    return int(await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


async def _pending_purchases(session: AsyncSession, org: Organisation, user_id: str) -> tuple[PurchaseRead, ...]:
    """Purchase requests waiting for a decision this person may make (none asked of anyone else)."""
    teams = [team.key for team in org.teams if orders.may_decide(org, team.key, user_id)]
    if not teams:
        return ()
    waiting = await reading.listing(session, statuses=(PurchaseStatus.REQUESTED,), limit=20)
    return tuple(order for order in reversed(waiting) if order.team in teams)[:5]


async def _pending_approvals(session: AsyncSession, org: Organisation, user_id: str) -> tuple[ServiceRequestRead, ...]:
    categories = [c.key for c in org.categories if c.requires_approval and user_id in org.approvers(c)]
    if user_id in org.admins:
        categories = [c.key for c in org.categories if c.requires_approval]
    if not categories:
        return ()
    rows = await session.execute(
        select(ServiceRequest)
        .where(ServiceRequest.status == RequestStatus.PENDING_APPROVAL, ServiceRequest.category.in_(categories))
        .order_by(ServiceRequest.id)
        .limit(10)
    )
    return tuple(ServiceRequestRead.model_validate(row) for row in rows.scalars())


async def _team_totals(session: AsyncSession, org: Organisation, user_id: str, now: datetime) -> tuple[TeamTotals, ...]:
    """Per managed team: active work by status, unclaimed and overdue counts."""
    managed = managed_teams(org, user_id)
    if not managed:
        return ()
    rows = await session.execute(
        select(
            WorkOrder.team,
            WorkOrder.status,
            func.count(),
            func.sum(case((WorkOrder.assignee_id.is_(None), 1), else_=0)),
            func.sum(case((WorkOrder.resolution_due_at < now, 1), else_=0)),
        )
        .where(WorkOrder.status.in_(rules.ACTIVE), WorkOrder.team.in_(managed))
        .group_by(WorkOrder.team, WorkOrder.status)
    )
    totals: dict[str, dict[str, int]] = {key: {} for key in managed}
    for team, status, count, unclaimed, overdue in rows:
        counts = totals[team]
        counts[Status(status).value] = int(count)
        counts["unclaimed"] = counts.get("unclaimed", 0) + int(unclaimed or 0)
        counts["overdue"] = counts.get("overdue", 0) + int(overdue or 0)
    return tuple(TeamTotals(team=org.team(key).name, **counts) for key, counts in totals.items())


async def wants_morning_dm(session: AsyncSession, user_id: str) -> bool:
    return bool(await session.scalar(select(PersonSettings.morning_dm).where(PersonSettings.user_id == user_id)))
