"""Work-order use cases: create, find, claim, start, complete. Each flushes; the caller commits.

Every state change goes through `rules` and writes `work_order_events` in the same transaction.
Concurrent changes to one work order are caught by its `version` column (SQLAlchemy raises
`StaleDataError` on flush); `models.db.Database.run` retries, and the retry meets the winner's state.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.counters import Counter
from models.enums import EventKind, Status, WorkOrderType
from models.schemas import Change, EventRead, RequestCreate, WorkOrderRead
from models.work_orders import LaborEntry, WorkOrder, WorkOrderEvent
from services import rules, sla
from services.errors import Conflict, InvalidInput, NotFound
from services.org import Category, Organisation

WORK_ORDER_SEQUENCE = "work_order"
MAX_LABOR_MINUTES = 24 * 60


async def next_number(session: AsyncSession) -> int:
    """The next work-order number; the UPDATE's row lock makes concurrent creators take turns."""
    bumped = await session.execute(
        update(Counter)
        .where(Counter.name == WORK_ORDER_SEQUENCE)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    return int(bumped.scalar_one())


async def create(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    requester_id: str,
    request: RequestCreate,
    request_id: int | None = None,
    type: WorkOrderType = WorkOrderType.CORRECTIVE,
) -> Change:
    category = category_of(org, request)
    priority = request.priority or category.default_priority
    response_due, resolution_due = sla.due_times(org, priority, now)
    work_order = WorkOrder(
        number=await next_number(session),
        title=request.title,
        description=request.description,
        type=type,
        priority=priority,
        status=Status.OPEN,
        category=category.key,
        team=category.team,
        location=request.location,
        requester_id=requester_id,
        request_id=request_id,
        custom_fields={},
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        created_at=now,
        updated_at=now,
    )
    session.add(work_order)
    await session.flush()
    event = _record(session, work_order, now=now, actor_id=requester_id, kind=EventKind.CREATED, to_status=Status.OPEN)
    return await _change(session, work_order, event)


def category_of(org: Organisation, request: RequestCreate) -> Category:
    found = org.category(request.category)
    if found is None:
        raise InvalidInput(f"'{request.category}' is not a category.", field="category")
    return found


async def get(session: AsyncSession, work_order_id: int) -> WorkOrderRead:
    return WorkOrderRead.model_validate(await _load(session, work_order_id))


async def get_by_number(session: AsyncSession, number: int) -> WorkOrderRead:
    found = (await session.execute(select(WorkOrder).where(WorkOrder.number == number))).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no WO-{number}.")
    return WorkOrderRead.model_validate(found)


async def check_allowed(
    session: AsyncSession, *, org: Organisation, work_order_id: int, user_id: str, action: rules.Action
) -> WorkOrderRead:
    """Refuse early (before a modal opens) what `action` would refuse later."""
    work_order = await _load(session, work_order_id)
    _authorize(org, work_order, user_id, action)
    if action in rules.TARGET_STATUS:
        rules.check_transition(work_order.status, rules.TARGET_STATUS[action], ref=_ref(work_order))
    return WorkOrderRead.model_validate(work_order)


async def claim(session: AsyncSession, *, org: Organisation, now: datetime, work_order_id: int, user_id: str) -> Change:
    work_order = await _load(session, work_order_id)
    if work_order.status not in rules.ACTIVE:
        raise Conflict(f"{_ref(work_order)} is {work_order.status.label.lower()}; there is nothing to claim.")
    _authorize(org, work_order, user_id, rules.Action.CLAIM)
    if work_order.assignee_id == user_id:
        raise Conflict(f"You already hold {_ref(work_order)}.")
    if work_order.assignee_id is not None:
        raise Conflict(f"{_ref(work_order)} is already claimed by <@{work_order.assignee_id}>.")
    event = _assign(session, work_order, user_id, now=now)
    await session.flush()
    return await _change(session, work_order, event)


async def start(session: AsyncSession, *, org: Organisation, now: datetime, work_order_id: int, user_id: str) -> Change:
    work_order = await _load(session, work_order_id)
    _authorize(org, work_order, user_id, rules.Action.START)
    events = _take_if_unclaimed(session, work_order, user_id, now=now)
    events.append(_move(session, work_order, Status.IN_PROGRESS, now=now, actor_id=user_id))
    await session.flush()
    return await _change(session, work_order, *events)


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
) -> Change:
    if not resolution.strip():
        raise InvalidInput("Describe what was done.", field="resolution")
    if minutes is not None and not 0 <= minutes <= MAX_LABOR_MINUTES:
        raise InvalidInput(f"Time spent must be between 0 and {MAX_LABOR_MINUTES} minutes.", field="minutes")
    work_order = await _load(session, work_order_id)
    _authorize(org, work_order, user_id, rules.Action.COMPLETE)
    events = _take_if_unclaimed(session, work_order, user_id, now=now)
    if minutes:
        session.add(LaborEntry(work_order_id=work_order.id, user_id=user_id, minutes=minutes, logged_at=now))
        events.append(
            _record(
                session,
                work_order,
                now=now,
                actor_id=user_id,
                kind=EventKind.LABOR_LOGGED,
                data={"minutes": minutes},
            )
        )
    work_order.resolution = resolution.strip()
    work_order.cause = cause.strip() or None
    work_order.completed_at = now
    work_order.completed_by = user_id
    data = {"resolution": work_order.resolution, "cause": work_order.cause}
    events.append(_move(session, work_order, Status.COMPLETED, now=now, actor_id=user_id, data=data))
    await session.flush()
    return await _change(session, work_order, *events)


async def attach_card(session: AsyncSession, *, work_order_id: int, channel: str, ts: str) -> None:
    """Remember where the work order's card lives (not a domain change: no version bump)."""
    await session.execute(
        update(WorkOrder)
        .where(WorkOrder.id == work_order_id)
        .values(card_channel=channel, card_ts=ts)
        .execution_options(synchronize_session=False)
    )


async def for_person(
    session: AsyncSession, user_id: str, *, limit: int = 10
) -> tuple[list[WorkOrderRead], list[WorkOrderRead]]:
    """(active work assigned to them, soonest due first; their latest requests), for App Home."""
    assigned = await session.execute(
        select(WorkOrder)
        .where(WorkOrder.assignee_id == user_id, WorkOrder.status.in_(rules.ACTIVE))
        .order_by(WorkOrder.resolution_due_at.is_(None), WorkOrder.resolution_due_at, WorkOrder.number)
        .limit(limit)
    )
    requested = await session.execute(
        select(WorkOrder).where(WorkOrder.requester_id == user_id).order_by(WorkOrder.number.desc()).limit(limit)
    )
    return (
        [WorkOrderRead.model_validate(row) for row in assigned.scalars()],
        [WorkOrderRead.model_validate(row) for row in requested.scalars()],
    )


async def events_of(session: AsyncSession, work_order_id: int) -> list[EventRead]:
    rows = await session.execute(
        select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == work_order_id).order_by(WorkOrderEvent.id)
    )
    return [EventRead.model_validate(row) for row in rows.scalars()]


# -- internals ---------------------------------------------------------------------------------


def _ref(work_order: WorkOrder) -> str:
    return f"WO-{work_order.number}"


async def _load(session: AsyncSession, work_order_id: int) -> WorkOrder:
    work_order = await session.get(WorkOrder, work_order_id, populate_existing=True)
    if work_order is None:
        raise NotFound("That work order no longer exists.")
    return work_order


def _authorize(org: Organisation, work_order: WorkOrder, user_id: str, action: rules.Action) -> None:
    roles = rules.roles_of(
        user_id,
        team=work_order.team,
        requester_id=work_order.requester_id,
        assignee_id=work_order.assignee_id,
        org=org,
    )
    team_name = org.team(work_order.team).name
    rules.authorize(action, roles=roles, assignee_id=work_order.assignee_id, user_id=user_id, team_name=team_name)


def _assign(session: AsyncSession, work_order: WorkOrder, user_id: str, *, now: datetime) -> WorkOrderEvent:
    previous = work_order.assignee_id
    work_order.assignee_id = user_id
    work_order.first_response_at = work_order.first_response_at or now
    work_order.updated_at = now
    data = {"assignee_id": user_id, "previous_assignee_id": previous}
    return _record(session, work_order, now=now, actor_id=user_id, kind=EventKind.ASSIGNED, data=data)


def _take_if_unclaimed(
    session: AsyncSession, work_order: WorkOrder, user_id: str, *, now: datetime
) -> list[WorkOrderEvent]:
    """Starting or completing unclaimed work makes the doer its assignee."""
    if work_order.assignee_id is None:
        return [_assign(session, work_order, user_id, now=now)]
    return []


def _move(
    session: AsyncSession,
    work_order: WorkOrder,
    target: Status,
    *,
    now: datetime,
    actor_id: str,
    data: dict[str, Any] | None = None,
) -> WorkOrderEvent:
    rules.check_transition(work_order.status, target, ref=_ref(work_order))
    previous = work_order.status
    work_order.status = target
    work_order.first_response_at = work_order.first_response_at or now
    work_order.updated_at = now
    return _record(
        session,
        work_order,
        now=now,
        actor_id=actor_id,
        kind=EventKind.STATUS_CHANGED,
        from_status=previous,
        to_status=target,
        data=data,
    )


def _record(
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


async def _change(session: AsyncSession, work_order: WorkOrder, *events: WorkOrderEvent) -> Change:
    await session.flush()
    return Change(
        work_order=WorkOrderRead.model_validate(work_order),
        events=tuple(EventRead.model_validate(event) for event in events),
    )
