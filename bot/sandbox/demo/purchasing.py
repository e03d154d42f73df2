"""The demo's purchasing: an order for air-handler filters from Northair placed a few days ago and partly
received, and Sam's request for fan belts waiting for the Facilities manager's approval."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.sandbox.demo.organisation import F_MANAGER, JO, SAM
from models.enums import PurchaseStatus
from models.purchasing import PurchaseOrder
from services.delivery import outbox
from services.organisation.org import Organisation
from services.purchasing import orders, reading, receiving
from services.purchasing.checks import LineInput

ORDERED = (4, "09:20")  # working days back, local time
RECEIVED = (2, "14:05")
ASKED = (0, "10:40")


Job = Callable[[AsyncSession, datetime], Awaitable[None]]


def plan(
    org: Organisation, *, moment: Callable[[tuple[int, str]], datetime], later: Callable[[datetime, Job], None]
) -> None:
    """Queue the demo's purchasing in its history (`later` runs each job at its moment, in time order)."""
    later(moment(ORDERED), partial(_order_filters, org))
    later(moment(RECEIVED), partial(_receive_some, org))
    later(moment(ASKED), partial(_ask_for_belts, org))


async def _order_filters(org: Organisation, session: AsyncSession, at: datetime) -> None:
    request = await orders.request(
        session,
        org=org,
        now=at,
        user_id=F_MANAGER,
        vendor="northair",
        lines=[LineInput("FLT-AHU-592", "12", "18.50"), LineInput("BELT-SPA1250", "4", "13.75", row=2)],
        note="Spring filter change on both air handlers",
    )
    await orders.approve(session, org=org, now=at, order_id=request.id, user_id=F_MANAGER)


async def _receive_some(org: Organisation, session: AsyncSession, at: datetime) -> None:
    order = await session.scalar(select(PurchaseOrder).where(PurchaseOrder.number == 1))
    if order is None:
        return
    filters = await reading.get(session, order.id)
    arrivals = {filters.lines[0].id: receiving.Arrival(8, 1825)}
    await receiving.receive(session, org=org, now=at, order_id=order.id, user_id=JO, arrivals=arrivals)


async def _ask_for_belts(org: Organisation, session: AsyncSession, at: datetime) -> None:
    lines = [LineInput("BELT-SPA1250", "10", "14.00"), LineInput("SEAL-MAGNA3", "2", "42.00", row=2)]
    await orders.request(session, org=org, now=at, user_id=SAM, vendor="northair", lines=lines, note="Stock for winter")


async def queue_open(session: AsyncSession, *, now: datetime) -> None:
    """After the history's notices are marked delivered: the open orders' messages (with their PDF) and
    the approvers' DMs of requests still waiting, as the people of the demo would see them now."""
    found = await session.execute(select(PurchaseOrder.id, PurchaseOrder.status).order_by(PurchaseOrder.id))
    for order_id, status in found.all():
        if status in (PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED):
            outbox.purchase(session, order_id, "approved", now=now)
        elif status is PurchaseStatus.REQUESTED:
            outbox.purchase(session, order_id, "requested", now=now)
