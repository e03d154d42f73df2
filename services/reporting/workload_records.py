"""What the workload figures are computed from, read from the database: the team's work held open or
completed in the period, as `workload.Job` records; and, for the digest, who holds overdue work."""

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.work_orders import WorkOrder
from services.organisation.org import Organisation
from services.reporting import workload
from services.work_orders import rules


async def load_jobs(session: AsyncSession, *, team: str, since: datetime) -> list[workload.Job]:
    """The team's open work that someone holds, and its work completed since `since` (one query)."""
    held = WorkOrder.status.in_(rules.ACTIVE) & WorkOrder.assignee_id.is_not(None)
    rows = await session.execute(
        select(
            WorkOrder.number,
            WorkOrder.status,
            WorkOrder.assignee_id,
            WorkOrder.resolution_due_at,
            WorkOrder.estimated_minutes,
            WorkOrder.completed_by,
            WorkOrder.completed_at,
        ).where(WorkOrder.team == team, or_(held, WorkOrder.completed_at >= since))
    )
    return [workload.Job(*row) for row in rows]


async def team_workload(
    session: AsyncSession, *, org: Organisation, team: str, since: datetime, now: datetime
) -> tuple[workload.Workload, ...]:
    jobs = await load_jobs(session, team=team, since=since)
    return tuple(workload.workload(jobs, technicians=org.team(team).technicians, since=since, now=now))


async def overdue_holders(session: AsyncSession, *, team: str, now: datetime) -> tuple[tuple[str, int], ...]:
    """(user id, how many) of everyone holding the team's open work past its resolution due time, most
    first: the same overdue work as `workload.Workload.overdue`, counted in the database."""
    count = func.count()
    rows = await session.execute(
        select(WorkOrder.assignee_id, count)
        .where(
            WorkOrder.team == team,
            WorkOrder.status.in_(rules.ACTIVE),
            WorkOrder.assignee_id.is_not(None),
            WorkOrder.resolution_due_at < now,
        )
        .group_by(WorkOrder.assignee_id)
        .order_by(count.desc(), WorkOrder.assignee_id)
    )
    return tuple((str(user_id), int(n)) for user_id, n in rows)
