"""The requester's rating: a button in their DM opens the form with that rating chosen; sending it records
the rating once, and the DM's buttons give way to the thanks."""

import re
from functools import partial
from typing import Any

from pydantic import Field
from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import satisfaction as satisfaction_blocks
from blocks.ids import Block, Callback, Unreadable, parse_choice, parse_id
from handlers import forms
from handlers.card_forms import Form
from handlers.context import Ack, deps_of, one_of, run_as
from handlers.guard import guarded
from services.errors import DomainError
from services.work_orders import satisfaction

RATINGS = [str(n) for n in satisfaction.SCALE]
REPLY_URL = re.compile(r"^https?://\S{1,2000}$")


class RatingForm(Form):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=satisfaction.COMMENT_MAX)


def register(app: AsyncApp) -> None:
    buttons = one_of(satisfaction_blocks.RATE_ACTIONS.values())
    app.action(buttons)(guarded(open_rating, opens_modal=True))
    app.view(Callback.RATING_MODAL)(guarded(submit_rating))


async def open_rating(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    chosen, rest = parse_choice(action["value"], RATINGS)
    work_order_id, user_id = parse_id(rest, "a work order id"), body["user"]["id"]
    work_order = await deps.db.run(partial(satisfaction.check_rater, work_order_id=work_order_id, user_id=user_id))
    if work_order.rating is not None:  # rated already (from another device, say): say so, no form
        await deps.notifier.replace(body["response_url"], satisfaction_blocks.thanks(work_order))
        return
    view = satisfaction_blocks.rating_modal(work_order, int(chosen), reply_to=body["response_url"])
    await deps.notifier.open_modal(body["trigger_id"], view)


async def submit_rating(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    head, _, reply_to = forms.metadata_ref(view).partition("|")
    if not REPLY_URL.match(reply_to):
        raise Unreadable("a rating form's reply address", reply_to)
    work_order_id = parse_id(head, "a work order id")
    form = await forms.parse_or_reject(ack, RatingForm, view)
    if form is None:
        return
    deps = deps_of(context)
    try:
        change = await run_as(
            deps,
            satisfaction.rate,
            user_id=body["user"]["id"],
            work_order_id=work_order_id,
            rating=form.rating,
            comment=form.comment,
        )
    except DomainError as error:
        await forms.reject(ack, error, default_field=Block.RATING)
        return
    await ack()
    await deps.notifier.replace(reply_to, satisfaction_blocks.thanks(change.work_order))
