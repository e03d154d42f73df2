"""Parts stock on a real database: movements, no negative stock without a manager, one low-stock alert
per dip below the reorder point, and two people taking the last one at once."""

import asyncio
from functools import partial

import pytest
from sqlalchemy import func, select

from models.db import Database
from models.parts import Part, StockMovement
from services.errors import Forbidden, InvalidInput
from services.inventory import parts
from services.organisation.org import Organisation
from services.reporting import reports
from services.work_orders import parts_used
from tests.conftest import FrozenClock
from tests.services.test_work_orders import new_work_order
from tests.support.org import MANAGER, TECH_1, TECH_2


async def stock(db: Database, clock: FrozenClock, on_hand: float = 5, reorder_point: float = 2) -> int:
    part = await db.run(
        partial(
            parts.add_part,
            now=clock(),
            actor_id="cli",
            sku="FLT-1",
            name="Filter",
            unit_cost=12.5,
            on_hand=on_hand,
            reorder_point=reorder_point,
        )
    )
    return part.id


async def use(
    db: Database,
    org: Organisation,
    clock: FrozenClock,
    wo_id: int,
    part_id: int,
    quantity: float,
    user: str = TECH_1,
    override: bool = False,
):
    return await db.run(
        partial(
            parts_used.use,
            org=org,
            now=clock(),
            work_order_id=wo_id,
            user_id=user,
            lines=[parts_used.PartLine(part_id, quantity)],
            override=override,
        )
    )


async def test_stock_moves_and_alerts_once_per_dip(db: Database, org: Organisation, clock: FrozenClock) -> None:
    part_id = await stock(db, clock)
    wo = (await new_work_order(db, org, clock)).work_order
    first = (await use(db, org, clock, wo.id, part_id, 2)).events[0].data
    assert (first["left"], first["low_stock"], first["cost_cents"]) == (3, False, 2500)
    assert (await use(db, org, clock, wo.id, part_id, 1)).events[0].data["low_stock"] is True  # 2: at the point
    assert (await use(db, org, clock, wo.id, part_id, 1)).events[0].data["low_stock"] is False  # same dip
    with pytest.raises(InvalidInput, match="Only 1 each of FLT-1 in stock"):
        await use(db, org, clock, wo.id, part_id, 2)
    with pytest.raises(Forbidden, match="Only Facilities managers can take stock below zero"):
        await use(db, org, clock, wo.id, part_id, 2, override=True)
    assert (await use(db, org, clock, wo.id, part_id, 2, user=MANAGER, override=True)).events[0].data["left"] == -1
    await db.run(partial(parts.receive, now=clock(), actor_id="cli", sku="flt-1", quantity=10))  # back to 9
    assert (await use(db, org, clock, wo.id, part_id, 7)).events[0].data["low_stock"] is True  # a new dip
    async with db.unit_of_work() as session:
        on_hand = await session.scalar(select(Part.on_hand))
        moved = await session.scalar(select(func.sum(StockMovement.quantity)))
        work = await reports.load_work(session, reports.select(reports.WorkOrder))
    assert on_hand == moved == 2  # the stock is the sum of its movements
    assert work[0].parts_cost == (2 + 1 + 1 + 2 + 7) * 12.5


async def test_two_people_take_the_last_one_at_once(db: Database, org: Organisation, clock: FrozenClock) -> None:
    part_id = await stock(db, clock, on_hand=1, reorder_point=0)
    wo = (await new_work_order(db, org, clock)).work_order
    results = await asyncio.gather(
        use(db, org, clock, wo.id, part_id, 1, user=TECH_1),
        use(db, org, clock, wo.id, part_id, 1, user=TECH_2),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Change", "StockShort"]  # an InvalidInput: offers to order
    async with db.unit_of_work() as session:
        assert await session.scalar(select(Part.on_hand)) == 0


async def test_bad_parts_are_refused(db: Database, clock: FrozenClock) -> None:
    await stock(db, clock)
    add = partial(parts.add_part, now=clock(), actor_id="cli", name="Filter")
    with pytest.raises(InvalidInput, match="There is already a part FLT-1"):
        await db.run(partial(add, sku="flt-1"))
    with pytest.raises(InvalidInput, match="is not a SKU"):
        await db.run(partial(add, sku="has space"))
    with pytest.raises(InvalidInput, match="quantity above 0"):
        await db.run(partial(parts.receive, now=clock(), actor_id="cli", sku="FLT-1", quantity=-1))


async def test_parts_and_costs_touch_the_work_order_without_outdating_its_card(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    """The card's buttons carry the version they were drawn with; parts and costs change nothing they act
    on, so they keep the version (the card is not redrawn for them) and only move `updated_at`."""
    from services.work_orders import costs

    part_id = await stock(db, clock)
    wo = (await new_work_order(db, org, clock)).work_order
    clock.advance(minutes=5)
    used = (await use(db, org, clock, wo.id, part_id, 1)).work_order
    clock.advance(minutes=5)
    costed = await db.run(
        partial(
            costs.add_cost, org=org, now=clock(), work_order_id=wo.id, user_id=TECH_1, description="Skip", amount=40
        )
    )
    assert used.version == costed.work_order.version == wo.version
    assert costed.work_order.updated_at == clock() and used.updated_at < clock()
