"""Sending work to a contractor from the card: the form (⋯ → Send to contractor), its vendor type-ahead,
and its submission, which answers with the contractor's private link to copy. Revoking the link and
confirming the contractor's completion are ordinary card controls (`card_forms`, `cards`)."""

from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import contractor
from blocks.ids import Action, Block, Callback, parse_ref
from handlers import forms
from handlers.context import Ack, deps_of
from handlers.guard import guarded
from services.contractor_jobs import jobs
from services.errors import DomainError
from services.work_orders import rules
from services.work_orders import service as work_orders

VENDOR_ID = "vendor:"


class SendForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    vendor: str = Field(pattern=r"^vendor:[0-9]{1,9}$")
    note: str = Field(default="", max_length=contractor.NOTE_MAX)
    not_to_exceed: str = Field(default="", max_length=20)
    contact: str = Field(default="", max_length=contractor.CONTACT_MAX)


def register(app: AsyncApp) -> None:
    app.options(Action.PICK_VENDOR)(vendor_options)
    app.view(Callback.CONTRACTOR_MODAL)(guarded(submit_send))


async def open_send(ref: str, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """⋯ → Send to contractor: refused at once (ephemeral) for people outside the team or without a link
    address; otherwise the form."""
    deps = deps_of(context)
    user_id = body["user"]["id"]
    work_order_id, _ = parse_ref(ref)
    jobs.check_can_link(deps.org)
    check = partial(
        work_orders.check_allowed,
        org=deps.org,
        work_order_id=work_order_id,
        user_id=user_id,
        permission=rules.Permission.SEND_TO_CONTRACTOR,
    )
    work_order = await deps.db.run(check)
    person = deps.org.people.get(user_id)
    view = contractor.send_modal(work_order, contact=person.name if person else "", currency=deps.org.currency)
    await deps.notifier.open_modal(body["trigger_id"], view)


async def vendor_options(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The vendors of the work order's category (its trade), matching what was typed, with their expiry."""
    deps = deps_of(context)
    try:
        work_order_id, _ = parse_ref(str((body.get("view") or {}).get("private_metadata") or ""))
        today = deps.org.local_date(deps.clock())
        found = await deps.db.run(
            partial(
                jobs.vendor_choices,
                org=deps.org,
                work_order_id=work_order_id,
                typed=str(body.get("value") or "")[:100],
                today=today,
            )
        )
    except (ValueError, DomainError):  # a form no builder of ours made, or its work order is gone
        await ack(options=[])
        return
    options = [
        contractor.vendor_option(c.id, c.name, c.expiry.value if c.expiry else None, c.expires_on) for c in found
    ]
    await ack(options=options)


async def submit_send(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    """Store the job, then turn the form into the private link to copy (it is in the sender's DM too)."""
    work_order_id, _ = parse_ref(forms.metadata_ref(view))
    form = await forms.parse_or_reject(ack, SendForm, view)
    if form is None:
        return
    deps = deps_of(context)
    send = partial(
        jobs.send,
        org=deps.org,
        now=deps.clock(),
        work_order_id=work_order_id,
        user_id=body["user"]["id"],
        vendor_id=int(form.vendor.removeprefix(VENDOR_ID)),
        note=form.note,
        contact=form.contact,
        not_to_exceed_text=form.not_to_exceed,
    )
    try:
        sent = await deps.db.run(send)
    except DomainError as error:
        await forms.reject(ack, error, default_field=Block.VENDOR)
        return
    url = jobs.link(deps.org, sent.key)
    shown = contractor.link_view(sent.change.work_order.ref, sent.vendor, url, emailed_to=sent.emailed_to)
    await ack(response_action="update", view=shown)
