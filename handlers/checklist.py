"""A preventive work order's checklist on its card: mark an item, record a reading, open a follow-up."""

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import checklist as checklist_blocks
from blocks.ids import Action, Block, Callback, parse_ref
from handlers import forms
from handlers.context import Ack, deps_of, run_as
from handlers.guard import guarded
from services.errors import InvalidInput
from services.maintenance import checklists
from services.work_orders import rules
from services.work_orders import service as work_orders


def register(app: AsyncApp) -> None:
    app.action(Action.CHECKLIST)(guarded(mark))
    app.action(Action.CHECKLIST_READING)(guarded(open_reading, opens_modal=True))
    app.action(Action.FOLLOW_UP)(guarded(follow_up))
    app.view(Callback.READING_MODAL)(guarded(save_reading))


async def mark(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """Done / Pass / Fail / Clear from an item's menu."""
    await ack()
    deps = deps_of(context)
    ref, index, result = checklist_blocks.parse_item_value(action["selected_option"]["value"])
    work_order_id, seen = parse_ref(ref)
    await run_as(
        deps,
        checklists.mark,
        user_id=body["user"]["id"],
        work_order_id=work_order_id,
        seen_version=seen,
        index=index,
        result=None if result == "clear" else result,
    )


async def open_reading(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    ref, index, _ = checklist_blocks.parse_item_value(action["value"])
    work_order_id, seen = parse_ref(ref)
    check = partial(
        work_orders.check_allowed,
        org=deps.org,
        work_order_id=work_order_id,
        user_id=body["user"]["id"],
        permission=rules.Permission.CHECK_ITEM,
        seen_version=seen,
    )
    work_order = await deps.db.run(check)
    if not 0 <= index < len(work_order.checklist):
        raise InvalidInput("That checklist item is no longer on this work order.")
    await deps.notifier.open_modal(body["trigger_id"], checklist_blocks.reading_modal(work_order, index))


async def save_reading(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    deps = deps_of(context)
    ref, index = checklist_blocks.parse_reading_metadata(forms.metadata_ref(view))
    raw: Any = forms.state_values(view).get(Block.READING)
    work_order_id, _seen = parse_ref(ref)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        await ack(response_action="errors", errors={Block.READING: "Enter a number."})
        return
    await forms.submit(
        ack,
        deps,
        checklists.mark,
        user_id=body["user"]["id"],
        error_field=Block.READING,
        work_order_id=work_order_id,
        seen_version=None,  # another item ticked meanwhile does not make this reading wrong
        index=index,
        value=value,
    )


async def follow_up(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """One click: a corrective work order for the failed item, posted like any other card."""
    await ack()
    deps = deps_of(context)
    ref, index, _ = checklist_blocks.parse_item_value(action["value"])
    work_order_id, seen = parse_ref(ref)
    await run_as(
        deps,
        checklists.follow_up,
        user_id=body["user"]["id"],
        work_order_id=work_order_id,
        seen_version=seen,
        index=index,
    )
