"""Status changes of a work order: start, hold, resume, complete, cancel, and the requester's
confirm or reopen after completion (or the auto-close when they say nothing)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import HoldReason, Status
from models.schemas import RESOLUTION_MAX, Change
from models.work_orders import WorkOrder
from services.errors import InvalidInput
from services.inputs import MAX_LABOR_MINUTES, checked_text
from services.organisation import sla_targets
from services.organisation.org import Organisation
from services.work_orders import changes, downtime, outside_work, rules, timers

REASON_MAX = 1000


async def start(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    seen_version: int | None = None,
) -> Change:
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.START, seen_version=seen_version)
    events = changes.take_if_unclaimed(session, work_order, user_id, now=now)
    events.append(changes.move(session, work_order, Status.IN_PROGRESS, now=now, actor_id=user_id))
    return await changes.done(session, work_order, *events)


async def hold(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    reason: HoldReason,
    note: str = "",
    seen_version: int | None = None,
) -> Change:
    """Pause the work with a reason (and a note, required for "other"), shown on the card."""
    note = checked_text(
        note,
        field="note",
        limit=REASON_MAX,
        required=reason is HoldReason.OTHER,
        ask="Say what the work is waiting for.",
    )
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.HOLD, seen_version=seen_version)
    events = changes.take_if_unclaimed(session, work_order, user_id, now=now)
    work_order.hold_reason = reason
    work_order.status_note = note or None
    work_order.on_hold_since = now
    data = {"reason": reason.value, "note": note}
    events += await timers.stop_all(session, org, work_order, now=now, actor_id=user_id)
    events.append(changes.move(session, work_order, Status.ON_HOLD, now=now, actor_id=user_id, data=data))
    return await changes.done(session, work_order, *events)


async def resume(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    seen_version: int | None = None,
) -> Change:
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.RESUME, seen_version=seen_version)
    work_order.hold_reason = None
    work_order.status_note = None
    _end_hold(org, work_order, now)
    events = changes.take_if_unclaimed(session, work_order, user_id, now=now)
    events.append(changes.move(session, work_order, Status.IN_PROGRESS, now=now, actor_id=user_id))
    return await changes.done(session, work_order, *events)


async def complete(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    resolution: str,
    cause: str = "",
    minutes: int | None = None,
    files: Sequence[dict[str, Any]] = (),
    seen_version: int | None = None,
) -> Change:
    resolution = checked_text(resolution, field="resolution", limit=RESOLUTION_MAX, ask="Describe what was done.")
    if minutes is not None and not 0 <= minutes <= MAX_LABOR_MINUTES:
        raise InvalidInput(f"Time spent must be between 0 and {MAX_LABOR_MINUTES} minutes.", field="minutes")
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.COMPLETE, seen_version=seen_version)
    events = changes.take_if_unclaimed(session, work_order, user_id, now=now)
    if minutes:
        events.append(
            changes.log_labor(session, org, work_order, minutes=minutes, worker_id=user_id, actor_id=user_id, now=now)
        )
    events += await timers.stop_all(session, org, work_order, now=now, actor_id=user_id)
    events += await outside_work.close_jobs(session, work_order, now=now, actor_id=user_id, why="completed")
    if files:
        work_order.attachments = [*work_order.attachments, *({**file, "stage": "completion"} for file in files)]
    work_order.resolution = resolution
    work_order.cause = cause.strip() or None
    work_order.completed_at = now
    work_order.completed_by = user_id
    work_order.status_note = None
    data = {"resolution": work_order.resolution, "cause": work_order.cause, "files": len(files)}
    events.append(changes.move(session, work_order, Status.COMPLETED, now=now, actor_id=user_id, data=data))
    back_up = await downtime.back_up_if_done(session, work_order, now=now, actor_id=user_id)
    if back_up is not None:
        events.append(back_up)
    return await changes.done(session, work_order, *events)


async def cancel(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    reason: str,
    seen_version: int | None = None,
) -> Change:
    reason = checked_text(reason, field="reason", limit=REASON_MAX, ask="Say why it is cancelled.")
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.CANCEL, seen_version=seen_version)
    work_order.status_note = reason
    work_order.hold_reason = None
    work_order.on_hold_since = None
    work_order.closed_at = now
    events = await timers.stop_all(session, org, work_order, now=now, actor_id=user_id)
    events += await outside_work.close_jobs(session, work_order, now=now, actor_id=user_id, why="cancelled")
    data = {"reason": reason}
    events.append(changes.move(session, work_order, Status.CANCELLED, now=now, actor_id=user_id, data=data))
    return await changes.done(session, work_order, *events)


async def confirm(
    session: AsyncSession, *, org: Organisation, now: datetime, work_order_id: int, user_id: str
) -> Change:
    """The requester agrees the work is done: the work order closes."""
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.CONFIRM, seen_version=None)
    work_order.closed_at = now
    event = changes.move(session, work_order, Status.CLOSED, now=now, actor_id=user_id, data={"confirmed": True})
    return await changes.done(session, work_order, event)


async def reopen(
    session: AsyncSession, *, org: Organisation, now: datetime, work_order_id: int, user_id: str, reason: str
) -> Change:
    """Not fixed after all: back to open with the reason; the assignee keeps it (and is told)."""
    reason = checked_text(reason, field="reason", limit=REASON_MAX, ask="Say what is still wrong.")
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.REOPEN, seen_version=None)
    previous = {"resolution": work_order.resolution, "completed_by": work_order.completed_by}
    work_order.completed_at = None
    work_order.completed_by = None
    work_order.resolution = None
    work_order.cause = None
    work_order.status_note = reason
    data = {"reason": reason, **previous}
    event = changes.move(session, work_order, Status.OPEN, now=now, actor_id=user_id, data=data)
    return await changes.done(session, work_order, event)


async def close_unconfirmed(
    session: AsyncSession, *, org: Organisation, now: datetime, limit: int = 500
) -> list[Change]:
    """Close work completed more than `org.auto_close_days` ago that nobody confirmed or reopened."""
    if org.auto_close_days == 0:
        return []
    cutoff = now - timedelta(days=org.auto_close_days)
    due = await session.execute(
        select(WorkOrder)
        .where(WorkOrder.status == Status.COMPLETED, WorkOrder.completed_at <= cutoff)
        .order_by(WorkOrder.completed_at)
        .limit(limit)
    )
    closed = []
    for work_order in due.scalars():
        work_order.closed_at = now
        data = {"auto_closed_after_days": org.auto_close_days}
        event = changes.move(session, work_order, Status.CLOSED, now=now, actor_id=changes.SYSTEM_ACTOR, data=data)
        closed.append(await changes.done(session, work_order, event))
    return closed


def _end_hold(org: Organisation, work_order: WorkOrder, now: datetime) -> None:
    """Back from hold: when hold time does not count, the resolution due time moves on by it."""
    since, work_order.on_hold_since = work_order.on_hold_since, None
    if since is None or not org.pause_sla_on_hold:
        return
    paused = sla_targets.counted(org, team=work_order.team, start=since, end=now)
    work_order.sla_paused_seconds += int(paused.total_seconds())
    if work_order.resolution_due_at is not None and work_order.completed_at is None:
        work_order.resolution_due_at = sla_targets.later(
            org, team=work_order.team, start=work_order.resolution_due_at, by=paused
        )
