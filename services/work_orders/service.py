"""Work orders: create, find one, remember its card. Changes to a work order live in
`assignment`, `lifecycle` and `work_log`; all go through `services.work_orders.changes`.

Concurrent changes to one work order are caught by its `version` column (SQLAlchemy raises
`StaleDataError` on flush); `models.db.Database.run` retries, and the retry meets the winner's state.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.counters import Counter
from models.enums import EventKind, Status, WorkOrderType
from models.places import Asset, Location
from models.schemas import Change, EventRead, RequestCreate, WorkOrderRead
from models.work_orders import WorkOrder, WorkOrderEvent
from services.errors import InvalidInput, NotFound
from services.organisation import sla_targets
from services.organisation.org import Category, Organisation
from services.work_orders import changes, downtime, rules

WORK_ORDER_SEQUENCE = "work_order"


@dataclass(frozen=True)
class Plan:
    """What a PM schedule gives the work order it generates."""

    schedule_id: int
    due_on: date
    due_at: datetime
    checklist: tuple[dict[str, Any], ...] = ()
    estimated_minutes: int | None = None
    skipped: int = 0


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
    actor_id: str | None = None,
    team: str | None = None,
    plan: Plan | None = None,
) -> Change:
    """Store a new open work order with its SLA due times; `actor_id` (default the requester) made it.

    `team` overrides the category's team (follow-ups stay with the team that found the fault); a `plan`
    (preventive work) brings its own due time, checklist and estimate instead of SLA targets.
    """
    category = category_of(org, request)
    priority = request.priority or category.default_priority
    team = team or category.team
    if plan is None:
        response_due, resolution_due = sla_targets.due_times(org, priority, now, team=team)
    else:
        response_due, resolution_due = None, plan.due_at
    location, location_id = await place_of(session, request)
    work_order = WorkOrder(
        number=await next_number(session),
        title=request.title,
        description=request.description,
        type=type,
        priority=priority,
        status=Status.OPEN,
        category=category.key,
        team=team,
        location=location,
        location_id=location_id,
        asset_id=request.asset_id,
        requester_id=requester_id,
        request_id=request_id,
        custom_fields=dict(request.custom_fields),
        attachments=[{**file, "stage": "request"} for file in request.attachments],
        source_channel=request.source_channel,
        source_ts=request.source_ts,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        pm_schedule_id=plan.schedule_id if plan else None,
        checklist=list(plan.checklist) if plan else [],
        estimated_minutes=plan.estimated_minutes if plan else None,
        created_at=now,
        updated_at=now,
    )
    session.add(work_order)
    await session.flush()
    data: dict[str, Any] = {"request_id": request_id} if request_id else {}
    if plan is not None:
        data.update(pm_schedule_id=plan.schedule_id, due_on=plan.due_on.isoformat(), skipped=plan.skipped)
    event = changes.record(
        session,
        work_order,
        now=now,
        actor_id=actor_id or requester_id,
        kind=EventKind.CREATED,
        to_status=Status.OPEN,
        data=data,
    )
    events = [event]
    if request.asset_down:
        down = await downtime.mark_down_unless_down(
            session, work_order, now=now, actor_id=requester_id, reason=request.title
        )
        events += [down] if down else []
    return await changes.done(session, work_order, *events)


def category_of(org: Organisation, request: RequestCreate) -> Category:
    found = org.category(request.category)
    if found is None:
        raise InvalidInput(f"'{request.category}' is not a category.", field="category")
    return found


async def place_of(session: AsyncSession, request: RequestCreate) -> tuple[str, int | None]:
    """(location text, location id): a picked location, else the asset's, else the typed text."""
    location_id = request.location_id
    if request.asset_id is not None:
        asset = await session.get(Asset, request.asset_id)
        if asset is None:
            raise InvalidInput("That asset no longer exists; pick another.", field="asset")
        location_id = location_id or asset.location_id
    if location_id is None:
        return request.location, None
    location = await session.get(Location, location_id)
    if location is None:
        raise InvalidInput("That location no longer exists; pick another.", field="location")
    return location.path[:200], location.id


async def get(session: AsyncSession, work_order_id: int) -> WorkOrderRead:
    return WorkOrderRead.model_validate(await changes.load(session, work_order_id))


async def get_by_number(session: AsyncSession, number: int) -> WorkOrderRead:
    found = (await session.execute(select(WorkOrder).where(WorkOrder.number == number))).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no WO-{number}.")
    return WorkOrderRead.model_validate(found)


async def get_by_card(session: AsyncSession, *, channel: str, ts: str) -> WorkOrderRead | None:
    """The work order whose card is the message `ts` in `channel` (replies in its thread are notes)."""
    found = await session.execute(select(WorkOrder).where(WorkOrder.card_channel == channel, WorkOrder.card_ts == ts))
    work_order = found.scalar_one_or_none()
    return WorkOrderRead.model_validate(work_order) if work_order else None


async def check_allowed(
    session: AsyncSession,
    *,
    org: Organisation,
    work_order_id: int,
    user_id: str,
    permission: rules.Permission,
    seen_version: int | None = None,
) -> WorkOrderRead:
    """Refuse early (before a modal opens) what `permission` would refuse later."""
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, permission, seen_version=seen_version)
    return WorkOrderRead.model_validate(work_order)


async def attach_card(session: AsyncSession, *, work_order_id: int, channel: str, ts: str) -> None:
    """Remember where the work order's card lives (not a domain change: no version bump)."""
    await session.execute(
        update(WorkOrder)
        .where(WorkOrder.id == work_order_id)
        .values(card_channel=channel, card_ts=ts)
        .execution_options(synchronize_session=False)
    )


async def attach_card_permalink(session: AsyncSession, *, work_order_id: int, link: str) -> None:
    """Remember the card's permalink (no version bump): the DMs of every later change link to it without
    asking Slack again."""
    await session.execute(
        update(WorkOrder)
        .where(WorkOrder.id == work_order_id)
        .values(card_permalink=link[:500])
        .execution_options(synchronize_session=False)
    )


async def attach_source_link(session: AsyncSession, *, work_order_id: int, link: str) -> None:
    """Remember the permalink of the message it was filed from (no version bump)."""
    await session.execute(
        update(WorkOrder)
        .where(WorkOrder.id == work_order_id)
        .values(source_link=link[:500])
        .execution_options(synchronize_session=False)
    )


async def events_of(session: AsyncSession, work_order_id: int) -> list[EventRead]:
    rows = await session.execute(
        select(WorkOrderEvent).where(WorkOrderEvent.work_order_id == work_order_id).order_by(WorkOrderEvent.id)
    )
    return [EventRead.model_validate(row) for row in rows.scalars()]
