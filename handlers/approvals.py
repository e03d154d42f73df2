"""Approvals: an approver's Approve (the work order is made and posted) or Reject (with a reason)."""

from functools import partial
from typing import Any

from pydantic import Field

from blocks import card_modals
from blocks.ids import Action, Block, Callback, parse_id
from handlers import forms
from handlers.card_forms import Form
from handlers.context import deps_of
from handlers.guard import guarded
from services.errors import DomainError
from services.requests import service as requests


class RejectForm(Form):
    reason: str = Field(min_length=1, max_length=card_modals.REASON_MAX)


def register(app: Any) -> None:
    app.action(Action.APPROVE)(guarded(approve))
    app.action(Action.REJECT)(guarded(open_rejection, opens_modal=True))
    app.view(Callback.REJECT_MODAL)(guarded(submit_rejection))


async def approve(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    deps = deps_of(context)
    approved = partial(
        requests.approve,
        org=deps.org,
        now=deps.clock(),
        request_id=parse_id(action["value"], "a request id"),
        user_id=body["user"]["id"],
    )
    await deps.db.run(approved)


async def open_rejection(ack: Any, body: dict[str, Any], action: dict[str, Any], context: Any) -> None:
    await ack()
    deps = deps_of(context)
    request_id = parse_id(action["value"], "a request id")
    check = partial(requests.check_approver, org=deps.org, request_id=request_id, user_id=body["user"]["id"])
    request = await deps.db.run(check)
    await deps.notifier.open_modal(body["trigger_id"], card_modals.reject_modal(request))


async def submit_rejection(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    request_id = parse_id(forms.metadata_ref(view), "a request id")
    form = await forms.parse_or_reject(ack, RejectForm, view)
    if form is None:
        return
    deps = deps_of(context)
    rejected = partial(
        requests.reject,
        org=deps.org,
        now=deps.clock(),
        request_id=request_id,
        user_id=body["user"]["id"],
        reason=form.reason,
    )
    try:
        await deps.db.run(rejected)
    except DomainError as error:
        await forms.reject(ack, error, default_field=Block.REASON)
        return
    await ack()
