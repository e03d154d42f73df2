"""What people record on a work order without changing its status: notes, time, parts, and a
manager's re-planning (priority, due date)."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, Priority
from models.schemas import Change
from services.delivery import slack_events
from services.errors import InvalidInput
from services.inputs import MAX_LABOR_MINUTES, checked_text
from services.organisation import sla_targets
from services.organisation.org import Organisation
from services.work_orders import changes, rules
from services.work_orders import service as work_orders

NOTE_MAX = 3000


async def add_note(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    text: str,
    source: str = "card",
) -> Change:
    """A note from the card's Add note form or (`source="thread"`) a reply in the card's thread."""
    text = checked_text(text, field="note", limit=NOTE_MAX, ask="Write the note.")
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.NOTE, seen_version=None)
    data = {"text": text, "source": source}
    event = changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.NOTE_ADDED, data=data)
    return await changes.done(session, work_order, event)


async def note_from_thread(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    channel: str,
    thread_ts: str,
    user_id: str,
    text: str,
    event_id: str | None,
) -> Change | None:
    """Record a reply under a card as a note; None when the thread is not a card's or Slack is
    delivering the same event again (`event_id` already seen)."""
    work_order = await work_orders.get_by_card(session, channel=channel, ts=thread_ts)
    if work_order is None:
        return None
    if event_id and not await slack_events.first_delivery(session, event_id=event_id, now=now):
        return None
    return await add_note(
        session,
        org=org,
        now=now,
        work_order_id=work_order.id,
        user_id=user_id,
        text=text[:NOTE_MAX],
        source="thread",
    )


async def log_time(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    minutes: int,
    worker_id: str | None = None,
) -> Change:
    """`user_id` records `minutes` of work done by `worker_id` (themselves unless named)."""
    if not 1 <= minutes <= MAX_LABOR_MINUTES:
        raise InvalidInput(f"Enter between 1 and {MAX_LABOR_MINUTES} minutes.", field="minutes")
    worker_id = worker_id or user_id
    work_order = await changes.load(session, work_order_id)

    def worker_on_team() -> None:
        if worker_id != user_id and not rules.is_team_member(worker_id, team=work_order.team, org=org):
            team = org.team(work_order.team).name
            raise InvalidInput(f"<@{worker_id}> is not on the {team} team.", field="worker")

    changes.check(org, work_order, user_id, rules.Permission.LOG_TIME, seen_version=None, extra=worker_on_team)
    event = changes.log_labor(session, org, work_order, minutes=minutes, worker_id=worker_id, actor_id=user_id, now=now)
    return await changes.done(session, work_order, event)


async def plan(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    priority: Priority | None = None,
    due: datetime | None = None,
    seen_version: int | None = None,
) -> Change:
    """A manager changes the priority (due times follow the new SLA) and/or sets the due date."""
    work_order = await changes.load(session, work_order_id)

    def sensible() -> None:
        if priority is None and due is None:
            raise InvalidInput("Pick a new priority or a due date.", field="priority")
        if due is not None and due <= work_order.created_at:
            raise InvalidInput("The due date must be after the work order was filed.", field="due")
        if work_order.status not in rules.ACTIVE:
            raise InvalidInput(f"{changes.ref(work_order)} is {work_order.status.label.lower()}; nothing to plan.")

    shown = work_order.resolution_due_at
    if due is not None and shown is not None and abs(due - shown) < timedelta(seconds=1):
        due = None  # the form shows the current due time: sent back unchanged, it is no change
    changes.check(org, work_order, user_id, rules.Permission.PLAN, seen_version=seen_version, extra=sensible)
    events = []
    if priority is not None and priority is not work_order.priority:
        data: dict[str, str | None] = {"from": work_order.priority.value, "to": priority.value}
        work_order.priority = priority
        paused = timedelta(seconds=work_order.sla_paused_seconds)
        work_order.response_due_at, work_order.resolution_due_at = sla_targets.due_times(
            org, priority, work_order.created_at, team=work_order.team, paused=paused
        )
        events.append(
            changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.PRIORITY_CHANGED, data=data)
        )
    if due is not None and due != work_order.resolution_due_at:
        data = {"from": _iso(work_order.resolution_due_at), "to": _iso(due)}
        work_order.resolution_due_at = due
        events.append(
            changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.DUE_CHANGED, data=data)
        )
    if events and work_order.resolution_due_at is not None and work_order.resolution_due_at > now:
        # a later due time starts the SLA watch afresh (a breach already recorded stands)
        work_order.sla_warned_at = None
        work_order.escalation_level, work_order.escalated_at = 0, None
        work_order.acknowledged_by = work_order.acknowledged_at = work_order.reminded_at = None
    work_order.updated_at = now
    return await changes.done(session, work_order, *events)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
