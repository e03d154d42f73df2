"""What a work order costs: labor (costed when logged) + parts (at the cost when used) + other costs
entered on the card."""

import math
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind
from models.schemas import Change
from models.work_orders import CostEntry, LaborEntry
from services.errors import InvalidInput
from services.inputs import checked_text
from services.inventory import parts
from services.organisation.org import Organisation
from services.work_orders import changes, outside_work, rules

DESCRIPTION_MAX = 200
LARGEST = 10_000_000  # in the organisation's currency


async def add_cost(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    description: str,
    amount: float,
) -> Change:
    """An other cost (contractor, rental, disposal...) on a work order."""
    description = checked_text(description, field="description", limit=DESCRIPTION_MAX, ask="Say what it was for.")
    if not math.isfinite(amount) or not 0 < amount <= LARGEST:
        raise InvalidInput(f"Enter an amount above 0 and at most {LARGEST:,}.", field="amount")
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.ADD_COST, seen_version=None)
    cents = round(amount * 100)
    session.add(
        CostEntry(work_order_id=work_order.id, description=description, amount_cents=cents, actor_id=user_id, at=now)
    )
    await changes.touch(session, work_order, now)
    data = {"description": description, "amount_cents": cents, "currency": org.currency}
    event = changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.COST_ADDED, data=data)
    return await changes.done(session, work_order, event)


async def other_cents_of(session: AsyncSession, work_order_ids: list[int]) -> dict[int, int]:
    if not work_order_ids:
        return {}
    rows = await session.execute(
        select(CostEntry.work_order_id, func.sum(CostEntry.amount_cents))
        .where(CostEntry.work_order_id.in_(work_order_ids))
        .group_by(CostEntry.work_order_id)
    )
    return {int(wo_id): int(total or 0) for wo_id, total in rows}


async def total_cents(session: AsyncSession, work_order_id: int) -> int:
    """Labor + parts + other costs + what contractors charged, of one work order, in cents."""
    labor = await session.scalar(
        select(func.sum(LaborEntry.cost_cents)).where(LaborEntry.work_order_id == work_order_id)
    )
    used = (await parts.cost_cents_of(session, [work_order_id])).get(work_order_id, 0)
    other = (await other_cents_of(session, [work_order_id])).get(work_order_id, 0)
    contractor = (await outside_work.contractor_cents_of(session, [work_order_id])).get(work_order_id, 0)
    return int(labor or 0) + used + other + contractor
