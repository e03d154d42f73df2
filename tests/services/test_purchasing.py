"""Purchasing on a real database: requests checked field by field, approval into numbered orders (once,
whoever clicks), receipts into stock at their actual cost, over-receipts confirmed, and two receipts of the
same order at once never adding stock twice."""

import asyncio
from functools import partial

import pytest
from sqlalchemy import func, select

from models.db import Database
from models.enums import PurchaseStatus
from models.parts import Part, StockMovement
from models.purchasing import PurchaseReceipt
from services.contracting import vendors
from services.errors import Conflict, Forbidden, InvalidValues
from services.inventory import parts
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from services.purchasing import orders, reading, receiving
from services.purchasing.checks import LineInput
from tests.conftest import FrozenClock
from tests.support.org import ADMIN, CONFIG, MANAGER, STAFF, TECH_1, TECH_2


@pytest.fixture
def org() -> Organisation:
    return parse_organisation(CONFIG + "purchasing:\n  auto_approve_below: {amount: 50}\n")


async def setup(db: Database, org: Organisation, clock: FrozenClock) -> None:
    async def work(session):  # type: ignore[no-untyped-def]
        await vendors.add_vendor(session, org=org, now=clock(), values={"key": "acme", "name": "Acme Supply"})
        await vendors.add_vendor(
            session, org=org, now=clock(), values={"key": "euro", "name": "Euro Parts", "currency": "EUR"}
        )
        await parts.add_part(
            session, now=clock(), actor_id="cli", sku="FLT-1", name="Filter", unit_cost=12.5, on_hand=1
        )
        await parts.add_part(session, now=clock(), actor_id="cli", sku="BLT-2", name="Belt", unit_cost=3, on_hand=0)

    await db.run(work)


async def ask(db: Database, org: Organisation, clock: FrozenClock, *lines: LineInput, user: str = TECH_1, **kw):
    return await db.run(
        partial(orders.request, org=org, now=clock(), user_id=user, vendor=kw.pop("vendor", "acme"), lines=lines, **kw)
    )


async def on_hand(db: Database, sku: str) -> tuple[float, int]:
    async def read(session):  # type: ignore[no-untyped-def]
        part = await session.scalar(select(Part).where(Part.sku == sku))
        return part.on_hand, part.unit_cost_cents

    return await db.run(read)


async def test_a_request_names_every_wrong_value_and_stores_nothing(db: Database, org, clock) -> None:
    await setup(db, org, clock)
    with pytest.raises(InvalidValues) as refused:
        await ask(
            db, org, clock,
            LineInput("NOPE", "2"), LineInput("FLT-1", "0", row=2), LineInput("BLT-2", "3", "1.234", row=3),
            vendor="ghost", work_order="WO-99",
        )  # fmt: skip
    assert refused.value.errors == {
        "vendor": "There is no vendor “ghost” in the register (wrench vendors list).",
        "part": "There is no part “NOPE” in the register.",
        "quantity_2": "Enter a quantity from 1 to 100,000.",
        "unit_cost_3": "Unit cost: USD has 2 decimal places: 1.234 cannot be stored without losing part of it.",
        "work_order": "There is no work order WO-99.",
    }
    for typed, said in (("twelve", "“twelve” is not a work order's number: write it like WO-12."),
                        ("WO-²", "“WO-²” is not a work order's number: write it like WO-12.")):  # fmt: skip
        with pytest.raises(InvalidValues) as refused:
            await ask(db, org, clock, LineInput("FLT-1", "2"), work_order=typed)
        assert refused.value.errors == {"work_order": said}
    with pytest.raises(InvalidValues) as refused:
        await ask(db, org, clock, LineInput("FLT-1", "-1"), LineInput("BLT-2", "2.5", row=2), vendor="euro")
    assert set(refused.value.errors) == {"vendor", "quantity", "quantity_2"}
    assert "prices in EUR" in refused.value.errors["vendor"]
    with pytest.raises(InvalidValues) as refused:
        await ask(db, org, clock, LineInput("FLT-1", "9999999"))
    assert refused.value.errors == {"quantity": "Enter a quantity from 1 to 100,000."}
    with pytest.raises(InvalidValues) as refused:  # a whole number, if a large one: said so
        await ask(db, org, clock, LineInput("FLT-1", "99999999999"))
    assert refused.value.errors == {"quantity": "Enter a quantity from 1 to 100,000."}
    with pytest.raises(Forbidden):
        await ask(db, org, clock, LineInput("FLT-1", "1"), user=STAFF)
    assert await db.run(partial(reading.listing)) == []


async def test_below_the_threshold_approved_at_once_above_it_one_approver_wins(db: Database, org, clock) -> None:
    await setup(db, org, clock)
    small = await ask(db, org, clock, LineInput("FLT-1", "2"))  # 25.00 < 50
    assert (small.status, small.ref, small.decided_by, small.total) == (
        PurchaseStatus.ORDERED,
        "PO-1",
        "wrench",
        "25.00",
    )
    big = await ask(db, org, clock, LineInput("FLT-1", "2", "30.10"), LineInput("BLT-2", "1", row=2))
    assert (big.status, big.ref, big.total, big.total_minor) == (
        PurchaseStatus.REQUESTED,
        f"PR-{big.id}",
        "63.20",
        6320,
    )
    bigger = await ask(db, org, clock, LineInput("FLT-1", "4"))
    assert bigger.status is PurchaseStatus.REQUESTED
    with pytest.raises(Forbidden):
        await db.run(partial(orders.approve, org=org, now=clock(), order_id=bigger.id, user_id=TECH_1))
    decisions = await asyncio.gather(
        db.run(partial(orders.approve, org=org, now=clock(), order_id=bigger.id, user_id=MANAGER)),
        db.run(partial(orders.approve, org=org, now=clock(), order_id=bigger.id, user_id=ADMIN)),
        return_exceptions=True,
    )
    won = [d for d in decisions if not isinstance(d, BaseException)]
    lost = [d for d in decisions if isinstance(d, BaseException)]
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], Conflict), decisions
    assert won[0].ref == "PO-2" and "already approved" in str(lost[0])


async def test_receipts_add_stock_at_the_actual_cost_and_over_receipts_need_confirming(
    db: Database, org, clock
) -> None:
    await setup(db, org, clock)
    order = await ask(db, org, clock, LineInput("FLT-1", "10", "11.00"), LineInput("BLT-2", "4", row=2))
    order = await db.run(partial(orders.approve, org=org, now=clock(), order_id=order.id, user_id=MANAGER))
    filter_line, _ = order.lines
    arrivals = {filter_line.id: receiving.Arrival(6, 1175)}
    first = await db.run(
        partial(receiving.receive, org=org, now=clock(), order_id=order.id, user_id=TECH_2, arrivals=arrivals)
    )
    assert first.status is PurchaseStatus.PARTLY_RECEIVED and first.received_minor == 6 * 1175
    assert await on_hand(db, "FLT-1") == (7, 1175)
    with pytest.raises(receiving.OverReceipt) as over:
        await db.run(
            partial(
                receiving.receive, org=org, now=clock(), order_id=order.id, user_id=TECH_2,
                arrivals={filter_line.id: receiving.Arrival(5)},
            )
        )  # fmt: skip
    assert over.value.lines == [("FLT-1", 11, 10)]
    with pytest.raises(Conflict):  # a form drawn before the first receipt
        await db.run(
            partial(
                receiving.receive, org=org, now=clock(), order_id=order.id, user_id=TECH_2, seen_version=order.version,
            )
        )  # fmt: skip
    rest = await db.run(
        partial(receiving.receive, org=org, now=clock(), order_id=order.id, user_id=TECH_2, allow_over=False)
    )
    assert rest.status is PurchaseStatus.RECEIVED and [line.received for line in rest.lines] == [10, 4]
    assert await on_hand(db, "FLT-1") == (11, 1100) and await on_hand(db, "BLT-2") == (4, 300)

    async def movements(session):  # type: ignore[no-untyped-def]
        found = await session.execute(
            select(StockMovement.quantity, StockMovement.unit_cost_cents, StockMovement.note)
            .where(StockMovement.kind == "receive", StockMovement.note == "PO-1")
            .order_by(StockMovement.id)
        )
        return [tuple(row) for row in found]

    assert await db.run(movements) == [(6.0, 1175, "PO-1"), (4.0, 1100, "PO-1"), (4.0, 300, "PO-1")]
    with pytest.raises(Conflict, match="already received in full"):
        await db.run(partial(receiving.receive, org=org, now=clock(), order_id=order.id, user_id=TECH_2))


async def test_two_receipts_of_the_same_order_at_once_add_stock_once(db: Database, org, clock) -> None:
    await setup(db, org, clock)
    order = await ask(db, org, clock, LineInput("BLT-2", "5", "1.00"))  # 5.00: approved at once
    assert order.status is PurchaseStatus.ORDERED
    for attempt in range(3):  # the whole order, the same form twice, the remainder without a form
        kwargs = [
            {},
            {"seen_version": order.version, "arrivals": {order.lines[0].id: receiving.Arrival(5)}},
        ][attempt % 2]
        results = await asyncio.gather(
            *(
                db.run(partial(receiving.receive, org=org, now=clock(), order_id=order.id, user_id=who, **kwargs))
                for who in (TECH_1, TECH_2)
            ),
            return_exceptions=True,
        )
        if attempt == 0:
            won = [r for r in results if not isinstance(r, BaseException)]
            lost = [r for r in results if isinstance(r, BaseException)]
            assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], Conflict), results
        else:
            assert all(isinstance(r, Conflict) for r in results), results
    assert (await on_hand(db, "BLT-2"))[0] == 5

    async def receipts(session):  # type: ignore[no-untyped-def]
        return await session.scalar(select(func.sum(PurchaseReceipt.quantity)))

    assert await db.run(receipts) == 5


async def test_cancelling(db: Database, org, clock) -> None:
    await setup(db, org, clock)
    order = await ask(db, org, clock, LineInput("FLT-1", "10"))
    with pytest.raises(Forbidden):
        await db.run(partial(orders.cancel, org=org, now=clock(), order_id=order.id, user_id=TECH_2))
    gone = await db.run(partial(orders.cancel, org=org, now=clock(), order_id=order.id, user_id=TECH_1, reason="typo"))
    assert (gone.status, gone.cancel_reason) == (PurchaseStatus.CANCELLED, "typo")
    with pytest.raises(Conflict):
        await db.run(partial(orders.approve, org=org, now=clock(), order_id=order.id, user_id=MANAGER))
    with pytest.raises(Conflict):
        await db.run(partial(receiving.receive, org=org, now=clock(), order_id=order.id, user_id=MANAGER))
