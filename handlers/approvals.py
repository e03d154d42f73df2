"""Approvals: an approver's Approve (the work order is made and posted) or Reject (with a reason)."""

from typing import Any

from pydantic import Field
from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import card_modals
from blocks.ids import Action, Block, Callback, parse_id
from handlers import forms
from handlers.card_forms import Form
from handlers.context import Ack, deps_of, open_checked_modal, run_as
from handlers.guard import guarded
from services.requests import service as requests


class RejectForm(Form):
    reason: str = Field(min_length=1, max_length=card_modals.REASON_MAX)


def register(app: AsyncApp) -> None:
    app.action(Action.APPROVE)(guarded(approve))
    app.action(Action.REJECT)(guarded(open_rejection, opens_modal=True))
    app.view(Callback.REJECT_MODAL)(guarded(submit_rejection))


async def approve(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    request_id = _request_id(action["value"])
    await run_as(deps_of(context), requests.approve, user_id=body["user"]["id"], request_id=request_id)


async def open_rejection(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    request_id = _request_id(action["value"])
    await open_checked_modal(body, context, requests.check_approver, card_modals.reject_modal, request_id=request_id)


async def submit_rejection(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    request_id = _request_id(forms.metadata_ref(view))
    form = await forms.parse_or_reject(ack, RejectForm, view)
    if form is None:
        return
    await forms.submit(
        ack,
        deps_of(context),
        requests.reject,
        user_id=body["user"]["id"],
        error_field=Block.REASON,
        request_id=request_id,
        reason=form.reason,
    )


def _request_id(value: str) -> int:
    return parse_id(value, "a request id")
