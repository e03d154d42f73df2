"""Receiving a purchase order: what arrived goes into stock, each line a receipt and a stock movement at its
actual unit cost, all or none. The order's row is locked first, so two people receiving the same order at
once take turns: the second reads what the first received, and a form drawn before it is refused (never
counted twice). More than was ordered is refused unless the receiver confirms it (`allow_over`)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, PurchaseStatus
from models.parts import Part
from models.purchasing import PurchaseLine, PurchaseOrder, PurchaseReceipt
from models.views import PurchaseRead
from services.delivery import outbox
from services.errors import Conflict, Forbidden, InvalidInput, InvalidValues
from services.inventory import parts
from services.organisation.org import Organisation
from services.purchasing import amounts, reading
from services.purchasing.orders import may_decide
from services.work_orders import changes


class OverReceipt(InvalidInput):
    """More than ordered on some line: asked again, with `lines` saying which (sku, after, ordered). `what`
    says so without how to confirm it, which each way in adds (a second step, --allow-over, allow_over)."""

    def __init__(self, lines: list[tuple[str, int, int]]) -> None:
        told = "; ".join(f"{sku}: {after} of {ordered} ordered" for sku, after, ordered in lines)
        self.what = f"That is more than was ordered ({told})."
        super().__init__(f"{self.what} Confirm to receive it all the same.", field="quantity")
        self.lines = lines


@dataclass(frozen=True)
class Arrival:
    """What arrived of one line: how many, and at what unit cost (None: the cost expected on the order)."""

    quantity: int
    unit_cost_minor: int | None = None


def read_form(typed: Mapping[int, tuple[object, object]], currency: str) -> dict[int, Arrival]:
    """The receiving form's values (line id → quantity and actual unit cost as typed), checked: every wrong
    one is named at once, under `received_<line>` or `cost_<line>` (the form's fields)."""
    errors: dict[str, str] = {}
    arrivals: dict[int, Arrival] = {}
    for line_id, (quantity, cost) in typed.items():
        try:
            count = amounts.quantity_of(quantity, field=f"received_{line_id}", allow_zero=True)
        except InvalidInput as error:
            errors[f"received_{line_id}"] = str(error)
            continue
        try:
            minor = None if cost in (None, "") else amounts.unit_cost_of(cost, currency, field=f"cost_{line_id}")
        except InvalidInput as error:
            errors[f"cost_{line_id}"] = str(error)
            continue
        arrivals[line_id] = Arrival(count, minor)
    if errors:
        raise InvalidValues(errors)
    return arrivals


def arrivals_by_sku(
    order: PurchaseRead, lines: Sequence[tuple[str, object, object]], currency: str
) -> dict[int, Arrival]:
    """(sku, quantity, actual unit cost) as an API or the command line gives them, checked like the form's:
    every wrong one named at once (`lines.<n>.<field>`)."""
    by_sku = {line.sku.lower(): line.id for line in order.lines}
    errors: dict[str, str] = {}
    typed: dict[int, tuple[object, object]] = {}
    index_of: dict[int, int] = {}  # the order's line → its place in `lines`, as the caller numbers them
    for index, (sku, quantity, cost) in enumerate(lines):
        line_id = by_sku.get(sku.strip().lower())
        if line_id is None:
            errors[f"lines.{index}.sku"] = f"{order.ref} has no line of “{sku[:64]}”."
        elif line_id in typed:
            errors[f"lines.{index}.sku"] = f"{sku} is named twice."
        else:
            typed[line_id] = (quantity, cost)
            index_of[line_id] = index
    try:
        arrivals = read_form(typed, currency)
    except InvalidValues as error:
        for field, message in error.errors.items():
            kind, _, line = field.partition("_")
            errors[f"lines.{index_of[int(line)]}.{'quantity' if kind == 'received' else 'unit_cost'}"] = message
    if errors:
        raise InvalidValues(errors)
    return arrivals


def may_receive(org: Organisation, team: str, user_id: str) -> bool:
    """The order's team (technicians and managers), the purchase approvers and the admins."""
    members = org.team(team)
    return user_id in members.technicians or user_id in members.managers or may_decide(org, team, user_id)


async def receive(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    order_id: int,
    user_id: str,
    arrivals: Mapping[int, Arrival] | None = None,
    seen_version: int | None = None,
    allow_over: bool = False,
) -> PurchaseRead:
    """Receive `arrivals` (line id → what arrived), or everything still to come when None."""
    order = await reading.load(session, order_id, lock=True)  # first: a second receiver waits here
    ref = f"PO-{order.number}" if order.number is not None else f"PR-{order.id}"
    if not may_receive(org, order.team, user_id):
        raise Forbidden(f"Only {org.team(order.team).name} technicians and managers can receive {ref}.")
    if order.status not in (PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED):
        raise Conflict(_closed(ref, order))
    if seen_version is not None and seen_version != order.version:
        raise Conflict(f"{ref} changed since this form was opened (something was received): open Receive again.")
    lines = list(
        (
            await session.execute(
                select(PurchaseLine)
                .where(PurchaseLine.order_id == order.id)
                .order_by(PurchaseLine.position)
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )
    by_id = {line.id: line for line in lines}
    unknown = [line_id for line_id in (arrivals or {}) if line_id not in by_id]
    if unknown:
        raise InvalidInput(f"{ref} has no such line.", field="quantity")
    wanted = (
        {line.id: Arrival(line.quantity - line.received) for line in lines if line.quantity > line.received}
        if arrivals is None
        else {line_id: arrival for line_id, arrival in arrivals.items() if arrival.quantity > 0}
    )
    if not wanted:
        raise InvalidInput(f"Enter what arrived of {ref} (at least one quantity above 0).", field="quantity")
    skus = dict((await session.execute(select(Part.id, Part.sku).where(Part.id.in_([x.part_id for x in lines])))).all())
    over = [
        (skus[by_id[i].part_id], by_id[i].received + a.quantity, by_id[i].quantity)
        for i, a in wanted.items()
        if by_id[i].received + a.quantity > by_id[i].quantity
    ]
    if over and not allow_over:
        raise OverReceipt(over)
    arrived: list[dict[str, object]] = []
    for line_id, arrival in wanted.items():
        line = by_id[line_id]
        arrived.append(await _receive_line(session, order, line, arrival, ref=ref, user_id=user_id, now=now))
    complete = all(line.received >= line.quantity for line in lines)
    order.status = PurchaseStatus.RECEIVED if complete else PurchaseStatus.PARTLY_RECEIVED
    order.received_at = now if complete else None
    order.version += 1
    order.updated_at = now
    await session.flush()
    if order.work_order_id is not None:
        await _tell_work_order(
            session, order.work_order_id, ref=ref, arrived=arrived, complete=complete, user_id=user_id, now=now
        )
    outbox.purchase(session, order.id, "received", now=now, by=user_id, lines=arrived, complete=complete)
    return await reading.get(session, order.id)


async def _receive_line(
    session: AsyncSession,
    order: PurchaseOrder,
    line: PurchaseLine,
    arrival: Arrival,
    *,
    ref: str,
    user_id: str,
    now: datetime,
) -> dict[str, object]:
    cost = line.unit_cost_minor if arrival.unit_cost_minor is None else arrival.unit_cost_minor
    over = line.received + arrival.quantity > line.quantity
    line.received += arrival.quantity
    session.add(
        PurchaseReceipt(
            order_id=order.id,
            line_id=line.id,
            quantity=arrival.quantity,
            unit_cost_minor=cost,
            over=over,
            actor_id=user_id,
            at=now,
        )
    )
    cents = amounts.to_cents(cost, order.currency)
    await session.execute(  # the last price paid is what the part costs from now on
        update(Part)
        .where(Part.id == line.part_id)
        .values(unit_cost_cents=cents)
        .execution_options(synchronize_session=False)
    )
    part = await session.get(Part, line.part_id, populate_existing=True)
    assert part is not None
    await parts.move_stock(session, part, arrival.quantity, kind="receive", actor_id=user_id, now=now, note=ref)
    await session.refresh(part)
    if part.on_hand > part.reorder_point and part.low_alerted:
        part.low_alerted = False  # the low-stock alert is armed again
    return {
        "sku": part.sku,
        "name": part.name,
        "unit": part.unit,
        "quantity": arrival.quantity,
        "unit_cost_minor": cost,
        "over": over,
        "on_hand": part.on_hand,
    }


async def _tell_work_order(
    session: AsyncSession,
    work_order_id: int,
    *,
    ref: str,
    arrived: list[dict[str, object]],
    complete: bool,
    user_id: str,
    now: datetime,
) -> None:
    """A line in the thread of the work order that waited for these parts; its card says they arrived."""
    work_order = await changes.load(session, work_order_id)
    shown = [{"sku": a["sku"], "name": a["name"], "quantity": a["quantity"], "unit": a["unit"]} for a in arrived]
    data = {"purchase_order": ref, "lines": shown, "complete": complete}
    event = changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.PARTS_ARRIVED, data=data)
    await changes.touch(session, work_order, now)
    await changes.done(session, work_order, event)


def _closed(ref: str, order: PurchaseOrder) -> str:
    if order.status is PurchaseStatus.RECEIVED:
        return f"{ref} was already received in full."
    if order.status is PurchaseStatus.CANCELLED:
        return f"{ref} was cancelled: nothing more is expected."
    return f"{ref} is not approved yet: there is nothing to receive."
