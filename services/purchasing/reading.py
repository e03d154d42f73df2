"""Purchase requests and orders as every screen reads them (`PurchaseRead`), found by id or by reference."""

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import PurchaseStatus
from models.parts import Part
from models.public import Page, PurchaseLineOut, PurchaseOrderOut
from models.purchasing import PurchaseLine, PurchaseOrder, PurchaseReceipt
from models.vendors import Vendor
from models.views import PurchaseLineRead, PurchaseRead
from models.work_orders import WorkOrder
from services.contracting import money
from services.errors import NotFound

REF = re.compile(r"^\s*(?:(po|pr)-?)?([0-9]{1,9})\s*$", re.IGNORECASE)
LIST_LIMIT = 100


async def load(session: AsyncSession, order_id: int, *, lock: bool = False) -> PurchaseOrder:
    """The order, read again; `lock`: held until the transaction ends (FOR UPDATE on PostgreSQL; SQLite's
    units of work hold the database's write lock from their start)."""
    query = select(PurchaseOrder).where(PurchaseOrder.id == order_id).execution_options(populate_existing=True)
    found = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if found is None:
        raise NotFound("That purchase order no longer exists.")
    return found


async def find_id(session: AsyncSession, ref: str) -> int:
    """The id of `PO-3` (an order's number), `PR-7` (a request's id), or a bare number (a PO number)."""
    matched = REF.match(ref)
    if matched is None:
        raise NotFound(f"“{ref[:30]}” is not a purchase order: write it like PO-3 (or PR-7 for a request).")
    kind, number = (matched.group(1) or "po").lower(), int(matched.group(2))
    column = PurchaseOrder.number if kind == "po" else PurchaseOrder.id
    found = await session.scalar(select(PurchaseOrder.id).where(column == number))
    if found is None:
        raise NotFound(f"There is no {kind.upper()}-{number}.")
    return int(found)


async def get(session: AsyncSession, order_id: int) -> PurchaseRead:
    [read] = await read_all(session, [await load(session, order_id)])
    return read


async def listing(
    session: AsyncSession,
    *,
    statuses: Sequence[PurchaseStatus] = (),
    limit: int = LIST_LIMIT,
    before_id: int | None = None,
) -> list[PurchaseRead]:
    """Newest first; only `statuses` when any are named; only older than `before_id` (the next page)."""
    query = select(PurchaseOrder).order_by(PurchaseOrder.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(PurchaseOrder.id < before_id)
    if statuses:
        query = query.where(PurchaseOrder.status.in_(list(statuses)))
    return await read_all(session, list((await session.execute(query)).scalars()))


def public(order: PurchaseRead) -> PurchaseOrderOut:
    """The order in the public shape (the REST API, exports)."""
    lines = [
        PurchaseLineOut(
            sku=line.sku,
            name=line.name,
            unit=line.unit,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            received=line.received,
        )
        for line in order.lines
    ]
    return PurchaseOrderOut(
        ref=order.ref,
        number=order.number,
        status=order.status.value,
        team=order.team,
        vendor=order.vendor_key,
        vendor_name=order.vendor_name,
        work_order=order.work_order_ref,
        requested_by=order.requested_by,
        requested_at=order.requested_at,
        note=order.note,
        currency=order.currency,
        total=order.total,
        received_amount=order.received_amount,
        lines=lines,
        decided_by=order.decided_by,
        decided_at=order.decided_at,
        rejection_reason=order.rejection_reason,
        ordered_at=order.ordered_at,
        received_at=order.received_at,
        cancelled_by=order.cancelled_by,
        cancelled_at=order.cancelled_at,
        cancel_reason=order.cancel_reason,
        version=order.version,
    )


async def export_page(
    session: AsyncSession, since: datetime | None, cursor: str | None, *, limit: int = LIST_LIMIT
) -> Page[PurchaseOrderOut]:
    """Oldest first, for `wrench export purchase-orders` (those changed at or after `since`)."""
    query = select(PurchaseOrder).order_by(PurchaseOrder.id).limit(limit + 1)
    if since is not None:
        query = query.where(PurchaseOrder.updated_at >= since)
    if cursor is not None and cursor.isascii() and cursor.isdigit() and len(cursor) <= 9:
        query = query.where(PurchaseOrder.id > int(cursor))
    found = list((await session.execute(query)).scalars())
    shown = await read_all(session, found[:limit])
    more = len(found) > limit
    return Page(items=[public(o) for o in shown], next_cursor=str(shown[-1].id) if more and shown else None)


async def read_all(session: AsyncSession, orders: Sequence[PurchaseOrder]) -> list[PurchaseRead]:
    """Each order with its vendor, work order, lines and what arrived: a few queries for all of them."""
    if not orders:
        return []
    ids = [order.id for order in orders]
    vendors = {
        v.id: v
        for v in await session.scalars(select(Vendor).where(Vendor.id.in_({order.vendor_id for order in orders})))
    }
    wanted = {order.work_order_id for order in orders if order.work_order_id is not None}
    numbers = dict(
        (await session.execute(select(WorkOrder.id, WorkOrder.number).where(WorkOrder.id.in_(wanted)))).all()
    )
    rows = await session.execute(
        select(PurchaseLine, Part)
        .join(Part, Part.id == PurchaseLine.part_id)
        .where(PurchaseLine.order_id.in_(ids))
        .order_by(PurchaseLine.order_id, PurchaseLine.position)
        .execution_options(populate_existing=True)
    )
    lines: dict[int, list[PurchaseLineRead]] = {order_id: [] for order_id in ids}
    currencies = {order.id: order.currency for order in orders}
    for line, part in rows.all():
        currency = currencies[line.order_id]
        lines[line.order_id].append(
            PurchaseLineRead(
                id=line.id,
                part_id=part.id,
                sku=part.sku,
                name=part.name,
                unit=part.unit,
                quantity=line.quantity,
                unit_cost_minor=line.unit_cost_minor,
                unit_cost=str(money.from_minor(line.unit_cost_minor, currency)),
                amount=str(money.from_minor(line.quantity * line.unit_cost_minor, currency)),
                received=line.received,
            )
        )
    received = dict(
        (
            await session.execute(
                select(PurchaseReceipt.order_id, func.sum(PurchaseReceipt.quantity * PurchaseReceipt.unit_cost_minor))
                .where(PurchaseReceipt.order_id.in_(ids))
                .group_by(PurchaseReceipt.order_id)
            )
        ).all()
    )
    return [_read(order, vendors[order.vendor_id], numbers, lines[order.id], received) for order in orders]


def _read(
    order: PurchaseOrder,
    vendor: Vendor,
    numbers: dict[int, int],
    lines: list[PurchaseLineRead],
    received: dict[int, int],
) -> PurchaseRead:
    number = numbers.get(order.work_order_id) if order.work_order_id is not None else None
    return PurchaseRead(
        id=order.id,
        number=order.number,
        status=order.status,
        team=order.team,
        vendor_key=vendor.key,
        vendor_name=vendor.name,
        vendor_email=vendor.email,
        work_order_id=order.work_order_id,
        work_order_ref=f"WO-{number}" if number is not None else None,
        requested_by=order.requested_by,
        requested_at=order.created_at,
        note=order.note,
        currency=order.currency,
        total=str(money.from_minor(order.total_minor, order.currency)),
        total_minor=order.total_minor,
        received_minor=int(received.get(order.id) or 0),
        received_amount=str(money.from_minor(int(received.get(order.id) or 0), order.currency)),
        lines=tuple(lines),
        decided_by=order.decided_by,
        decided_at=order.decided_at,
        rejection_reason=order.rejection_reason,
        ordered_at=order.ordered_at,
        received_at=order.received_at,
        cancelled_by=order.cancelled_by,
        cancelled_at=order.cancelled_at,
        cancel_reason=order.cancel_reason,
        approval_messages=tuple(order.approval_messages or ()),
        message_channel=order.message_channel,
        message_ts=order.message_ts,
        emailed_to=order.emailed_to,
        version=order.version,
    )
