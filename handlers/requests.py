"""Filing requests: `/request`, the global and message shortcuts, the Home tab's button; the request
modal (its category redraws the custom fields), its type-ahead pickers, and its submission."""

import json
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import modals
from blocks import text as t
from blocks.ids import Action, Block, Callback, Command, Shortcut, Unreadable, parse_id
from handlers import forms
from handlers.context import Ack, deps_of
from handlers.guard import guarded
from models.enums import Priority
from models.schemas import DESCRIPTION_MAX, TITLE_MAX, RequestCreate
from services.errors import InvalidInput
from services.inventory import places
from services.ports import Deps
from services.requests import service as requests

LOCATION_ID, LOCATION_TEXT, ASSET_ID = "loc:", "text:", "asset:"


class RequestForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=TITLE_MAX)
    category: str = Field(min_length=1)
    description: str = Field(default="", max_length=DESCRIPTION_MAX)
    location: str = ""  # "loc:<id>" picked, or "text:<typed>"
    asset: str = ""  # "asset:<id>"
    asset_down: list[str] = []  # ticked: the asset has stopped working
    priority: Priority | None = None
    files: list[dict[str, Any]] = []


def register(app: AsyncApp) -> None:
    app.command(Command.REQUEST)(guarded(open_from_command, opens_modal=True))
    app.shortcut(Shortcut.NEW_REQUEST)(guarded(open_blank, opens_modal=True))
    app.shortcut(Shortcut.MESSAGE_TO_REQUEST)(guarded(open_from_message, opens_modal=True))
    app.action(Action.HOME_NEW_REQUEST)(guarded(open_blank, opens_modal=True))
    app.action(Action.ASSET_REQUEST)(guarded(open_for_asset, opens_modal=True))
    app.action(Action.REQUEST_CATEGORY)(guarded(redraw_for_category, opens_modal=True))
    app.options(Action.PICK_LOCATION)(location_options)
    app.options(Action.PICK_ASSET)(asset_options)
    app.view(Callback.REQUEST_MODAL)(guarded(submit_request))


def request_modal(deps: Deps, draft: modals.RequestDraft | None = None) -> dict[str, Any]:
    draft = draft or modals.RequestDraft()
    categories = [(category.key, category.name) for category in deps.org.categories]
    chosen = deps.org.category(draft.category) if draft.category else None
    return modals.request_modal(categories=categories, fields=chosen.fields if chosen else (), draft=draft)


async def open_for_asset(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """ "File a request" on an asset card: the form opens with the asset chosen."""
    await ack()
    deps = deps_of(context)
    asset_id = parse_id(action["value"], "an asset id")
    label = await deps.db.run(partial(places.asset_label, asset_id=asset_id))
    draft = modals.RequestDraft(asset=(asset_id, label) if label else None)
    await deps.notifier.open_modal(body["trigger_id"], request_modal(deps, draft))


async def open_from_command(ack: Ack, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    await deps.notifier.open_modal(
        command["trigger_id"], request_modal(deps, modals.RequestDraft(title=command.get("text", "")))
    )


async def open_blank(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The global shortcut and the Home tab's New request button."""
    await ack()
    deps = deps_of(context)
    await deps.notifier.open_modal(body["trigger_id"], request_modal(deps))


async def open_from_message(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """The message shortcut: title from the message's first line, the whole text as description."""
    await ack()
    deps = deps_of(context)
    message, channel = body.get("message") or {}, (body.get("channel") or {}).get("id", "")
    text = t.to_plain(str(message.get("text") or ""))
    source = {"channel": channel, "ts": str(message.get("ts", "")), "user": str(message.get("user") or "")}
    draft = modals.RequestDraft(title=forms.first_line(text), description=text, source=source if channel else None)
    await deps.notifier.open_modal(body["trigger_id"], request_modal(deps, draft))


async def redraw_for_category(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Picking a category redraws the form with that category's own fields, keeping what was typed."""
    await ack()
    deps = deps_of(context)
    view = body["view"]
    typed = forms.state_values(view)
    draft = modals.RequestDraft(
        title=str(typed.get(Block.TITLE, "")),
        description=str(typed.get(Block.DESCRIPTION, "")),
        category=typed.get(Block.CATEGORY),
        values=forms.custom_values(view),
        source=_source(view) or None,
    )
    await deps.notifier.update_modal(view["id"], request_modal(deps, draft), hash=view.get("hash"))


async def location_options(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """Type-ahead for the location picker: matching locations, and what was typed as free text."""
    deps, typed = deps_of(context), str(body.get("value") or "").strip()
    found = await deps.db.run(partial(places.find_locations, text=typed))
    options = [modals.option(choice.label, f"{LOCATION_ID}{choice.id}") for choice in found]
    if typed and not any(choice.label.lower() == typed.lower() for choice in found):
        options.append(modals.option(f"Use “{typed}”", f"{LOCATION_TEXT}{typed[:140]}"))
    await ack(options=options)


async def asset_options(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    deps = deps_of(context)
    found = await deps.db.run(partial(places.find_assets, text=str(body.get("value") or "")))
    await ack(options=[modals.option(choice.label, f"{ASSET_ID}{choice.id}") for choice in found])


def _source(view: dict[str, Any]) -> dict[str, str]:
    """The message a request form was opened from (the message shortcut), kept in private_metadata."""
    metadata = view.get("private_metadata") or "{}"
    try:
        read = json.loads(metadata) if isinstance(metadata, str) else None
    except (ValueError, RecursionError):
        read = None
    source = read.get("source") or {} if isinstance(read, dict) else None
    if not isinstance(source, dict) or not all(isinstance(value, str) for value in source.values()):
        raise Unreadable("the request form's metadata", metadata)
    return source


def to_request(form: RequestForm, view: dict[str, Any]) -> RequestCreate:
    source = _source(view)
    location_id = _id_after(form.location, LOCATION_ID)
    return RequestCreate(
        title=form.title,
        category=form.category,
        description=form.description,
        location=form.location.removeprefix(LOCATION_TEXT) if form.location.startswith(LOCATION_TEXT) else "",
        location_id=location_id,
        asset_id=_id_after(form.asset, ASSET_ID),
        priority=form.priority,
        custom_fields=forms.custom_values(view),
        attachments=tuple(form.files),
        source_channel=source.get("channel") or None,
        source_ts=source.get("ts") or None,
        asset_down=bool(form.asset_down),
    )


def _id_after(value: str, prefix: str) -> int | None:
    try:
        return forms.option_id(value, prefix)
    except ValueError:
        raise InvalidInput(
            "Pick one of the options.", field=Block.LOCATION if prefix == LOCATION_ID else Block.ASSET
        ) from None


async def submit_request(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    """Validate, store (before the ack, so an acknowledged request is never lost), ack, then notify."""
    _source(view)  # a form whose metadata is unreadable is refused before anything typed is read
    form = await forms.parse_or_reject(ack, RequestForm, view)
    if form is None:
        return
    deps = deps_of(context)
    try:
        submit = partial(
            requests.submit,
            org=deps.org,
            now=deps.clock(),
            requester_id=body["user"]["id"],
            request=to_request(form, view),
            source_key=view["id"],
        )
        await deps.db.run(submit)
    except InvalidInput as error:
        await forms.reject(ack, error, default_field=Block.TITLE)
        return
    await ack()
