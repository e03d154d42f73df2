"""A purchase request's values checked one by one, every refusal kept under the form's field it is about
(`part_2`, `quantity_3`...), so the caller names them all at once."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.parts import Part
from models.vendors import Vendor
from models.work_orders import WorkOrder
from services.errors import InvalidInput
from services.organisation.org import Organisation
from services.purchasing import amounts


@dataclass(frozen=True)
class LineInput:
    """One row of a request as typed: a part (a SKU, or a row id from a picker), a quantity and an expected
    unit cost (None: the part's cost in the register). `row` names the form's fields (`quantity_2`)."""

    part: str | int | None
    quantity: object
    unit_cost: object = None
    row: int = 1

    def field(self, name: str) -> str:
        return name if self.row == 1 else f"{name}_{self.row}"


def team_of(org: Organisation, user_id: str) -> str:
    """The team whose spend a request without a work order is: the asker's (first) team, else the first."""
    mine = [team.key for team in org.teams if user_id in team.managers or user_id in team.technicians]
    return (mine or [org.teams[0].key])[0]


async def vendor_of(
    session: AsyncSession, vendor: str | int | None, currency: str, errors: dict[str, str]
) -> Vendor | None:
    if vendor in (None, ""):
        errors["vendor"] = "Pick the vendor to order from."
        return None
    if isinstance(vendor, int):
        found = await session.get(Vendor, vendor)
    else:
        found = await session.scalar(select(Vendor).where(func.lower(Vendor.key) == vendor.strip().lower()))
    if found is None:
        errors["vendor"] = f"There is no vendor “{str(vendor)[:64]}” in the register (wrench vendors list)."
        return None
    if found.currency != currency:
        errors["vendor"] = (
            f"{found.name} is in the register with prices in {found.currency}; purchase orders are in {currency}, "
            "the currency of the stock's costs."
        )
        return None
    return found


async def line_of(
    session: AsyncSession, line: LineInput, currency: str, errors: dict[str, str]
) -> tuple[Part, int, int] | None:
    part: Part | None = None
    if line.part in (None, ""):
        errors[line.field("part")] = "Pick the part, or clear the quantity."
    elif isinstance(line.part, int):
        part = await session.get(Part, line.part)
    else:
        part = await session.scalar(select(Part).where(func.lower(Part.sku) == str(line.part).strip().lower()))
    if line.part not in (None, "") and part is None:
        errors[line.field("part")] = f"There is no part “{str(line.part)[:64]}” in the register."
    try:
        quantity = amounts.quantity_of(line.quantity, field=line.field("quantity"))
    except InvalidInput as error:
        errors[line.field("quantity")] = str(error)
        quantity = None
    cost: int | None = None
    if line.unit_cost in (None, ""):
        cost = amounts.from_cents(part.unit_cost_cents, currency) if part is not None else None
    else:
        try:
            cost = amounts.unit_cost_of(line.unit_cost, currency, field=line.field("unit_cost"))
        except InvalidInput as error:
            errors[line.field("unit_cost")] = str(error)
    if part is None or quantity is None or cost is None:
        return None
    return part, quantity, cost


async def work_order_of(
    session: AsyncSession, work_order: int | str | None, errors: dict[str, str]
) -> WorkOrder | None:
    """The work order the parts are for: its id (a form that carries it) or its number as typed (`WO-12`)."""
    if work_order in (None, ""):
        return None
    if isinstance(work_order, int):
        found = await session.get(WorkOrder, work_order)
        if found is None:
            errors["work_order"] = "That work order is no longer in Wrench."
        return found
    digits = str(work_order).strip().upper().removeprefix("WO-").removeprefix("#")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 9):
        errors["work_order"] = f"“{str(work_order)[:20]}” is not a work order's number: write it like WO-12."
        return None
    found = await session.scalar(select(WorkOrder).where(WorkOrder.number == int(digits)))
    if found is None:
        errors["work_order"] = f"There is no work order WO-{int(digits)}."
    return found
