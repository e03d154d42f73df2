"""Purchasing from the command line: `wrench purchasing request|list|show|approve|reject|receive|cancel`.
Each change is made as a Slack user (`--as`), with their permissions, and reaches Slack like any other
(the bot's outbox delivers it)."""

import re
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.support import fail, now, organisation, run_in_database
from models.enums import PurchaseStatus
from models.views import PurchaseRead
from services.errors import InvalidValues
from services.purchasing import orders, reading, receiving
from services.purchasing import spend as spending
from services.purchasing.checks import LineInput

purchasing_cli = typer.Typer(
    help="Purchase requests and orders for parts: request, list, show, approve, reject, receive, cancel, spend.",
    no_args_is_help=True,
)
As = Annotated[str, typer.Option("--as", help="The Slack user id this is done as (their permissions apply).")]
Ref = Annotated[str, typer.Argument(help="PO-3 (an order) or PR-7 (a request).")]


def _items(given: list[str], *, allow_zero: bool = False) -> list[tuple[str, str, str | None]]:
    """SKU=QUANTITY[@UNIT_COST] → (sku, quantity, cost)."""
    found = []
    for item in given:
        sku, equals, rest = item.partition("=")
        quantity, at, cost = rest.partition("@")
        if not equals or not sku.strip() or not quantity.strip():
            fail(f"“{item}” is not SKU=QUANTITY or SKU=QUANTITY@UNIT_COST (like FLT-1=4@12.50)", code=2)
        found.append((sku.strip(), quantity.strip(), cost.strip() if at else None))
    return found


# a line's field, as the Slack form names it (part_2, quantity) or the API (lines.1.unit_cost)
_LINE_FIELD = re.compile(r"^(?:lines\.([0-9]+)\.[a-z_]+|(?:part|quantity|unit_cost)(?:_([0-9]+))?)$")


def _by_item(error: InvalidValues, items: list[str]) -> InvalidValues:
    """Each wrong value named by the item as it was typed (`FLT-1=0: …`), not by a form's field."""
    named: dict[str, str] = {}
    for field, message in error.errors.items():
        found = _LINE_FIELD.match(field)
        index = (int(found[1]) if found[1] is not None else int(found[2] or 1) - 1) if found else -1
        label = items[index] if 0 <= index < len(items) else field.replace("_", " ")
        named[label] = f"{named[label].removesuffix('.')}; {message}" if label in named else message
    return InvalidValues(named)


def _summary(order: PurchaseRead) -> str:
    lines = ", ".join(f"{line.sku} {line.received}/{line.quantity}" for line in order.lines)
    return f"{order.ref} {order.status.value} {order.total} {order.currency} {order.vendor_key} ({lines})"


def _run(work: Callable[[AsyncSession], Any]) -> Any:
    return run_in_database(work)


@purchasing_cli.command("request")
def purchasing_request(
    vendor: Annotated[str, typer.Argument(help="The vendor's key in the register.")],
    items: Annotated[list[str], typer.Argument(help="SKU=QUANTITY or SKU=QUANTITY@UNIT_COST, up to 10.")],
    as_: As,
    work_order: Annotated[str | None, typer.Option("--work-order", help="The work order it is for: WO-12.")] = None,
    note: Annotated[str, typer.Option(help="For the approver.")] = "",
) -> None:
    """Ask for parts to be bought; below the approval threshold it is an order at once."""
    org, moment = organisation(), now()
    lines = [LineInput(sku, quantity, cost, row=i) for i, (sku, quantity, cost) in enumerate(_items(items), 1)]

    async def work(session: AsyncSession) -> PurchaseRead:
        try:
            return await orders.request(
                session, org=org, now=moment, user_id=as_, vendor=vendor, lines=lines, work_order=work_order, note=note
            )
        except InvalidValues as error:
            raise _by_item(error, items) from None

    order = _run(work)
    waiting = "" if order.is_open else " (waiting for approval)"
    typer.echo(f"{_summary(order)}{waiting}")


@purchasing_cli.command("list")
def purchasing_list(
    status: Annotated[PurchaseStatus | None, typer.Option(help="Only requests or orders in this state.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Waiting for approval or still to arrive.")] = False,
) -> None:
    """Requests and orders, newest first: reference, state, total, vendor, and received/ordered per part."""
    statuses: tuple[PurchaseStatus, ...] = (status,) if status else ()
    if open_only:
        statuses = (PurchaseStatus.REQUESTED, PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED)

    async def work(session: AsyncSession) -> list[PurchaseRead]:
        return await reading.listing(session, statuses=statuses)

    for order in _run(work):
        typer.echo(_summary(order))


@purchasing_cli.command("show")
def purchasing_show(ref: Ref) -> None:
    """One request or order, line by line."""

    async def work(session: AsyncSession) -> PurchaseRead:
        return await reading.get(session, await reading.find_id(session, ref))

    order = _run(work)
    typer.echo(_summary(order))
    for line in order.lines:
        typer.echo(
            f"  {line.sku} {line.name}: {line.quantity} {line.unit} at {line.unit_cost}, {line.received} received"
        )


@purchasing_cli.command("approve")
def purchasing_approve(ref: Ref, as_: As) -> None:
    """Approve a request: it becomes purchase order PO-n."""
    org, moment = organisation(), now()

    async def work(session: AsyncSession) -> PurchaseRead:
        order_id = await reading.find_id(session, ref)
        return await orders.approve(session, org=org, now=moment, order_id=order_id, user_id=as_)

    typer.echo(_summary(_run(work)))


@purchasing_cli.command("reject")
def purchasing_reject(ref: Ref, as_: As, reason: Annotated[str, typer.Option(help="Who asked sees it.")]) -> None:
    """Reject a request, saying why."""
    org, moment = organisation(), now()

    async def work(session: AsyncSession) -> PurchaseRead:
        order_id = await reading.find_id(session, ref)
        return await orders.reject(session, org=org, now=moment, order_id=order_id, user_id=as_, reason=reason)

    typer.echo(_summary(_run(work)))


@purchasing_cli.command("receive")
def purchasing_receive(
    ref: Ref,
    as_: As,
    items: Annotated[
        list[str] | None, typer.Argument(help="SKU=QUANTITY[@UNIT_COST] that arrived; none: everything still to come.")
    ] = None,
    allow_over: Annotated[bool, typer.Option("--allow-over", help="Receive more than was ordered.")] = False,
) -> None:
    """Receive what arrived, into stock at the actual unit cost; more than ordered needs --allow-over."""
    org, given = organisation(), _items(items or [])

    def attempt(over: bool) -> PurchaseRead | receiving.OverReceipt:
        async def work(session: AsyncSession) -> PurchaseRead | receiving.OverReceipt:
            order = await reading.get(session, await reading.find_id(session, ref))
            try:
                arrivals = receiving.arrivals_by_sku(order, given, order.currency) if given else None
            except InvalidValues as error:
                raise _by_item(error, items or []) from None
            try:
                return await receiving.receive(
                    session, org=org, now=now(), order_id=order.id, user_id=as_, arrivals=arrivals, allow_over=over
                )
            except receiving.OverReceipt as refused:  # raised before anything is written
                return refused

        result: PurchaseRead | receiving.OverReceipt = _run(work)
        return result

    order = attempt(allow_over)
    if isinstance(order, receiving.OverReceipt):
        if not interactive():
            fail(f"{order.what} Add --allow-over to receive it all the same.", code=1)
        typer.confirm(f"{order.what} Receive it all the same?", abort=True)
        order = attempt(True)
    assert not isinstance(order, receiving.OverReceipt)
    typer.echo(_summary(order))


@purchasing_cli.command("cancel")
def purchasing_cancel(ref: Ref, as_: As, reason: Annotated[str, typer.Option(help="Why.")] = "") -> None:
    """Cancel a request or an order (what is still to come of it)."""
    org, moment = organisation(), now()

    async def work(session: AsyncSession) -> PurchaseRead:
        order_id = await reading.find_id(session, ref)
        return await orders.cancel(session, org=org, now=moment, order_id=order_id, user_id=as_, reason=reason)

    typer.echo(_summary(_run(work)))


@purchasing_cli.command("spend")
def purchasing_spend(
    days: Annotated[int, typer.Option(min=1, max=3660, help="The period: the last N days.")] = 30,
) -> None:
    """What arrived in the period at its actual cost: in all, by vendor, by team and by month."""
    org, moment = organisation(), now()

    async def work(session: AsyncSession) -> spending.Spend:
        return await spending.spend(
            session,
            currency=org.currency,
            since=moment - timedelta(days=days),
            until=moment,
            zone=org.zone(),
            team_names={team.key: team.name for team in org.teams},
        )

    found = _run(work)
    typer.echo(f"Spend, last {days} days: {found.total} {found.currency} on {found.orders} orders")
    for title, rows in (("vendor", found.by_vendor), ("team", found.by_team), ("month", found.by_month)):
        for row in rows:
            typer.echo(f"  {title} {row.name}: {row.amount} {found.currency} ({row.orders} orders)")


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
