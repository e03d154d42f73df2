"""What the purchase request form offers: vendors from the register (type-ahead, their cover's expiry
shown), a part to order with a quantity that brings it back above its reorder point, and the parts list."""

import math
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import PurchaseStatus
from models.parts import Part
from models.purchasing import PurchaseLine, PurchaseOrder
from models.schemas import Choice
from models.vendors import Vendor
from services.contracting import vendors
from services.errors import NotFound
from services.inputs import searchable

PICKER_LIMIT = 20
LIST_LIMIT = 40
OPEN = (PurchaseStatus.REQUESTED, PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED)


async def find_vendors(session: AsyncSession, text: str, *, today: date, limit: int = PICKER_LIMIT) -> list[Choice]:
    """Vendors whose key or name contain every typed word, by name; an expired cover is said in the label."""
    query = select(Vendor)
    for word in searchable(text).lower().split()[:5]:
        query = query.where(
            or_(
                func.lower(Vendor.key).contains(word, autoescape=True),
                func.lower(Vendor.name).contains(word, autoescape=True),
            )
        )
    found = (await session.execute(query.order_by(Vendor.name).limit(limit))).scalars()
    choices = []
    for vendor in found:
        state = vendors.expiry(vendor.expires_on, today)
        warning = (
            {
                vendors.Expiry.EXPIRED: " · cover EXPIRED",
                vendors.Expiry.EXPIRING: f" · cover ends {vendor.expires_on}",
            }.get(state, "")
            if state
            else ""
        )
        choices.append(Choice(id=vendor.id, label=f"{vendor.name} ({vendor.key}){warning}"))
    return choices


async def part_to_order(session: AsyncSession, part_id: int) -> tuple[int, str, int]:
    """(id, label, quantity to order): enough to be back at twice the reorder point (at least 1)."""
    part = await session.get(Part, part_id)
    if part is None:
        raise NotFound("That part is no longer in the register.")
    quantity = max(1, math.ceil(2 * part.reorder_point - part.on_hand))
    return part.id, f"{part.sku} · {part.name} ({part.on_hand:g} {part.unit})", min(quantity, 100_000)


async def on_order(session: AsyncSession, part_id: int) -> list[str]:
    """Open requests and orders of the part, with what is still to come: ["PO-3: 8 to come", "PR-9: 10 asked"]."""
    found = await session.execute(
        select(
            PurchaseOrder.id, PurchaseOrder.number, PurchaseOrder.status, PurchaseLine.quantity, PurchaseLine.received
        )
        .join(PurchaseLine, PurchaseLine.order_id == PurchaseOrder.id)
        .where(PurchaseLine.part_id == part_id, PurchaseOrder.status.in_(OPEN))
        .order_by(PurchaseOrder.id)
        .limit(5)
    )
    return [
        f"PR-{order_id}: {quantity} asked" if number is None else f"PO-{number}: {quantity - received} to come"
        for order_id, number, _, quantity, received in found.all()
    ]


async def parts_to_show(session: AsyncSession, text: str) -> list[tuple[int, str, str, float, float, str]]:
    """`/wo parts [TEXT]`: matching parts (all of them without TEXT), those at or below their reorder point
    first; (id, sku, name, on hand, reorder point, unit)."""
    query = select(Part)
    for word in searchable(text).lower().split()[:5]:
        query = query.where(
            or_(
                func.lower(Part.sku).contains(word, autoescape=True),
                func.lower(Part.name).contains(word, autoescape=True),
            )
        )
    low_first = (Part.on_hand > Part.reorder_point).asc()
    rows = (await session.execute(query.order_by(low_first, Part.sku).limit(LIST_LIMIT))).scalars()
    return [(p.id, p.sku, p.name, p.on_hand, p.reorder_point, p.unit) for p in rows]
