"""`/request`: open the request modal, then turn its submission into a work order and a card."""

from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from blocks import modals
from blocks.ids import Block, Callback, Command
from handlers import forms
from handlers.context import deps_of
from handlers.guard import guarded
from models.enums import Priority
from models.schemas import RequestCreate
from services import requests
from services.errors import InvalidInput


class RequestForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=modals.TITLE_MAX)
    category: str = Field(min_length=1)
    description: str = Field(default="", max_length=modals.DESCRIPTION_MAX)
    location: str = Field(default="", max_length=modals.LOCATION_MAX)
    priority: Priority | None = None


def register(app: Any) -> None:
    app.command(Command.REQUEST)(guarded(open_request_modal))
    app.view(Callback.REQUEST_MODAL)(guarded(submit_request))


async def open_request_modal(ack: Any, command: dict[str, Any], context: Any) -> None:
    await ack()
    deps = deps_of(context)
    categories = [(category.key, category.name) for category in deps.org.categories]
    view = modals.request_modal(title=command.get("text", ""), categories=categories)
    await deps.notifier.open_modal(command["trigger_id"], view)


async def submit_request(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
    """Validate, store (before the ack, so an acknowledged request is never lost), ack, then notify."""
    form = await forms.parse_or_reject(ack, RequestForm, view)
    if form is None:
        return
    deps = deps_of(context)
    submit = partial(
        requests.submit,
        org=deps.org,
        now=deps.clock(),
        requester_id=body["user"]["id"],
        request=RequestCreate(**form.model_dump()),
        source_key=view["id"],
    )
    try:
        change = await deps.db.run(submit)
    except InvalidInput as error:
        await forms.reject(ack, error, default_field=Block.TITLE)
        return
    await ack()
    if change is not None:
        await deps.notifier.work_order_created(change.work_order)
