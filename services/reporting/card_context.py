"""What a card shows besides the work order's own columns: names from wrench.yml, the asset's label,
and the custom field values with their labels."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, FieldType, HoldReason, Status
from models.schemas import OUTSIDE_REQUESTERS, CardContext, WorkOrderRead
from models.work_orders import WorkOrderEvent
from services.contractor_jobs import jobs as contractor_jobs
from services.inventory import places
from services.organisation import custom_fields
from services.organisation.org import Organisation
from services.requests import portal
from services.work_orders import costs, rules, timers


async def card_context(session: AsyncSession, *, org: Organisation, work_order: WorkOrderRead) -> CardContext:
    category = org.category(work_order.category)
    shown = []
    for key, value in work_order.custom_fields.items():
        spec = category.field(key) if category else None
        if spec is not None:
            shown.append((spec.label, custom_fields.display(spec, value), spec.type))
        else:  # a field since removed from the config: still show what was recorded
            shown.append((key, str(value), FieldType.TEXT))
    # the card shows the cost once the work is done: no cost queries for every redraw before that
    done = work_order.status in (Status.COMPLETED, Status.CLOSED)
    cost = await costs.total_cents(session, work_order.id) if done else 0
    arrived, complete = await _parts_arrived(session, work_order)
    return CardContext(
        category=org.category_name(work_order.category),
        team=org.team(work_order.team).name,
        asset=await places.asset_label(session, work_order.asset_id, with_status=True),
        fields=tuple(shown),
        cost=f"{cost / 100:,.2f} {org.currency}" if cost else None,
        timers=await timers.running_on(session, work_order.id) if work_order.status in timers.RUNS_ON else (),
        requester=await portal.contact_of(session, work_order.request_id)
        if work_order.requester_id in OUTSIDE_REQUESTERS
        else None,
        contractor=await contractor_jobs.on_card(session, work_order.id) if work_order.status in rules.ACTIVE else None,
        parts_arrived=arrived,
        parts_complete=complete,
    )


async def _parts_arrived(session: AsyncSession, work_order: WorkOrderRead) -> tuple[tuple[str, ...], bool]:
    """On hold for parts: the purchase orders whose parts arrived since it was put on hold (and whether the
    last of them arrived in full)."""
    if work_order.status is not Status.ON_HOLD or work_order.hold_reason is not HoldReason.PARTS:
        return (), False
    events = WorkOrderEvent.__table__.c
    held = await session.scalar(
        select(events.at)
        .where(events.work_order_id == work_order.id, events.to_status == Status.ON_HOLD.value)
        .order_by(events.id.desc())
        .limit(1)
    )
    query = select(events.data).where(
        events.work_order_id == work_order.id, events.kind == EventKind.PARTS_ARRIVED.value
    )
    if held is not None:
        query = query.where(events.at >= held)
    found = await session.execute(query.order_by(events.id))
    data = [row[0] or {} for row in found.all()]
    refs = tuple(dict.fromkeys(str(d.get("purchase_order")) for d in data))
    return refs, bool(data and data[-1].get("complete"))
