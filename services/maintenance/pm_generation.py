"""The PM generator: each tick turns due schedules into preventive work orders.

Each occurrence is created once, even with several schedulers on one PostgreSQL database: due
schedule rows are locked `FOR UPDATE SKIP LOCKED` (a second scheduler passes over them), each
schedule row carries a version, and `(schedule_id, sequence)` is unique. After downtime a fixed
schedule generates one work order for its latest missed date and says how many it skipped.
"""

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Anchor, WorkOrderType
from models.maintenance import AssetMeter, PmOccurrence, PmSchedule
from models.places import Asset
from models.schemas import PmNotice, PmRun, RequestCreate, WorkOrderRead
from models.views import PmDue
from models.work_orders import WorkOrder, WorkOrderEvent
from services.delivery import outbox
from services.errors import DomainError
from services.maintenance import checklists
from services.maintenance.pm_schedules import recurrence
from services.maintenance.recurrence import catch_up, describe, floating_due, next_due
from services.organisation.org import Organisation
from services.work_orders import rules
from services.work_orders import service as work_orders
from services.work_orders.changes import SYSTEM_ACTOR

log = logging.getLogger("wrench.pm")
UNTOUCHED_LIMIT = 5  # a schedule whose last this-many work orders nobody touched pauses itself


async def check(session: AsyncSession, *, org: Organisation, now: datetime, asset_id: int | None = None) -> PmRun:
    """Generate every due occurrence (of one asset's schedules when `asset_id` is given); the cards and
    the notices of schedules that paused themselves are queued for Slack in the same transaction."""
    today = org.local_date(now)
    await _release(session, org, today, asset_id)
    created: list[WorkOrderRead] = []
    notices: list[PmNotice] = []
    teams = {team.key for team in org.teams}
    for schedule, reading in await _candidates(session, today, asset_id):
        meter_due = _meter_due(schedule, reading)
        calendar_due = schedule.generate_on is not None and schedule.generate_on <= today
        if not (calendar_due or meter_due):
            continue
        if schedule.team not in teams:
            log.warning("PM-%d belongs to team %r, which wrench.yml no longer has; skipped", schedule.id, schedule.team)
            continue
        if await _ignored(session, schedule):
            reason = f"nobody touched its last {UNTOUCHED_LIMIT} work orders"
            notices.append(_pause(schedule, now, reason))
            continue
        try:
            async with session.begin_nested():  # one schedule that cannot generate does not stop the others
                made = await _generate(session, org, now, today, schedule, reading, by_calendar=calendar_due)
            created.append(made)
        except DomainError as error:
            await session.refresh(schedule)  # as it was before the savepoint
            notices.append(_pause(schedule, now, f"its work order could not be created ({error})"))
    for notice in notices:  # each work order's card is queued by its creation
        outbox.message(session, org.team(notice.team).channel, notice.text, now=now)
    await session.flush()
    return PmRun(created=tuple(created), notices=tuple(notices))


async def _release(session: AsyncSession, org: Organisation, today: date, asset_id: int | None) -> None:
    """Schedules whose open occurrence has ended: plan the next one from how it ended."""
    query = (
        select(PmSchedule, WorkOrder)
        .join(WorkOrder, WorkOrder.id == PmSchedule.open_work_order_id)
        .where(PmSchedule.open_work_order_id.is_not(None), WorkOrder.status.not_in(rules.ACTIVE))
        .with_for_update(skip_locked=True, of=PmSchedule)
    )
    if asset_id is not None:
        query = query.where(PmSchedule.asset_id == asset_id)
    ended_ones = sorted((await session.execute(query)).all(), key=lambda found: found[0].id)
    for schedule, work_order in ended_ones:  # in id order (ORDER BY id would read every schedule)
        schedule.open_work_order_id = None
        rule = recurrence(schedule, org)
        ended = org.local_date(work_order.completed_at or work_order.updated_at)
        due = schedule.next_due_on
        if schedule.anchor is Anchor.FLOATING:
            due = floating_due(rule, ended)
        else:
            while due is not None and due < today:  # a late finish skips the fixed dates it ran over
                due = next_due(rule, due)
                schedule.missed += 1
        schedule.plan(due)


async def _candidates(
    session: AsyncSession, today: date, asset_id: int | None
) -> list[tuple[PmSchedule, float | None]]:
    """Schedules whose date has come or whose meter has moved, locked for this transaction. Asked as two
    questions, each answered from its own index (one OR across both would read every schedule)."""
    meter = AssetMeter
    free = (
        PmSchedule.deleted_at.is_(None),
        PmSchedule.paused_at.is_(None),
        or_(PmSchedule.open_work_order_id.is_(None), PmSchedule.one_open.is_(False)),
    )
    reading = and_(meter.asset_id == PmSchedule.asset_id, meter.name == PmSchedule.meter)
    dated = select(PmSchedule, meter.value).outerjoin(meter, reading).where(*free, PmSchedule.generate_on <= today)
    metered = (
        select(PmSchedule, meter.value)
        .join(meter, reading)
        .where(
            *free,
            PmSchedule.meter.is_not(None),
            or_(
                and_(PmSchedule.meter_every.is_not(None), PmSchedule.meter_base.is_(None)),
                meter.value < PmSchedule.meter_base,
                meter.value >= PmSchedule.meter_base + PmSchedule.meter_every,
                and_(PmSchedule.meter_armed.is_(True), meter.value >= PmSchedule.meter_threshold),
                and_(PmSchedule.meter_armed.is_(False), meter.value < PmSchedule.meter_threshold),
            ),
        )
    )
    found: dict[int, tuple[PmSchedule, float | None]] = {}
    for query in (dated, metered):
        if asset_id is not None:
            query = query.where(PmSchedule.asset_id == asset_id)
        query = query.with_for_update(skip_locked=True, of=PmSchedule)  # ordered here: ORDER BY id would scan
        for schedule, value in (await session.execute(query)).all():
            found[schedule.id] = (schedule, value)
    return [found[schedule_id] for schedule_id in sorted(found)]


def _meter_due(schedule: PmSchedule, reading: float | None) -> bool:
    """Whether the meter calls for service now; keeps the meter's bookkeeping (base, threshold arming)."""
    if not schedule.meter or reading is None:
        return False
    due = False
    if schedule.meter_every is not None:
        if schedule.meter_base is None or reading < schedule.meter_base:  # first reading, or a new meter
            schedule.meter_base = reading
        elif reading >= schedule.meter_base + schedule.meter_every:
            due = True
    if schedule.meter_threshold is not None:
        if schedule.meter_armed and reading >= schedule.meter_threshold:
            due = True
        elif not schedule.meter_armed and reading < schedule.meter_threshold:
            schedule.meter_armed = True  # back under: the next crossing counts again
    return due


async def _generate(
    session: AsyncSession,
    org: Organisation,
    now: datetime,
    today: date,
    schedule: PmSchedule,
    reading: float | None,
    *,
    by_calendar: bool,
) -> WorkOrderRead:
    rule = recurrence(schedule, org)
    skipped = schedule.missed
    if by_calendar and schedule.next_due_on is not None:
        due, trigger = schedule.next_due_on, "calendar"
        if schedule.anchor is Anchor.FIXED:
            due, more = catch_up(rule, due, today=today, lead_days=schedule.lead_days)
            skipped += more
    else:
        due, trigger = today, "meter"
    sequence = schedule.generated_count + 1
    schedule.generated_count, schedule.last_due_on, schedule.missed = sequence, due, 0
    if schedule.meter and reading is not None:
        schedule.meter_base = reading
        if schedule.meter_threshold is not None and reading >= schedule.meter_threshold:
            schedule.meter_armed = False
    if schedule.anchor is Anchor.FLOATING:
        schedule.plan(None)  # counted from this one's completion
    elif schedule.repeat is not None:  # whichever comes first: a meter-made one stands for the pending date too
        schedule.plan(next_due(rule, max(due, schedule.next_due_on or due)))
    else:
        schedule.plan(schedule.next_due_on)
    schedule.updated_at = now
    # The schedule's version is checked here, before anything is created: a scheduler that generated this
    # occurrence first (SQLite has no row locks) makes this transaction retry and find nothing to do.
    await session.flush()
    work_order = await _create_work_order(session, org, now, schedule, due, skipped, trigger, reading)
    session.add(
        PmOccurrence(
            schedule_id=schedule.id,
            sequence=sequence,
            due_on=due,
            work_order_id=work_order.id,
            trigger=trigger,
            skipped=skipped,
            created_at=now,
        )
    )
    if schedule.one_open:
        schedule.open_work_order_id = work_order.id
    await session.flush()
    return work_order


async def _create_work_order(
    session: AsyncSession,
    org: Organisation,
    now: datetime,
    schedule: PmSchedule,
    due: date,
    skipped: int,
    trigger: str,
    reading: float | None,
) -> WorkOrderRead:
    why = describe(recurrence(schedule, org)) or "by meter"
    if trigger == "meter":
        why = f"{schedule.meter} reading {reading:g}"
    notes = [f"Preventive maintenance from PM-{schedule.id} ({why}), due {due:%a %-d %b %Y}."]
    if skipped:
        notes.append(f"{skipped} missed date{'s were' if skipped != 1 else ' was'} skipped.")
    description = "\n\n".join(part for part in (schedule.description, " ".join(notes)) if part)
    request = RequestCreate(
        title=schedule.title,
        category=schedule.category,
        description=description[:3000],
        priority=schedule.priority,
        asset_id=schedule.asset_id,
        location_id=schedule.location_id,
    )
    plan = work_orders.Plan(
        schedule_id=schedule.id,
        due_on=due,
        due_at=datetime.combine(due + timedelta(days=1), time(0), org.zone()).astimezone(UTC),
        checklist=tuple(checklists.fresh(schedule.checklist)),
        estimated_minutes=schedule.estimated_minutes,
        skipped=skipped,
    )
    change = await work_orders.create(
        session,
        org=org,
        now=now,
        requester_id=SYSTEM_ACTOR,
        request=request,
        type=WorkOrderType.PREVENTIVE,
        team=schedule.team,
        plan=plan,
    )
    return change.work_order


async def _ignored(session: AsyncSession, schedule: PmSchedule) -> bool:
    """Were the schedule's last `UNTOUCHED_LIMIT` work orders all left alone by people?"""
    last = (
        (
            await session.execute(
                select(PmOccurrence.work_order_id)
                .where(PmOccurrence.schedule_id == schedule.id)
                .order_by(PmOccurrence.sequence.desc())
                .limit(UNTOUCHED_LIMIT)
            )
        )
        .scalars()
        .all()
    )
    if len(last) < UNTOUCHED_LIMIT:
        return False
    touched = await session.scalar(
        select(func.count())
        .select_from(WorkOrderEvent)
        .where(WorkOrderEvent.work_order_id.in_(last), WorkOrderEvent.actor_id != SYSTEM_ACTOR)
    )
    return not touched


def _pause(schedule: PmSchedule, now: datetime, reason: str) -> PmNotice:
    """The schedule pauses itself and its team is told why."""
    schedule.paused_at, schedule.updated_at = now, now
    schedule.plan(schedule.next_due_on)
    schedule.pause_reason = f"Paused itself: {reason}"[:300]
    return PmNotice(
        team=schedule.team,
        text=(
            f":double_vertical_bar: *PM-{schedule.id} · {schedule.title}* paused itself: {reason}. A manager can "
            f"resume it with `/wo pm resume {schedule.id}` or change it with `/wo pm edit {schedule.id}`."
        ),
    )


async def upcoming(
    session: AsyncSession, *, team: str, today: date, days: int = 7, limit: int = 10
) -> tuple[tuple[PmDue, ...], int]:
    """Schedules of `team` due in the next `days` days (and how many in all), soonest first."""
    window = (
        (PmSchedule.team == team)
        & PmSchedule.deleted_at.is_(None)
        & PmSchedule.paused_at.is_(None)
        & PmSchedule.next_due_on.between(today, today + timedelta(days=days))
    )
    total = await session.scalar(select(func.count()).select_from(PmSchedule).where(window))
    rows = await session.execute(
        select(PmSchedule.id, PmSchedule.title, PmSchedule.next_due_on, Asset.tag)
        .outerjoin(Asset, Asset.id == PmSchedule.asset_id)
        .where(window)
        .order_by(PmSchedule.next_due_on, PmSchedule.id)
        .limit(limit)
    )
    due = tuple(PmDue(schedule=f"PM-{number} · {title}", due_on=on, asset=tag) for number, title, on, tag in rows if on)
    return due, int(total or 0)
