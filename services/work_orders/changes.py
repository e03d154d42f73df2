"""What every work-order change is built from: load, authorize (refusing stale cards), move the
status, record events, and hand back a `Change`. Used by the use-case modules, not by handlers."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, SlaStatus, Status
from models.schemas import Change, EventRead, WorkOrderRead
from models.work_orders import LaborEntry, WorkOrder, WorkOrderEvent
from services.delivery import outbox, publishing
from services.errors import DomainError, NotFound, Stale
from services.organisation.org import Organisation
from services.work_orders import rules

SYSTEM_ACTOR = "wrench"  # actor of changes nobody clicked (auto-close)


def ref(work_order: WorkOrder) -> str:
    return f"WO-{work_order.number}"


async def load(session: AsyncSession, work_order_id: int) -> WorkOrder:
    work_order = await session.get(WorkOrder, work_order_id, populate_existing=True)
    if work_order is None:
        raise NotFound("That work order no longer exists.")
    return work_order


async def load_all(session: AsyncSession, work_order_ids: Sequence[int]) -> list[WorkOrder]:
    """The work orders of `work_order_ids` that exist, in id order, read in one query."""
    if not work_order_ids:
        return []
    found = await session.scalars(
        select(WorkOrder)
        .where(WorkOrder.id.in_(work_order_ids))
        .order_by(WorkOrder.id)
        .execution_options(populate_existing=True)
    )
    return list(found)


def roles(org: Organisation, work_order: WorkOrder, user_id: str) -> set[rules.Role]:
    return rules.roles_of(
        user_id,
        team=work_order.team,
        requester_id=work_order.requester_id,
        assignee_id=work_order.assignee_id,
        org=org,
    )


def authorize(org: Organisation, work_order: WorkOrder, user_id: str, permission: rules.Permission) -> None:
    rules.authorize(
        permission,
        roles=roles(org, work_order, user_id),
        status=work_order.status,
        assignee_id=work_order.assignee_id,
        user_id=user_id,
        team_name=org.team(work_order.team).name,
    )


def check(
    org: Organisation,
    work_order: WorkOrder,
    user_id: str,
    permission: rules.Permission,
    *,
    seen_version: int | None,
    extra: Callable[[], None] | None = None,
) -> None:
    """Authorize `permission` and check its transition and `extra` rules against the current state.

    `seen_version` is the version the clicked card showed. If the work order changed since, the
    action is refused as `Stale` (with the reason the current state gives, when there is one),
    so an old card never overwrites newer state.
    """
    stale = seen_version is not None and seen_version != work_order.version
    try:
        authorize(org, work_order, user_id, permission)
        if permission in rules.TARGET_STATUS:
            rules.check_transition(work_order.status, rules.TARGET_STATUS[permission], ref=ref(work_order))
        if extra is not None:
            extra()
    except DomainError as refused:
        if stale:
            raise Stale(str(refused), current=WorkOrderRead.model_validate(work_order)) from None
        raise
    if stale:
        raise Stale(
            f"{ref(work_order)} changed after that card was drawn: it is now {describe(work_order)}. "
            "The card is up to date again; try once more if it still applies.",
            current=WorkOrderRead.model_validate(work_order),
        )


def describe(work_order: WorkOrder) -> str:
    holder = f"held by <@{work_order.assignee_id}>" if work_order.assignee_id else "unclaimed"
    return f"{work_order.status.label.lower()}, {work_order.priority.value} priority, {holder}"


def assign(
    session: AsyncSession, work_order: WorkOrder, assignee_id: str | None, *, now: datetime, actor_id: str
) -> WorkOrderEvent:
    previous = work_order.assignee_id
    work_order.assignee_id = assignee_id
    if assignee_id is not None:
        responded(work_order, now)
    work_order.updated_at = now
    kind = EventKind.ASSIGNED if assignee_id is not None else EventKind.UNASSIGNED
    data = {"assignee_id": assignee_id, "previous_assignee_id": previous}
    return record(session, work_order, now=now, actor_id=actor_id, kind=kind, data=data)


def take_if_unclaimed(
    session: AsyncSession, work_order: WorkOrder, user_id: str, *, now: datetime
) -> list[WorkOrderEvent]:
    """Starting, holding or completing unclaimed work makes the doer its assignee."""
    if work_order.assignee_id is None:
        return [assign(session, work_order, user_id, now=now, actor_id=user_id)]
    return []


def move(
    session: AsyncSession,
    work_order: WorkOrder,
    target: Status,
    *,
    now: datetime,
    actor_id: str,
    data: dict[str, Any] | None = None,
) -> WorkOrderEvent:
    rules.check_transition(work_order.status, target, ref=ref(work_order))
    previous = work_order.status
    work_order.status = target
    if target in rules.ACTIVE or target is Status.COMPLETED:
        responded(work_order, now)
    if target is Status.COMPLETED:
        work_order.sla_resolution = _judged(work_order.resolution_due_at, now, work_order.sla_resolution)
    if target is Status.OPEN and previous is Status.COMPLETED:  # reopened: the clock runs on
        work_order.sla_resolution = _judged(work_order.resolution_due_at, now, SlaStatus.ONGOING, done=False)
    work_order.updated_at = now
    return record(
        session,
        work_order,
        now=now,
        actor_id=actor_id,
        kind=EventKind.STATUS_CHANGED,
        from_status=previous,
        to_status=target,
        data=data,
    )


def responded(work_order: WorkOrder, now: datetime) -> None:
    """The first claim, start, hold or completion answers the request: judge the response target."""
    if work_order.first_response_at is None:
        work_order.first_response_at = now
        work_order.sla_response = _judged(work_order.response_due_at, now, work_order.sla_response)


def _judged(due: datetime | None, now: datetime, current: SlaStatus, *, done: bool = True) -> SlaStatus:
    """Met when done by the due time; breached once past it; a breach stands. Work with no target (no due
    time) is recorded as met when done: SLA attainment leaves it out by its missing due time."""
    if current is SlaStatus.BREACHED or (due is not None and now > due):
        return SlaStatus.BREACHED
    return SlaStatus.MET if done else SlaStatus.ONGOING


def log_labor(
    session: AsyncSession,
    org: Organisation,
    work_order: WorkOrder,
    *,
    minutes: int,
    worker_id: str,
    actor_id: str,
    now: datetime,
) -> WorkOrderEvent:
    """`actor_id` records `minutes` of work by `worker_id`: a labor entry, costed at the worker's rate
    now (a later change of rates leaves it as it was), and its event."""
    rate = org.hourly_rate_cents(worker_id, work_order.team)
    cost = round(minutes * rate / 60) if rate is not None else 0
    entry = LaborEntry(
        work_order_id=work_order.id,
        user_id=worker_id,
        minutes=minutes,
        logged_at=now,
        rate_cents=rate,
        cost_cents=cost,
    )
    session.add(entry)
    data = {"minutes": minutes, "user_id": worker_id, "cost_cents": cost}
    return record(session, work_order, now=now, actor_id=actor_id, kind=EventKind.LABOR_LOGGED, data=data)


def record(
    session: AsyncSession,
    work_order: WorkOrder,
    *,
    now: datetime,
    actor_id: str,
    kind: EventKind,
    from_status: Status | None = None,
    to_status: Status | None = None,
    data: dict[str, Any] | None = None,
) -> WorkOrderEvent:
    event = WorkOrderEvent(
        work_order_id=work_order.id,
        at=now,
        actor_id=actor_id,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )
    session.add(event)
    return event


async def touch(session: AsyncSession, work_order: WorkOrder, now: datetime) -> None:
    """Mark the work order changed for readers of `updated_at` (the REST API's `updated_since`) without a
    new version: parts and costs add to it but change nothing its card's buttons act on, so the card
    drawn before stays current (an ORM UPDATE statement does not bump the version, a flush would)."""
    await session.execute(
        update(WorkOrder).where(WorkOrder.id == work_order.id).values(updated_at=now),
        execution_options={"synchronize_session": "evaluate"},
    )


async def done(session: AsyncSession, work_order: WorkOrder, *events: WorkOrderEvent) -> Change:
    """Flush and describe the change: the work order as it now stands and the events it caused. Its
    webhook events and its Slack notice are queued in the same transaction."""
    [change] = await done_all(session, [(work_order, events)])
    return change


async def done_all(
    session: AsyncSession, changed: Sequence[tuple[WorkOrder, Sequence[WorkOrderEvent]]]
) -> list[Change]:
    """`done` for a batch of changes (the scheduler's): one flush, so each table gets one INSERT for all."""
    await session.flush()
    await publishing.work_order_events(session, changed)
    described = [
        Change(
            work_order=WorkOrderRead.model_validate(work_order),
            events=tuple(EventRead.model_validate(event) for event in events),
        )
        for work_order, events in changed
    ]
    await outbox.work_order_changes(session, described)
    return described
