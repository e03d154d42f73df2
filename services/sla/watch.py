"""The SLA watch the scheduler runs every tick: warn about work running late, mark breaches, escalate.

Every step is a conditional UPDATE (`… WHERE sla_warned_at IS NULL`, `… WHERE escalation_level < n`),
so when several schedulers tick against one database each warning and each escalation level happens
exactly once: the replica whose UPDATE matched the row records the event and sends the messages. After
downtime a work order is escalated once to the level it has reached, not once per missed tick.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, SlaStatus, Status
from models.schemas import Change
from models.work_orders import WorkOrder, WorkOrderEvent
from services.errors import Conflict
from services.organisation import sla_targets
from services.organisation.org import Organisation
from services.sla.plans import unindexed
from services.work_orders import changes, rules

BATCH = 500  # work orders per step and tick; the rest are taken on the next tick


async def check(session: AsyncSession, *, org: Organisation, now: datetime, batch: int = BATCH) -> list[Change]:
    """One tick: warnings, then level 1 for new breaches, then level 2 for breaches left standing."""
    watched = _watched(org)
    found = await _warn(session, org=org, now=now, batch=batch, watched=watched)
    for breached in _breaches(now):  # asked apart: one OR across both would read every work order
        found += await _escalate(session, level=1, now=now, batch=batch, due=and_(watched, breached))
    level_2_from = now - org.escalation.level_2_after
    level_2 = and_(watched, WorkOrder.escalation_level == 1, WorkOrder.escalated_at <= level_2_from)
    found += await _escalate(session, level=2, now=now, batch=batch, due=level_2)
    found += await _remind(session, org=org, now=now, batch=batch, watched=watched)
    return found


async def acknowledge(
    session: AsyncSession, *, org: Organisation, now: datetime, work_order_id: int, user_id: str
) -> Change:
    """Someone of the team says they are on an escalated work order: the reminders stop."""
    work_order = await changes.load(session, work_order_id)

    def escalated() -> None:
        if work_order.escalation_level == 0:
            raise Conflict(f"{changes.ref(work_order)} is not escalated.")
        if work_order.acknowledged_by is not None:
            raise Conflict(f"<@{work_order.acknowledged_by}> already acknowledged {changes.ref(work_order)}.")

    changes.check(org, work_order, user_id, rules.Permission.ACKNOWLEDGE, seen_version=None, extra=escalated)
    work_order.acknowledged_by, work_order.acknowledged_at = user_id, now
    data = {"level": work_order.escalation_level}
    event = changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.ACKNOWLEDGED, data=data)
    return await changes.done(session, work_order, event)


async def _remind(
    session: AsyncSession, *, org: Organisation, now: datetime, batch: int, watched: ColumnElement[bool]
) -> list[Change]:
    """Escalated, still unclaimed and unacknowledged: remind every `remind_every`."""
    every = org.escalation.remind_every
    if not every:
        return []
    cutoff = now - every
    due = and_(
        watched,
        WorkOrder.escalation_level > 0,
        WorkOrder.escalated_at.is_not(None),  # always so when escalated: read from the escalations' index
        # not through the assignee's index: SQLite would read every unassigned work order ever filed
        unindexed(WorkOrder.assignee_id).is_(None),
        WorkOrder.acknowledged_by.is_(None),
        func.coalesce(WorkOrder.reminded_at, WorkOrder.escalated_at) <= cutoff,
    )
    candidates = await session.execute(select(WorkOrder.id).where(due).order_by(WorkOrder.id).limit(batch))
    claimed = await _claim(session, list(candidates.scalars()), due, {"reminded_at": now})
    work_orders = await changes.load_all(session, claimed)
    return await _record_all(
        session, work_orders, now, EventKind.SLA_REMINDER, lambda work_order: {"level": work_order.escalation_level}
    )


def _watched(org: Organisation) -> ColumnElement[bool]:
    """Work whose SLA clock runs: active, and not on hold when hold time does not count."""
    statuses = rules.ACTIVE - {Status.ON_HOLD} if org.pause_sla_on_hold else rules.ACTIVE
    return WorkOrder.status.in_(statuses)


def _share_used(org: Organisation, row: Any, now: datetime) -> float:
    """How much of the time to resolve has gone, counted in the team's business hours."""
    total = sla_targets.counted(org, team=row.team, start=row.created_at, end=row.resolution_due_at)
    used = sla_targets.counted(org, team=row.team, start=row.created_at, end=now)
    return used / total if total else 1.0


def _breaches(now: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Unresolved past the resolution target; unanswered past the response target."""
    return (
        WorkOrder.resolution_due_at < now,
        and_(WorkOrder.first_response_at.is_(None), WorkOrder.response_due_at < now),
    )


async def _warn(
    session: AsyncSession, *, org: Organisation, now: datetime, batch: int, watched: ColumnElement[bool]
) -> list[Change]:
    """Warn once when `warn_at` of the resolution time has passed (and it is not yet due)."""
    candidates = await session.execute(
        select(WorkOrder.id, WorkOrder.team, WorkOrder.created_at, WorkOrder.resolution_due_at)
        .where(
            watched,
            WorkOrder.sla_warned_at.is_(None),
            WorkOrder.escalation_level == 0,
            WorkOrder.resolution_due_at.is_not(None),
            WorkOrder.resolution_due_at > now,
        )
        .order_by(WorkOrder.resolution_due_at)
        .limit(batch)
    )
    fraction = org.escalation.warn_at
    due = [row.id for row in candidates if _share_used(org, row, now) >= fraction]
    claimed = await _claim(session, due, WorkOrder.sla_warned_at.is_(None), {"sla_warned_at": now})
    work_orders = await changes.load_all(session, claimed)
    return await _record_all(session, work_orders, now, EventKind.SLA_WARNING, lambda _: {"at_fraction": fraction})


async def _escalate(
    session: AsyncSession, *, level: int, now: datetime, batch: int, due: ColumnElement[bool]
) -> list[Change]:
    candidates = await session.execute(
        select(WorkOrder.id)
        .where(WorkOrder.escalation_level < level, due)
        .order_by(WorkOrder.resolution_due_at)
        .limit(batch)
    )
    ids = list(candidates.scalars())
    values: dict[str, Any] = {"escalation_level": level, "escalated_at": now} | _breach_marks(now)
    claimed = await _claim(session, ids, WorkOrder.escalation_level < level, values)
    work_orders = await changes.load_all(session, claimed)
    return await _record_all(
        session,
        work_orders,
        now,
        EventKind.ESCALATED,
        lambda work_order: {"level": level, "targets": _breached_targets(work_order, now)},
    )


def _breach_marks(now: datetime) -> dict[str, Any]:
    """The targets breached by `now` marked as such (they stay breached), in the claiming UPDATE itself:
    one statement for the batch instead of one per work order."""
    unresolved, unanswered = _breaches(now)
    breached = literal(SlaStatus.BREACHED.value)
    return {
        "sla_response": case((unanswered, breached), else_=WorkOrder.sla_response),
        "sla_resolution": case((unresolved, breached), else_=WorkOrder.sla_resolution),
    }


def _breached_targets(work_order: WorkOrder, now: datetime) -> list[str]:
    """The names of the targets breached by `now` (what `_breach_marks` marked)."""
    breached = []
    if work_order.first_response_at is None and work_order.response_due_at and work_order.response_due_at < now:
        breached.append("response")
    if work_order.resolution_due_at and work_order.resolution_due_at < now:
        breached.append("resolution")
    return breached or ["resolution"]


async def _claim(
    session: AsyncSession, ids: Sequence[int], still: ColumnElement[bool], values: dict[str, Any]
) -> list[int]:
    """Set `values` on those of `ids` that still match `still`; only this caller acts on the ids returned."""
    if not ids:
        return []
    claimed = await session.execute(
        update(WorkOrder)
        .where(WorkOrder.id.in_(ids), still)
        .values(**values)
        .returning(WorkOrder.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.scalars())


async def _record_all(
    session: AsyncSession,
    work_orders: Sequence[WorkOrder],
    now: datetime,
    kind: EventKind,
    data: Callable[[WorkOrder], dict[str, Any]],
) -> list[Change]:
    """One system event on each work order, inserted by one statement and queued as one batch. (Added one
    by one, the ORM would insert them a statement each on SQLite, to read their ids back in order; here
    each comes back with its work order's id, so the order does not matter.)"""
    if not work_orders:
        return []
    rows = [
        {
            "work_order_id": work_order.id,
            "at": now,
            "actor_id": changes.SYSTEM_ACTOR,
            "kind": kind,
            "data": data(work_order),
        }
        for work_order in work_orders
    ]
    inserted = await session.scalars(insert(WorkOrderEvent).returning(WorkOrderEvent), rows)
    event_of = {event.work_order_id: event for event in inserted}
    return await changes.done_all(session, [(work_order, [event_of[work_order.id]]) for work_order in work_orders])
