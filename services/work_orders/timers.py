"""Labor timers: the card's ⏱ Timer starts one per person and work order; stopping it logs the time
worked, as "Log time" would. Holding, completing or cancelling the work stops every timer on it.

A timer that ran longer than a day (`MAX_LABOR_MINUTES`) was almost certainly forgotten: it is never
logged as it stands; its owner discards it and logs what they worked by hand.
"""

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, Status
from models.schemas import Change, TimerPress, TimerRead
from models.work_orders import LaborTimer, WorkOrder, WorkOrderEvent
from services.errors import Forbidden, InvalidInput, NotFound
from services.inputs import MAX_LABOR_MINUTES
from services.organisation.durations import format_duration
from services.organisation.org import Organisation
from services.work_orders import changes, rules

RUNS_ON = (Status.OPEN, Status.IN_PROGRESS)


def minutes_run(started_at: datetime, now: datetime) -> int:
    """Whole minutes, rounded up (a timesheet's habit), and at least one."""
    return max(1, math.ceil((now - started_at).total_seconds() / 60))


def too_long(minutes: int) -> bool:
    return minutes > MAX_LABOR_MINUTES


async def press(
    session: AsyncSession, *, org: Organisation, now: datetime, work_order_id: int, user_id: str
) -> TimerPress:
    """The clicker's timer on this work order: started now, or the one already running."""
    work_order = await changes.load(session, work_order_id)

    def running_work() -> None:
        if work_order.status not in RUNS_ON:
            raise InvalidInput(f"{changes.ref(work_order)} is {work_order.status.label.lower()}; no timer runs on it.")

    changes.check(org, work_order, user_id, rules.Permission.LOG_TIME, seen_version=None, extra=running_work)
    running = await _running(session, work_order_id, user_id)
    if running is not None:
        return _pressed(work_order, running, now)
    timer = LaborTimer(work_order_id=work_order_id, user_id=user_id, started_at=now)
    try:
        async with session.begin_nested():  # a double click: the first one started it
            session.add(timer)
    except IntegrityError:
        running = await _running(session, work_order_id, user_id)
        if running is None:
            raise
        return _pressed(work_order, running, now)
    event = changes.record(
        session, work_order, now=now, actor_id=user_id, kind=EventKind.TIMER_STARTED, data={"user_id": user_id}
    )
    change = await changes.done(session, work_order, event)
    return _pressed(work_order, timer, now, change=change)


async def stop(
    session: AsyncSession, *, org: Organisation, now: datetime, timer_id: int, user_id: str, log: bool
) -> Change:
    """Its owner stops a timer: the time is logged (`log`) or thrown away."""
    timer = await session.get(LaborTimer, timer_id)
    if timer is None:
        raise NotFound("That timer was already stopped.")
    if timer.user_id != user_id:
        raise Forbidden("Only the person who started a timer can stop it.")
    minutes = minutes_run(timer.started_at, now)
    if log and too_long(minutes):
        ran = format_duration(timedelta(minutes=minutes))
        raise InvalidInput(f"This timer ran {ran}, longer than a day: discard it and log your time with Log time.")
    work_order = await changes.load(session, timer.work_order_id)
    if not await _taken(session, timer):
        raise NotFound("That timer was already stopped.")
    events = _stopped(session, org, work_order, timer, minutes=minutes, log=log, actor_id=user_id, now=now)
    return await changes.done(session, work_order, *events)


async def stop_all(
    session: AsyncSession, org: Organisation, work_order: WorkOrder, *, now: datetime, actor_id: str
) -> list[WorkOrderEvent]:
    """The work stops (hold, complete, cancel): each running timer is logged for its owner, or dropped
    when it ran too long to be believed."""
    events: list[WorkOrderEvent] = []
    timers = await session.execute(
        select(LaborTimer).where(LaborTimer.work_order_id == work_order.id).order_by(LaborTimer.id)
    )
    for timer in timers.scalars():
        if await _taken(session, timer):
            minutes = minutes_run(timer.started_at, now)
            log = not too_long(minutes)
            events += _stopped(session, org, work_order, timer, minutes=minutes, log=log, actor_id=actor_id, now=now)
    return events


async def running_on(session: AsyncSession, work_order_id: int) -> tuple[tuple[str, datetime], ...]:
    """(person, since) of the timers running on a work order, for its card."""
    rows = await session.execute(
        select(LaborTimer.user_id, LaborTimer.started_at)
        .where(LaborTimer.work_order_id == work_order_id)
        .order_by(LaborTimer.started_at)
    )
    return tuple((user_id, started_at) for user_id, started_at in rows)


async def _running(session: AsyncSession, work_order_id: int, user_id: str) -> LaborTimer | None:
    found = await session.execute(
        select(LaborTimer).where(LaborTimer.work_order_id == work_order_id, LaborTimer.user_id == user_id)
    )
    return found.scalar_one_or_none()


async def _taken(session: AsyncSession, timer: LaborTimer) -> bool:
    """Delete the timer; False when someone else's request stopped it first."""
    taken = delete(LaborTimer).where(LaborTimer.id == timer.id).execution_options(synchronize_session=False)
    result = await session.execute(taken)
    return bool(getattr(result, "rowcount", 0))


def _stopped(
    session: AsyncSession,
    org: Organisation,
    work_order: WorkOrder,
    timer: LaborTimer,
    *,
    minutes: int,
    log: bool,
    actor_id: str,
    now: datetime,
) -> list[WorkOrderEvent]:
    events = []
    if log:
        logged = changes.log_labor(
            session, org, work_order, minutes=minutes, worker_id=timer.user_id, actor_id=actor_id, now=now
        )
        logged.data = {**logged.data, "timer": True}
        events.append(logged)
    data = {"user_id": timer.user_id, "minutes": minutes, "logged": log}
    events.append(
        changes.record(session, work_order, now=now, actor_id=actor_id, kind=EventKind.TIMER_STOPPED, data=data)
    )
    return events


def _pressed(work_order: WorkOrder, timer: LaborTimer, now: datetime, *, change: Change | None = None) -> TimerPress:
    return TimerPress(
        timer=TimerRead.model_validate(timer),
        ref=changes.ref(work_order),
        minutes=minutes_run(timer.started_at, now) if change is None else 0,
        change=change,
    )
