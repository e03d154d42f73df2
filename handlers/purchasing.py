"""Purchasing in Slack: Order more (the low-stock alert, `/wo parts`) and the purchase request form, the
approvers' Approve / Reject, Receive on a purchase order's message with its confirmation step when more
arrived than was ordered, and `/wo parts` and `/wo po`."""

import json
import math
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import modals, purchase_forms
from blocks import purchasing as blocks
from blocks.ids import Action, Block, Callback, Unreadable, parse_id, parse_one_of, parse_ref
from handlers import forms
from handlers.context import Ack, deps_of, open_checked_modal, run_as
from handlers.guard import guarded
from models.enums import PurchaseStatus
from services.errors import DomainError, Forbidden, InvalidFields
from services.ports import Deps
from services.purchasing import checks, orders, picking, reading, receiving

RECEIVED, COST = "received_", "cost_"


def register(app: AsyncApp) -> None:
    app.action(Action.ORDER_MORE)(guarded(order_more, opens_modal=True))
    app.options(Action.PICK_PO_VENDOR)(vendor_options)
    app.view(Callback.PURCHASE_MODAL)(guarded(submit_request))
    app.action(Action.PO_APPROVE)(guarded(approve))
    app.action(Action.PO_REJECT)(guarded(open_rejection, opens_modal=True))
    app.view(Callback.PO_REJECT_MODAL)(guarded(submit_rejection))
    app.action(Action.PO_RECEIVE)(guarded(open_receiving, opens_modal=True))
    app.view(Callback.PO_RECEIVE_MODAL)(guarded(submit_receiving))
    app.view(Callback.PO_OVER_MODAL)(guarded(confirm_over))
    app.action(Action.PO_CANCEL)(guarded(open_cancel, opens_modal=True))
    app.view(Callback.PO_CANCEL_MODAL)(guarded(submit_cancel))


async def purchase_form(
    deps: Deps,
    user_id: str,
    *,
    part_id: int | None = None,
    quantity: int | None = None,
    work_order: str = "",
    reason: str = "",
) -> dict[str, Any]:
    """The request form, the part filled in when the form is opened for one; refused to who may not ask."""
    if not orders.may_request(deps.org, user_id):
        raise Forbidden("Only technicians, managers and purchase approvers can ask for parts to be bought.")
    part = None
    if part_id is not None:
        found_id, label, suggested = await deps.db.run(partial(picking.part_to_order, part_id=part_id))
        part, quantity = (found_id, label), quantity or suggested
        pending = await deps.db.run(partial(picking.on_order, part_id=part_id))
        if pending:  # said before anyone orders it twice
            reason = " ".join(filter(None, [reason, f"Already on order: {', '.join(pending)}."]))
    draft = purchase_forms.PurchaseDraft(part=part, quantity=quantity, work_order=work_order, reason=reason)
    return purchase_forms.request_modal(draft, currency=deps.org.currency)


async def order_more(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    view = await purchase_form(deps, body["user"]["id"], part_id=parse_id(action["value"], "a part id"))
    await deps.notifier.open_modal(body["trigger_id"], view)


async def stock_short(deps: Deps, ack: Ack, user_id: str, short: Any) -> bool:
    """Use parts found too little in stock: push the request form for the part (True), if this person may ask."""
    if not orders.may_request(deps.org, user_id):
        return False
    reason = f"{short} Nothing was recorded: ask to order it here, or close this form to go back to Use parts."
    view = await purchase_form(
        deps,
        user_id,
        part_id=short.part_id,
        quantity=math.ceil(short.short),
        work_order=short.work_order_ref,
        reason=reason,
    )
    await ack(response_action="push", view=view)
    return True


async def vendor_options(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    deps = deps_of(context)
    today = deps.org.local_date(deps.clock())
    found = await deps.db.run(partial(picking.find_vendors, text=str(body.get("value") or ""), today=today))
    await ack(options=[modals.option(choice.label, f"vendor:{choice.id}") for choice in found])


async def submit_request(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    parse_one_of(forms.metadata_ref(view), (purchase_forms.FORM_MARK,), "a purchase request form")
    values = forms.state_values(view)
    try:
        vendor = forms.option_id(str(values.get(Block.VENDOR, "")), "vendor:") if values.get(Block.VENDOR) else None
        lines = [
            checks.LineInput(
                part=forms.option_id(str(part), "part:")
                if (part := values.get(purchase_forms.row_block(Block.PART, row)))
                else None,
                quantity=values.get(purchase_forms.row_block(Block.QUANTITY, row)),
                unit_cost=values.get(purchase_forms.row_block(Block.UNIT_COST, row)),
                row=row,
            )
            for row in range(1, purchase_forms.ROWS + 1)
        ]
    except ValueError as error:
        raise Unreadable("a picked option", str(error)) from None
    deps = deps_of(context)
    try:
        await run_as(
            deps,
            orders.request,
            user_id=body["user"]["id"],
            vendor=vendor,
            lines=lines,
            work_order=str(values.get(Block.WORK_ORDER) or "") or None,
            note=str(values.get(Block.NOTE) or ""),
        )
    except DomainError as error:
        await _refuse(ack, error, Block.VENDOR)
        return
    await ack(response_action="clear")


async def _refuse(ack: Ack, error: DomainError, default: str) -> None:
    """A refusal under the fields it names (this form's own block ids)."""
    if isinstance(error, InvalidFields):
        await ack(response_action="errors", errors=dict(error.errors))
        return
    await forms.reject(ack, error, default_field=default)


async def approve(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    await run_as(deps_of(context), orders.approve, user_id=body["user"]["id"], order_id=_order_id(action["value"]))


async def open_rejection(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    order_id = _order_id(action["value"])
    await open_checked_modal(body, context, orders.check_approver, purchase_forms.reject_modal, order_id=order_id)


async def submit_rejection(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    await _submit_reason(ack, body, view, context, orders.reject)


async def open_receiving(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    order_id, _ = parse_ref(action["value"])
    order = await deps.db.run(partial(reading.get, order_id=order_id))
    if not receiving.may_receive(deps.org, order.team, body["user"]["id"]):
        raise Forbidden(f"Only {deps.org.team(order.team).name} technicians and managers can receive {order.ref}.")
    if order.status not in (PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED):
        raise Forbidden(f"{order.ref} is {order.status.label.lower()}: there is nothing to receive.")
    await deps.notifier.open_modal(body["trigger_id"], purchase_forms.receive_modal(order))


async def submit_receiving(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    order_id, seen = parse_ref(forms.metadata_ref(view))
    values = forms.state_values(view)
    typed: dict[int, tuple[object, object]] = {}
    for block_id in view.get("state", {}).get("values", {}):
        if block_id.startswith(RECEIVED):
            line_id = parse_id(block_id.removeprefix(RECEIVED), "a purchase line")
            typed[line_id] = (values.get(block_id), values.get(f"{COST}{line_id}"))
    deps = deps_of(context)
    first = f"{RECEIVED}{next(iter(typed), 0)}"
    try:
        arrivals = receiving.read_form(typed, deps.org.currency)
        await run_as(
            deps, receiving.receive, user_id=body["user"]["id"], order_id=order_id, arrivals=arrivals, seen_version=seen
        )
    except receiving.OverReceipt as over:
        order = await deps.db.run(partial(reading.get, order_id=order_id))
        kept = {line_id: (a.quantity, a.unit_cost_minor) for line_id, a in arrivals.items()}
        await ack(response_action="push", view=purchase_forms.over_modal(order, message=str(over), arrivals=kept))
        return
    except DomainError as error:
        await _refuse(ack, error, first)
        return
    await ack()


async def confirm_over(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    """The second step: receive it all the same. A refusal now (someone received meanwhile) is shown in place."""
    try:
        kept = json.loads(forms.metadata_ref(view))
        order_id, seen = int(kept["id"]), int(kept["v"])
        arrivals = {int(k): receiving.Arrival(int(q), None if c is None else int(c)) for k, (q, c) in kept["a"].items()}
        numbers = [order_id, seen, *arrivals, *(a.quantity for a in arrivals.values())]
        numbers += [a.unit_cost_minor for a in arrivals.values() if a.unit_cost_minor is not None]
        if not arrivals or not all(0 <= number < 10**9 for number in numbers):
            raise ValueError("out of range")
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise Unreadable("a receipt to confirm", forms.metadata_ref(view)) from error
    deps = deps_of(context)
    try:
        await run_as(
            deps,
            receiving.receive,
            user_id=body["user"]["id"],
            order_id=order_id,
            arrivals=arrivals,
            seen_version=seen,
            allow_over=True,
        )
    except DomainError as error:
        await ack(response_action="update", view=purchase_forms.notice_modal("Not received", str(error)))
        return
    await ack(response_action="clear")


async def open_cancel(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    order_id = _order_id(action["value"])
    await open_checked_modal(body, context, orders.check_cancel, purchase_forms.cancel_modal, order_id=order_id)


async def submit_cancel(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    await _submit_reason(ack, body, view, context, orders.cancel)


async def _submit_reason(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    decide: Callable[..., Awaitable[object]],
) -> None:
    """Reject or Cancel's modal sent: `decide` on the order it names, with the reason typed (the service
    checks it)."""
    order_id = _order_id(forms.metadata_ref(view))
    reason = str(forms.state_values(view).get(Block.REASON) or "")
    user_id = body["user"]["id"]
    await forms.submit(
        ack, deps_of(context), decide, user_id=user_id, error_field=Block.REASON, order_id=order_id, reason=reason
    )


def _order_id(value: str) -> int:
    return parse_id(value, "a purchase order id")


async def parts_command(deps: Deps, text: str) -> dict[str, Any]:
    """`/wo parts [TEXT]`: matching parts, low ones first, each with Order more."""
    rows = await deps.db.run(partial(picking.parts_to_show, text=text))
    heading = f"Parts matching “{text.strip()[:50]}”" if text.strip() else "Parts, low stock first"
    return blocks.parts_list(rows, heading=heading)


async def orders_command(deps: Deps) -> dict[str, Any]:
    """`/wo po`: purchase requests waiting for approval and orders still to arrive."""
    statuses = (PurchaseStatus.REQUESTED, PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED)
    return blocks.open_orders(await deps.db.run(partial(reading.listing, statuses=statuses)))
