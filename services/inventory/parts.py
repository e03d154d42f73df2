"""Parts and their stock. Every stock change is a movement recorded beside a conditional UPDATE of the
part's `on_hand`, so two technicians taking the last one at the same moment cannot both succeed; stock
goes below zero only when a manager overrides; reaching the reorder point alerts the team once per dip."""

import math
import re
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.parts import Part, StockMovement
from models.schemas import Choice
from services.errors import InvalidInput, NotFound
from services.inputs import searchable

SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
MAX_QUANTITY = 1_000_000
MAX_UNIT_COST = 10_000_000  # in the organisation's currency (kept in cents: a 32-bit column holds 21 million)
PICKER_LIMIT = 20


def quantity_of(value: float, *, field: str = "quantity") -> float:
    if not math.isfinite(value) or not 0 < value <= MAX_QUANTITY:
        raise InvalidInput(f"Enter a quantity above 0 and at most {MAX_QUANTITY:,}.", field=field)
    return value


async def add_part(
    session: AsyncSession,
    *,
    now: datetime,
    actor_id: str,
    sku: str,
    name: str,
    unit: str = "each",
    unit_cost: float = 0,
    on_hand: float = 0,
    reorder_point: float = 0,
    location: str = "",
) -> Part:
    """A new part; its opening stock is recorded as a movement like any other."""
    if not SKU.match(sku):
        raise InvalidInput(f"“{sku[:64]}” is not a SKU: letters, digits and . _ / - (at most 64).", field="sku")
    existing = await session.scalar(select(Part.sku).where(func.lower(Part.sku) == sku.lower()))
    if existing is not None:
        raise InvalidInput(f"There is already a part {existing}.", field="sku")
    if not name.strip() or unit_cost < 0 or on_hand < 0 or reorder_point < 0:
        raise InvalidInput("A part needs a name, and no negative cost, stock or reorder point.", field="name")
    if not unit_cost <= MAX_UNIT_COST:  # NaN too
        raise InvalidInput(f"A unit cost is at most {MAX_UNIT_COST:,}.", field="unit_cost")
    part = Part(
        sku=sku,
        name=name.strip()[:150],
        unit=unit.strip()[:20] or "each",
        unit_cost_cents=round(unit_cost * 100),
        on_hand=0,
        reorder_point=reorder_point,
        location=location.strip()[:200],
        created_at=now,
        updated_at=now,
    )
    session.add(part)
    await session.flush()
    if on_hand:
        await receive(session, now=now, actor_id=actor_id, sku=sku, quantity=on_hand, note="opening stock")
    return part


async def by_sku(session: AsyncSession, sku: str) -> Part:
    wanted = searchable(sku).strip().lower()
    part = (await session.execute(select(Part).where(func.lower(Part.sku) == wanted))).scalar_one_or_none()
    if part is None:
        raise NotFound(f"There is no part {sku[:64]}.")
    return part


async def receive(
    session: AsyncSession, *, now: datetime, actor_id: str, sku: str, quantity: float, note: str = ""
) -> Part:
    """Stock that arrived; back above the reorder point, the low-stock alert is armed again."""
    part = await by_sku(session, sku)
    quantity_of(quantity)
    await move_stock(session, part, quantity, kind="receive", actor_id=actor_id, now=now, note=note)
    await session.refresh(part)
    if part.on_hand > part.reorder_point and part.low_alerted:
        part.low_alerted = False
    return part


async def count(
    session: AsyncSession, *, now: datetime, actor_id: str, part: Part, on_hand: float, note: str = "stock count"
) -> bool:
    """A stocktake: the stock becomes `on_hand` through a movement of the difference (none when equal)."""
    if not math.isfinite(on_hand) or on_hand < 0:
        raise InvalidInput("A counted stock is 0 or more.", field="on_hand")
    await session.refresh(part)
    difference = on_hand - part.on_hand
    if difference == 0:
        return False
    await move_stock(session, part, difference, kind="count", actor_id=actor_id, now=now, note=note)
    await session.refresh(part)
    if part.on_hand > part.reorder_point and part.low_alerted:
        part.low_alerted = False
    return True


async def listing(session: AsyncSession) -> list[Part]:
    return list((await session.execute(select(Part).order_by(Part.sku))).scalars())


async def find_parts(session: AsyncSession, text: str, *, limit: int = PICKER_LIMIT) -> list[Choice]:
    """Parts whose SKU or name contain every typed word, with their stock, by SKU (the picker)."""
    query = select(Part)
    for word in searchable(text).lower().split()[:5]:
        query = query.where(
            or_(
                func.lower(Part.sku).contains(word, autoescape=True),
                func.lower(Part.name).contains(word, autoescape=True),
            )
        )
    rows = (await session.execute(query.order_by(Part.sku).limit(limit))).scalars()
    return [Choice(id=p.id, label=f"{p.sku} · {p.name} ({p.on_hand:g} {p.unit})") for p in rows]


async def move_stock(
    session: AsyncSession,
    part: Part,
    quantity: float,
    *,
    kind: str,
    actor_id: str,
    now: datetime,
    work_order_id: int | None = None,
    note: str = "",
    overridden: bool = False,
    allow_negative: bool = True,
) -> float | None:
    """Change the stock by `quantity` in one conditional UPDATE; None when it would go below zero."""
    statement = update(Part).where(Part.id == part.id)
    if not allow_negative:
        statement = statement.where(Part.on_hand + quantity >= 0)
    moved = await session.execute(
        statement.values(on_hand=Part.on_hand + quantity, updated_at=now)
        .returning(Part.on_hand)
        .execution_options(synchronize_session=False)
    )
    left = moved.scalar_one_or_none()
    if left is None:
        return None
    session.add(
        StockMovement(
            part_id=part.id,
            work_order_id=work_order_id,
            kind=kind,
            quantity=quantity,
            unit_cost_cents=part.unit_cost_cents,
            overridden=overridden,
            note=note,
            actor_id=actor_id,
            at=now,
        )
    )
    return float(left)


async def claim_low_alert(session: AsyncSession, part_id: int) -> bool:
    """True for the one use that takes the part to its reorder point first (until stock is received)."""
    claimed = await session.execute(
        update(Part)
        .where(Part.id == part_id, Part.low_alerted.is_(False))
        .values(low_alerted=True)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


async def cost_cents_of(session: AsyncSession, work_order_ids: list[int]) -> dict[int, int]:
    """Parts cost per work order: what was used (at the cost when used), less what was returned."""
    if not work_order_ids:
        return {}
    rows = await session.execute(
        select(StockMovement.work_order_id, func.sum(-StockMovement.quantity * StockMovement.unit_cost_cents))
        .where(StockMovement.work_order_id.in_(work_order_ids))
        .group_by(StockMovement.work_order_id)
    )
    return {int(wo_id): round(total or 0) for wo_id, total in rows if wo_id is not None}
