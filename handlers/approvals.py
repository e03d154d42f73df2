"""Approvals: an approver's Approve (the work order is made and posted) or Reject (with a reason)."""

from functools import partial
from typing import Any

from pydantic import Field
from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import card_modals
from blocks.ids import Action, Block, Callback, parse_id
from handlers import forms
from handlers.card_forms import Form
from handlers.context import Ack, deps_of, run_as
from handlers.guard import guarded
from services.errors import DomainError
from services.requests import service as requests


class RejectForm(Form):
    reason: str = Field(min_length=1, max_length=card_modals.REASON_MAX)


def register(app: AsyncApp) -> None:
    app.action(Action.APPROVE)(guarded(approve))
    app.action(Action.REJECT)(guarded(open_rejection, opens_modal=True))
    app.view(Callback.REJECT_MODAL)(guarded(submit_rejection))


async def approve(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    await run_as(
        deps, requests.approve, request_id=parse_id(action["value"], "a request id"), user_id=body["user"]["id"]
    )


async def open_rejection(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    request_id = parse_id(action["value"], "a request id")
    check = partial(requests.check_approver, org=deps.org, request_id=request_id, user_id=body["user"]["id"])
    request = await deps.db.run(check)
    await deps.notifier.open_modal(body["trigger_id"], card_modals.reject_modal(request))


async def submit_rejection(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    request_id = parse_id(forms.metadata_ref(view), "a request id")
    form = await forms.parse_or_reject(ack, RejectForm, view)
    if form is None:
        return
    deps = deps_of(context)
    try:
        await run_as(deps, requests.reject, user_id=body["user"]["id"], request_id=request_id, reason=form.reason)
    except DomainError as error:
        await forms.reject(ack, error, default_field=Block.REASON)
        return
    await ack()
