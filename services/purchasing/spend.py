"""What purchasing spent: what arrived, at its actual unit cost, by vendor, by team and by month (the
organisation's local month of each receipt); and the purchase orders still open, with their age."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import PurchaseStatus
from models.purchasing import PurchaseOrder, PurchaseReceipt
from models.vendors import Vendor
from models.views import OpenPurchase, SpendRow
from services.contracting import money
from services.purchasing import reading


@dataclass(frozen=True)
class Spend:
    currency: str
    total_minor: int = 0
    orders: int = 0
    by_vendor: tuple[SpendRow, ...] = ()
    by_team: tuple[SpendRow, ...] = ()
    by_month: tuple[SpendRow, ...] = ()
    team_names: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> str:
        return str(money.from_minor(self.total_minor, self.currency))


async def spend(
    session: AsyncSession,
    *,
    currency: str,
    since: datetime,
    until: datetime,
    zone: ZoneInfo,
    team: str | None = None,
    team_names: dict[str, str] | None = None,
) -> Spend:
    """Receipts from `since` up to and including `until` (of `team`'s orders only, when named), added up exactly."""
    query = (
        select(
            PurchaseReceipt.order_id,
            PurchaseReceipt.at,
            PurchaseReceipt.quantity * PurchaseReceipt.unit_cost_minor,
            PurchaseOrder.team,
            Vendor.key,
            Vendor.name,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseReceipt.order_id)
        .join(Vendor, Vendor.id == PurchaseOrder.vendor_id)
        .where(PurchaseReceipt.at >= since, PurchaseReceipt.at <= until, PurchaseOrder.currency == currency)
    )
    if team is not None:
        query = query.where(PurchaseOrder.team == team)
    names = team_names or {}
    groups: dict[str, dict[str, list[int]]] = {
        "vendor": defaultdict(list),
        "team": defaultdict(list),
        "month": defaultdict(list),
    }
    labels: dict[tuple[str, str], str] = {}
    orders: dict[tuple[str, str], set[int]] = defaultdict(set)
    total, all_orders = 0, set()
    for order_id, at, amount, order_team, vendor_key, vendor_name in (await session.execute(query)).all():
        month = at.astimezone(zone).strftime("%Y-%m")
        for kind, key, label in (
            ("vendor", vendor_key, vendor_name),
            ("team", order_team, names.get(order_team, order_team)),
            ("month", month, month),
        ):
            groups[kind][key].append(int(amount))
            labels[(kind, key)] = label
            orders[(kind, key)].add(order_id)
        total += int(amount)
        all_orders.add(order_id)

    def rows(kind: str, *, by_key: bool = False) -> tuple[SpendRow, ...]:
        found = [
            SpendRow(
                key=key,
                name=labels[(kind, key)],
                orders=len(orders[(kind, key)]),
                amount=str(money.from_minor(sum(amounts), currency)),
                amount_minor=sum(amounts),
            )
            for key, amounts in groups[kind].items()
        ]
        return tuple(sorted(found, key=(lambda r: r.key) if by_key else (lambda r: (-r.amount_minor, r.key))))

    return Spend(
        currency=currency,
        total_minor=total,
        orders=len(all_orders),
        by_vendor=rows("vendor"),
        by_team=rows("team"),
        by_month=rows("month", by_key=True),
        team_names=names,
    )


async def open_orders(
    session: AsyncSession, *, team: str, now: datetime, limit: int = 10
) -> tuple[list[OpenPurchase], int]:
    """The team's purchase orders still to arrive, oldest first (the first `limit`), and how many in all."""
    statuses = (PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED)
    found = list(
        (
            await session.execute(
                select(PurchaseOrder)
                .where(PurchaseOrder.team == team, PurchaseOrder.status.in_(statuses))
                .order_by(PurchaseOrder.ordered_at, PurchaseOrder.id)
            )
        ).scalars()
    )
    shown = await reading.read_all(session, found[:limit])
    return [
        OpenPurchase(
            ref=order.ref,
            vendor=order.vendor_name,
            total=f"{order.total} {order.currency}",
            status=order.status.label,
            days=max(0, (now - (order.ordered_at or order.requested_at)).days),
        )
        for order in shown
    ], len(found)
