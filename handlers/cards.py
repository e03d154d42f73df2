"""A card's controls: one-click buttons (claim, start, resume, unassign), the Assign picker, the
buttons and menu entries that open a small form, and the requester's Confirm / Reopen."""

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import messages, modals
from blocks.ids import Action, MoreOption, parse_choice, parse_ref
from handlers import contractors, forms, purchasing
from handlers.card_forms import CARD_FORMS, MORE_FORMS, OPENS_FORM, CardForm
from handlers.context import Ack, deps_of, one_of, run_as
from handlers.guard import guarded, redraw_stale_card
from services.contractor_jobs import jobs as contractor_jobs
from services.errors import DomainError, Stale
from services.inventory import parts
from services.work_orders import assignment, lifecycle
from services.work_orders import service as work_orders
from services.work_orders.parts_used import StockShort

ONE_CLICK = {
    Action.CLAIM: assignment.claim,
    Action.START: lifecycle.start,
    Action.RESUME: lifecycle.resume,
    Action.UNASSIGN: assignment.unassign,
    Action.CONTRACTOR_CONFIRM: contractor_jobs.confirm_completion,
}


def register(app: AsyncApp) -> None:
    # One listener per group, not per id: bolt tries its listeners in order for every request, and the
    # card's buttons are what people click most (handlers.register puts this module first).
    app.action(one_of(ONE_CLICK))(guarded(one_click))
    app.action(one_of(OPENS_FORM))(guarded(open_form, opens_modal=True))
    app.action(one_of((Action.MORE, Action.MANAGE)))(guarded(open_from_menu, opens_modal=True))
    app.action(Action.ASSIGN)(guarded(assign))
    app.action(Action.CONFIRM)(guarded(confirm))
    app.options(Action.PICK_PART)(part_options)
    app.view(one_of(CARD_FORMS))(guarded(submit_form))


async def one_click(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    work_order_id, seen = parse_ref(action["value"])
    service = ONE_CLICK[action["action_id"]]
    await run_as(deps, service, user_id=body["user"]["id"], work_order_id=work_order_id, seen_version=seen)


async def assign(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """The card's "Assign to…" picker (its block id carries the work order and the version seen)."""
    await ack()
    deps = deps_of(context)
    work_order_id, seen = parse_ref(action["block_id"].partition(":")[2])
    await run_as(
        deps,
        assignment.assign,
        user_id=body["user"]["id"],
        work_order_id=work_order_id,
        assignee_id=action["selected_user"],
        seen_version=seen,
    )


async def open_form(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    await _open(OPENS_FORM[action["action_id"]], action["value"], body, context)


async def open_from_menu(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    option, ref = parse_choice(action["selected_option"]["value"], [*MORE_FORMS, MoreOption.CONTRACTOR])
    if option == MoreOption.CONTRACTOR:
        await contractors.open_send(ref, body, context)
        return
    await _open(MORE_FORMS[MoreOption(option)], ref, body, context)


async def _open(callback_id: str, ref: str, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Check first, so someone who may not do it is told why instead of filling in a form."""
    deps, spec = deps_of(context), CARD_FORMS[callback_id]
    work_order_id, seen = parse_ref(ref)
    check = partial(
        work_orders.check_allowed,
        org=deps.org,
        work_order_id=work_order_id,
        user_id=body["user"]["id"],
        permission=spec.permission,
        seen_version=seen if spec.versioned else None,
    )
    work_order = await deps.db.run(check)
    await deps.notifier.open_modal(body["trigger_id"], spec.draw(work_order, body["user"]["id"]))


async def submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    spec: CardForm = CARD_FORMS[view["callback_id"]]
    work_order_id, seen = parse_ref(forms.metadata_ref(view))  # which work order, before anything typed
    form = await forms.parse_or_reject(ack, spec.form, view)
    if form is None:
        return
    deps = deps_of(context)
    versioned = {"seen_version": seen} if spec.versioned else {}
    try:
        await run_as(
            deps, spec.service, user_id=body["user"]["id"], work_order_id=work_order_id, **versioned, **form.arguments()
        )
    except Stale as error:  # this form still carries the old version: it has to be opened again
        await redraw_stale_card(deps, error, form_ack=ack, form_field=spec.error_field)
        return
    except StockShort as short:  # offer to order what is missing, else say why as any refusal
        if not await purchasing.stock_short(deps, ack, body["user"]["id"], short):
            await forms.reject(ack, short, default_field=spec.error_field)
        return
    except DomainError as error:
        await forms.reject(ack, error, default_field=spec.error_field)
        return
    await ack()


async def part_options(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Type-ahead for "Use parts": matching parts with their stock."""
    deps = deps_of(context)
    found = await deps.db.run(partial(parts.find_parts, text=str(body.get("value") or "")))
    await ack(options=[modals.option(choice.label, f"part:{choice.id}") for choice in found])


async def confirm(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """The requester confirms the work is done: it closes, and their DM loses its buttons."""
    await ack()
    deps = deps_of(context)
    work_order_id, _ = parse_ref(action["value"])
    user_id = body["user"]["id"]
    change = await run_as(deps, lifecycle.confirm, user_id=user_id, work_order_id=work_order_id)
    await deps.notifier.replace(body["response_url"], messages.settled_dm(change.work_order, by=user_id))
