"""`/purchase-requests` and `/purchase-orders`: ask for parts to be bought, read requests and orders, and
receive what arrived, through the same checks as Slack and `wrench purchasing`."""

import re
from datetime import timedelta
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.api.routing import Call, Endpoint
from bot.api.schemas import PURCHASE_REF, PurchaseQuery, PurchaseRequestBody, ReceiptBody, SpendQuery
from models.public import Page, PurchaseOrderOut, SpendOut, SpendRowOut
from models.views import PurchaseRead, SpendRow
from services.errors import InvalidInput, InvalidValues
from services.organisation.api_tokens import Scope
from services.purchasing import orders, reading, receiving
from services.purchasing import spend as spending
from services.purchasing.checks import LineInput


async def list_purchase_orders(call: Call) -> Page[PurchaseOrderOut]:
    q: PurchaseQuery = call.query
    before = None
    if q.cursor:
        if not (q.cursor.isascii() and q.cursor.isdigit() and len(q.cursor) <= 9):
            raise InvalidInput("This cursor is not one a listing gave out.", field="cursor")
        before = int(q.cursor)
    found = await call.deps.db.run(
        partial(reading.listing, statuses=(q.status,) if q.status else (), limit=q.limit + 1, before_id=before)
    )
    more = len(found) > q.limit
    shown = found[: q.limit]
    return Page(items=[reading.public(o) for o in shown], next_cursor=str(shown[-1].id) if more and shown else None)


async def get_purchase_order(call: Call) -> PurchaseOrderOut:
    async def work(session: AsyncSession) -> PurchaseRead:
        return await reading.get(session, await reading.find_id(session, call.path["ref"]))

    return reading.public(await call.deps.db.run(work))


_FORM_LINE_FIELD = re.compile(r"^(part|quantity|unit_cost)(?:_([0-9]+))?$")


def _body_field(field: str) -> str:
    """The request form's field (`part_2`, `quantity`) as the body names it (`lines.1.sku`, `lines.0.quantity`)."""
    found = _FORM_LINE_FIELD.match(field)
    if found is None:
        return field
    name = "sku" if found[1] == "part" else found[1]
    return f"lines.{int(found[2] or 1) - 1}.{name}"


async def create_purchase_request(call: Call) -> PurchaseOrderOut:
    body: PurchaseRequestBody = call.body
    actor = call.actor(body.actor)
    lines = [LineInput(line.sku, str(line.quantity), line.unit_cost, row=i) for i, line in enumerate(body.lines, 1)]
    deps = call.deps
    try:
        order = await deps.db.run(
            partial(
                orders.request,
                org=deps.org,
                now=deps.clock(),
                user_id=actor,
                vendor=body.vendor,
                lines=lines,
                work_order=body.work_order,
                note=body.note,
            )
        )
    except InvalidValues as error:
        raise InvalidValues({_body_field(field): message for field, message in error.errors.items()}) from None
    return reading.public(order)


async def receive_purchase_order(call: Call) -> PurchaseOrderOut:
    body: ReceiptBody = call.body
    actor = call.actor(body.actor)
    deps = call.deps

    async def work(session: AsyncSession) -> PurchaseRead:
        order = await reading.get(session, await reading.find_id(session, call.path["ref"]))
        arrivals = None
        if body.lines is not None:
            given = [(line.sku, str(line.quantity), line.unit_cost) for line in body.lines]
            arrivals = receiving.arrivals_by_sku(order, given, order.currency)
        try:
            return await receiving.receive(
                session,
                org=deps.org,
                now=deps.clock(),
                order_id=order.id,
                user_id=actor,
                arrivals=arrivals,
                seen_version=body.version,
                allow_over=body.allow_over,
            )
        except receiving.OverReceipt as over:  # only lines sent can be over: named as the body names them
            index = {line.sku.strip().lower(): i for i, line in enumerate(body.lines or [])}
            raise InvalidValues(
                {
                    f"lines.{index.get(sku.lower(), 0)}.quantity": f"That is more than was ordered ({sku}: {after} "
                    f'of {ordered} ordered). Send "allow_over": true to receive it all the same.'
                    for sku, after, ordered in over.lines
                }
            ) from None
        except InvalidInput as error:
            if error.field == "quantity":  # nothing above 0 was sent
                raise InvalidInput(str(error), field="lines") from None
            raise

    return reading.public(await deps.db.run(work))


async def get_spend(call: Call) -> SpendOut:
    q: SpendQuery = call.query
    org, until = call.deps.org, call.deps.clock()
    if q.team is not None and q.team not in {team.key for team in org.teams}:
        raise InvalidInput(f"There is no team {q.team[:64]}.", field="team")
    since = until - timedelta(days=q.days)
    names = {team.key: team.name for team in org.teams}
    found = await call.deps.db.run(
        partial(
            spending.spend,
            currency=org.currency,
            since=since,
            until=until,
            zone=org.zone(),
            team=q.team,
            team_names=names,
        )
    )

    def rows(items: tuple[SpendRow, ...]) -> list[SpendRowOut]:
        return [SpendRowOut(key=r.key, name=r.name, orders=r.orders, amount=r.amount) for r in items]

    return SpendOut(
        currency=found.currency,
        since=since,
        until=until,
        total=found.total,
        orders=found.orders,
        by_vendor=rows(found.by_vendor),
        by_team=rows(found.by_team),
        by_month=rows(found.by_month),
    )


REF = "/purchase-orders/{ref:" + PURCHASE_REF.strip("^$") + "}"
ENDPOINTS = (
    Endpoint(
        "POST",
        "/purchase-requests",
        "Ask for parts to be bought",
        "purchasing",
        create_purchase_request,
        PurchaseOrderOut,
        scope=Scope.WRITE,
        body=PurchaseRequestBody,
        status=201,
        description="The actor must be a technician, manager, purchase approver or admin. Below the approval "
        "threshold the answer is an order (`PO-n`) already; else a request (`PR-n`) waiting for the approvers. "
        "Every wrong value is named in the problem's `errors`; nothing is stored then.",
    ),
    Endpoint(
        "GET",
        "/purchase-orders",
        "List purchase requests and orders",
        "purchasing",
        list_purchase_orders,
        Page[PurchaseOrderOut],
        query=PurchaseQuery,
        description="Newest first.",
    ),
    Endpoint(
        "GET",
        "/spend",
        "Purchasing spend by vendor, team and month",
        "purchasing",
        get_spend,
        SpendOut,
        query=SpendQuery,
        description="What arrived in the last `days` days at its actual unit cost; months in the organisation's "
        "time zone. Amounts are exact decimal strings.",
    ),
    Endpoint(
        "GET", REF, "Get a purchase order (PO-3) or request (PR-7)", "purchasing", get_purchase_order, PurchaseOrderOut
    ),
    Endpoint(
        "POST",
        REF + "/receipts",
        "Receive what arrived of a purchase order",
        "purchasing",
        receive_purchase_order,
        PurchaseOrderOut,
        scope=Scope.WRITE,
        body=ReceiptBody,
        description="Adds the stock with a movement at the actual unit cost. More than ordered is refused (422) "
        "unless `allow_over`; an order received in full, cancelled, or changed since `version` is a 409.",
    ),
)
