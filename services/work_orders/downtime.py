"""Asset downtime: work on an asset can report it down (with a reason); completing the last open work
order on it brings it back up. Each period is stored, linked to the work order that opened it."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AssetStatus, EventKind
from models.places import Asset, Downtime
from models.schemas import Change
from models.work_orders import WorkOrder, WorkOrderEvent
from services.errors import InvalidInput
from services.inputs import checked_text
from services.organisation.org import Organisation
from services.work_orders import changes, rules

REASON_MAX = 500


async def report_down(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    reason: str,
    seen_version: int | None = None,
) -> Change:
    """Mark the work order's asset down from now, for `reason` (the work order's card button)."""
    reason = checked_text(reason, field="reason", limit=REASON_MAX, ask="Say what is wrong with it.")
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.REPORT_DOWN, seen_version=seen_version)
    event = await mark_down(session, work_order, now=now, actor_id=user_id, reason=reason)
    return await changes.done(session, work_order, event)


async def mark_down(
    session: AsyncSession, work_order: WorkOrder, *, now: datetime, actor_id: str, reason: str
) -> WorkOrderEvent:
    """Open a downtime period for the work order's asset (refused when it is already down)."""
    if work_order.asset_id is None:
        raise InvalidInput("This work order has no asset to mark down.", field="reason")
    asset = await session.get(Asset, work_order.asset_id, with_for_update=True)
    assert asset is not None
    if asset.status is AssetStatus.DOWN:
        since = await session.scalar(
            select(func.min(Downtime.started_at)).where(Downtime.asset_id == asset.id, Downtime.ended_at.is_(None))
        )
        raise InvalidInput(f"{asset.tag} is already down (since {since:%Y-%m-%d %H:%M} UTC).", field="reason")
    asset.status, asset.updated_at = AssetStatus.DOWN, now
    session.add(
        Downtime(asset_id=asset.id, work_order_id=work_order.id, started_at=now, reason=reason, started_by=actor_id)
    )
    work_order.updated_at = now
    data = {"asset": asset.tag, "reason": reason}
    return changes.record(session, work_order, now=now, actor_id=actor_id, kind=EventKind.ASSET_DOWN, data=data)


async def mark_down_unless_down(
    session: AsyncSession, work_order: WorkOrder, *, now: datetime, actor_id: str, reason: str
) -> WorkOrderEvent | None:
    """A request filed as "the asset is down": its downtime starts now, unless it is down already (then
    the period under way goes on, and ends once this work order is done too)."""
    asset = await session.get(Asset, work_order.asset_id, with_for_update=True) if work_order.asset_id else None
    if asset is None or asset.status is AssetStatus.DOWN:
        return None
    return await mark_down(session, work_order, now=now, actor_id=actor_id, reason=reason)


async def back_up_if_done(
    session: AsyncSession, work_order: WorkOrder, *, now: datetime, actor_id: str
) -> WorkOrderEvent | None:
    """After `work_order` is completed: if its asset is down and no other work on it is open, the asset is
    running again and its downtime ends."""
    if work_order.asset_id is None:
        return None
    asset = await session.get(Asset, work_order.asset_id, with_for_update=True)
    if asset is None or asset.status is not AssetStatus.DOWN:
        return None
    still_open = await session.scalar(
        select(func.count())
        .select_from(WorkOrder)
        .where(WorkOrder.asset_id == asset.id, WorkOrder.id != work_order.id, WorkOrder.status.in_(rules.ACTIVE))
    )
    if still_open:
        return None
    asset.status, asset.updated_at = AssetStatus.RUNNING, now
    periods = await session.execute(select(Downtime).where(Downtime.asset_id == asset.id, Downtime.ended_at.is_(None)))
    hours = 0.0
    for period in periods.scalars():
        period.ended_at, period.ended_by = now, actor_id
        hours += (now - period.started_at).total_seconds() / 3600
    data = {"asset": asset.tag, "down_hours": round(hours, 2)}
    return changes.record(session, work_order, now=now, actor_id=actor_id, kind=EventKind.ASSET_UP, data=data)
