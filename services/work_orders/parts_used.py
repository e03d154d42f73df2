"""Parts used on a work order: the stock goes down (not below zero unless a manager overrides), a
movement and an event record each line, all or none. The register and its stock are `services.inventory.parts`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind
from models.parts import Part
from models.schemas import Change
from models.work_orders import WorkOrder, WorkOrderEvent
from services.errors import Forbidden, InvalidInput
from services.inventory import parts
from services.organisation.org import Organisation
from services.work_orders import changes, rules


class StockShort(InvalidInput):
    """Less in stock than was used: the form can offer to order the part (`part_id`, `short` of it)."""

    def __init__(self, message: str, *, field: str, part_id: int, short: float, work_order_ref: str) -> None:
        super().__init__(message, field=field)
        self.part_id, self.short, self.work_order_ref = part_id, short, work_order_ref


@dataclass(frozen=True)
class PartLine:
    """One row of the "Use parts" form: a part and the quantity used (either may be missing)."""

    part_id: int | None
    quantity: float | None
    row: int = 1  # the form's row, so a refusal is shown beside it

    def field(self, name: str) -> str:
        return name if self.row == 1 else f"{name}_{self.row}"


async def use(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    lines: Sequence[PartLine],
    override: bool = False,
) -> Change:
    """Parts used on a work order, all or none: stock goes down (not below zero unless a manager
    overrides), a movement and an event record each line, and crossing the reorder point flags a
    low-stock alert."""
    filled = [line for line in lines if line.part_id is not None or line.quantity is not None]
    if not filled:
        raise InvalidInput("Pick a part and the quantity used.", field="part")
    for line in filled:
        if line.part_id is None:
            raise InvalidInput("Pick the part, or clear the quantity.", field=line.field("part"))
        if line.quantity is None:
            raise InvalidInput("Enter the quantity used.", field=line.field("quantity"))
        parts.quantity_of(line.quantity, field=line.field("quantity"))
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.USE_PARTS, seen_version=None)
    if override and not changes.roles(org, work_order, user_id) & rules.OVERRIDES_ASSIGNEE:
        raise Forbidden(f"Only {org.team(work_order.team).name} managers can take stock below zero.")
    events = [
        await _use_line(session, work_order, line, actor_id=user_id, now=now, override=override) for line in filled
    ]
    await changes.touch(session, work_order, now)
    return await changes.done(session, work_order, *events)


async def _use_line(
    session: AsyncSession, work_order: WorkOrder, line: PartLine, *, actor_id: str, now: datetime, override: bool
) -> WorkOrderEvent:
    assert line.part_id is not None and line.quantity is not None
    part = await session.get(Part, line.part_id)
    if part is None:
        raise InvalidInput("That part is no longer in the register; pick another.", field=line.field("part"))
    left = await parts.move_stock(
        session,
        part,
        -line.quantity,
        kind="use",
        actor_id=actor_id,
        now=now,
        work_order_id=work_order.id,
        overridden=override,
        allow_negative=override,
    )
    if left is None:
        await session.refresh(part)
        raise StockShort(
            f"Only {part.on_hand:g} {part.unit} of {part.sku} in stock. Record what you took; "
            "a manager can tick the override if the count is wrong.",
            field=line.field("quantity"),
            part_id=part.id,
            short=line.quantity - max(part.on_hand, 0),
            work_order_ref=changes.ref(work_order),
        )
    low = left <= part.reorder_point and await parts.claim_low_alert(session, part.id)
    data = {
        "part_id": part.id,
        "sku": part.sku,
        "name": part.name,
        "quantity": line.quantity,
        "unit": part.unit,
        "cost_cents": round(line.quantity * part.unit_cost_cents),
        "left": left,
        "low_stock": low,
        "reorder_point": part.reorder_point,
    }
    return changes.record(session, work_order, now=now, actor_id=actor_id, kind=EventKind.PARTS_USED, data=data)
