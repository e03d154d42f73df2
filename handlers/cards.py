"""The buttons on a work-order card (Claim, Start, Complete) and the completion modal."""

from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blocks import modals
from blocks.ids import Action, Block, Callback
from handlers import forms
from handlers.context import deps_of
from handlers.guard import guarded
from services import rules, work_orders
from services.errors import DomainError


class CompleteForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    resolution: str = Field(min_length=1, max_length=modals.RESOLUTION_MAX)
    cause: str = Field(default="", max_length=modals.CAUSE_MAX)
    minutes: int | None = Field(default=None, ge=0, le=modals.MINUTES_MAX)


def register(app: Any) -> None:
    app.action(Action.CLAIM)(guarded(claim))
    app.action(Action.START)(guarded(start))
    app.action(Action.COMPLETE)(guarded(open_completion))
    app.view(Callback.COMPLETE_MODAL)(guarded(submit_completion))


async def claim(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    await _transition(work_orders.claim, body, action, context)


async def start(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    await _transition(work_orders.start, body, action, context)


async def open_completion(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    """Check first, so someone who may not complete it is told why instead of filling a form."""
    await ack()
    deps = deps_of(context)
    check = partial(
        work_orders.check_allowed,
        org=deps.org,
        work_order_id=int(action["value"]),
        user_id=body["user"]["id"],
        action=rules.Action.COMPLETE,
    )
    work_order = await deps.db.run(check)
    await deps.notifier.open_modal(body["trigger_id"], modals.complete_modal(work_order))


async def submit_completion(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    form = await forms.parse_or_reject(ack, CompleteForm, view)
    if form is None:
        return
    deps = deps_of(context)
    complete = partial(
        work_orders.complete,
        org=deps.org,
        now=deps.clock(),
        work_order_id=int(view["private_metadata"]),
        user_id=body["user"]["id"],
        **form.model_dump(),
    )
    try:
        change = await deps.db.run(complete)
    except DomainError as error:
        await forms.reject(ack, error, default_field=Block.RESOLUTION)
        return
    await ack()
    await deps.notifier.work_order_changed(change)


async def _transition(service: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    """Run one card transition; a refusal reaches the clicker through `guarded`."""
    deps = deps_of(context)
    change = await deps.db.run(
        partial(
            service,
            org=deps.org,
            now=deps.clock(),
            work_order_id=int(action["value"]),
            user_id=body["user"]["id"],
        )
    )
    await deps.notifier.work_order_changed(change)
