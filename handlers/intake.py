"""Requests and notes from ordinary Slack messages: a :ticket: reaction files the message as a request;
a reply in a card's thread is recorded as a note on its work order."""

from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import text as t
from blocks.ids import Event
from handlers import forms
from handlers.context import Ack, deps_of, run_as
from handlers.guard import guarded
from models.schemas import TITLE_MAX, RequestCreate
from services.errors import DomainError
from services.requests import service as requests
from services.work_orders import work_log

PERSON_REPLIES = (
    None,
    "file_share",
    "thread_broadcast",
)  # a plain reply, one with a photo, one also sent to the channel


# Emoji intake files messages of channels: public (C…) and private (C…, or G… for older ones). A DM (D…)
# is never read: the manifest has no im:history, and a private word should not reach a team's channel
# unasked (the message shortcut files from a DM, with the form shown first). A group DM's id also starts
# with G; without mpim:history Slack refuses to read it, and the reaction is ignored there too.
CHANNELS = ("C", "G")


def register(app: AsyncApp) -> None:
    app.event(Event.REACTION_ADDED)(guarded(file_from_reaction))
    app.event(Event.MESSAGE)(guarded(note_from_thread))


async def file_from_reaction(ack: Ack, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
    """Once per message, whoever reacts first: the message's author is the requester."""
    await ack()
    deps, item = deps_of(context), event.get("item") or {}
    intake = deps.org.emoji_intake
    if not intake.enabled or event.get("reaction") != intake.emoji or item.get("type") != "message":
        return
    channel, ts = str(item.get("channel") or ""), str(item.get("ts") or "")
    if not channel.startswith(CHANNELS) or not ts:  # not in a DM: see docs/decisions.md, "Emoji intake"
        return
    source_key = f"reaction:{channel}:{ts}"
    if await deps.db.run(partial(requests.already_submitted, source_key=source_key)):
        return
    message = await deps.notifier.fetch_message(channel, ts)
    if message is None or not str(message.get("text") or "").strip():
        return
    text = t.to_plain(str(message["text"])).strip()
    requester = message.get("user") if not message.get("bot_id") else None
    request = RequestCreate(
        title=forms.first_line(text)[:TITLE_MAX],
        category=deps.org.intake_category().key,
        description=text,
        source_channel=channel,
        source_ts=ts,
    )
    submit = partial(
        requests.submit,
        org=deps.org,
        now=deps.clock(),
        requester_id=requester or event["user"],
        request=request,
        source_key=source_key,
    )
    try:
        await deps.db.run(submit)
    except DomainError as error:  # e.g. the intake category has required custom fields
        await deps.notifier.tell(event["user"], t.md("That message could not be filed: {}", t.service_text(str(error))))
        return


async def note_from_thread(ack: Ack, body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
    """A person's reply under a card is a note; the bot's own lines and edits are not."""
    await ack()
    thread_ts, channel = event.get("thread_ts"), event.get("channel")
    if not thread_ts or thread_ts == event.get("ts") or event.get("bot_id"):
        return
    if event.get("subtype") not in PERSON_REPLIES:  # edits, deletions, joins, bot messages
        return
    text = t.to_plain(str(event.get("text") or "")).strip()
    if not text or not event.get("user"):
        return
    deps = deps_of(context)
    await run_as(
        deps,
        work_log.note_from_thread,
        user_id=event["user"],
        channel=channel,
        thread_ts=thread_ts,
        text=text,
        event_id=body.get("event_id"),
    )
