"""What a calendar shows: a team's planned maintenance (the next 90 days, worked out from each schedule's
recurrence rule exactly as the generator will, holidays moved or skipped) and the due dates of open work;
or one person's own open work. `services.reporting.icalendar` writes it out."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.calendar_schemas import CalendarFeedRead
from models.enums import Anchor
from models.maintenance import PmSchedule
from models.places import Asset
from models.views import Calendar, DueWork, PlannedPm
from models.work_orders import WorkOrder
from services.maintenance import pm_schedules
from services.maintenance.recurrence import next_due
from services.organisation.org import Organisation
from services.organisation.public_holidays import AnyOf
from services.work_orders import rules

HORIZON_DAYS = 90
MAX_WORK_ORDERS = 1000  # a feed of a huge backlog shows the soonest due; a calendar is not the backlog


async def planned(
    session: AsyncSession, *, org: Organisation, team: str, today: date, days: int = HORIZON_DAYS
) -> list[PlannedPm]:
    """`team`'s PM occurrences from `today` through `days` later, soonest first. Paused and deleted
    schedules plan nothing; a floating schedule only its next date (the rest hang on its completion)."""
    last = today + timedelta(days=days)
    rows = await session.execute(
        select(PmSchedule, Asset.tag)
        .outerjoin(Asset, Asset.id == PmSchedule.asset_id)
        .where(
            PmSchedule.team == team,
            PmSchedule.deleted_at.is_(None),
            PmSchedule.paused_at.is_(None),
            PmSchedule.next_due_on.is_not(None),
            PmSchedule.next_due_on <= last,
        )
    )
    found: list[PlannedPm] = []
    for schedule, tag in rows:
        rule = pm_schedules.recurrence(schedule, org)
        due, number = schedule.next_due_on, schedule.generated_count + 1
        while due is not None and due <= last:
            if schedule.max_count is not None and number > schedule.max_count:
                break
            if due >= today:
                found.append(
                    PlannedPm(
                        schedule_id=schedule.id,
                        number=number,
                        title=schedule.title,
                        due_on=due,
                        asset=tag,
                        version=schedule.version,
                        updated_at=schedule.updated_at,
                    )
                )
            if schedule.anchor is Anchor.FLOATING:
                break
            due, number = next_due(rule, due), number + 1
    return sorted(found, key=lambda pm: (pm.due_on, pm.schedule_id))


async def due_work(
    session: AsyncSession, *, team: str | None = None, assignee: str | None = None, limit: int = MAX_WORK_ORDERS
) -> list[DueWork]:
    """Open work with a due time: a team's, or one person's, soonest due first."""
    query = select(WorkOrder).where(WorkOrder.status.in_(rules.ACTIVE), WorkOrder.resolution_due_at.is_not(None))
    query = query.where(WorkOrder.team == team) if team is not None else query.where(WorkOrder.assignee_id == assignee)
    rows = await session.scalars(query.order_by(WorkOrder.resolution_due_at, WorkOrder.number).limit(limit))
    return [
        DueWork(
            number=wo.number,
            title=wo.title,
            due_at=wo.resolution_due_at,
            status=wo.status.label,
            permalink=wo.card_permalink,
            version=wo.version,
            updated_at=wo.updated_at,
        )
        for wo in rows
        if wo.resolution_due_at is not None
    ]


async def feed(session: AsyncSession, *, org: Organisation, feed: CalendarFeedRead, today: date) -> Calendar:
    """What the feed `feed` shows today."""
    if feed.team is not None:
        team = org.team(feed.team) if feed.team in {t.key for t in org.teams} else None
        if team is None:  # the team left wrench.yml: an empty calendar, not an error every hour
            return Calendar(name=f"Wrench · {feed.team}", planned=(), due=())
        plan = await planned(session, org=org, team=team.key, today=today)
        due = await due_work(session, team=team.key)
        return Calendar(name=f"Wrench · {team.name}", planned=tuple(plan), due=tuple(due))
    assert feed.person is not None
    person = org.people.get(feed.person)
    name = person.name if person is not None else "my work"
    return Calendar(name=f"Wrench · {name}", planned=(), due=tuple(await due_work(session, assignee=feed.person)))


async def coming_days(
    session: AsyncSession, *, org: Organisation, teams: tuple[str, ...], today: date, days: int
) -> list[tuple[date, list[PlannedPm], str | None]]:
    """Each of the next `days` days (today first) with the PM due on it across `teams`, and the name of
    the holiday it is (the team's and the organisation's when one team is asked about, else the
    organisation's): what `/wo pm calendar` lists."""
    plan: list[PlannedPm] = []
    for team in teams:
        plan += await planned(session, org=org, team=team, today=today, days=days - 1)
    hours = org.team(teams[0]).business_hours if len(teams) == 1 else None
    off = AnyOf(hours.holidays, org.holidays) if hours is not None else AnyOf(org.holidays)
    found = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        due = sorted((pm for pm in plan if pm.due_on == day), key=lambda pm: pm.schedule_id)
        found.append((day, due, off.name(day)))
    return found
