"""Finding work with `/wo`, and the card's thread as a conversation that is recorded."""

import asyncio

from sqlalchemy import select

from blocks.ids import Action
from models.db import Database
from models.tables import WorkOrderEvent
from tests.e2e.flow import card_ref, click_card, file_request
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.fake_slack import BOT_USER
from tests.support.org import OTHER_TECH, STAFF, TECH_1


async def ask(bot: BotClient, text: str, user_id: str = TECH_1) -> dict:
    _, key = await bot.command("/wo", text, user_id=user_id)
    return (await bot.replies_to(key))[0]


async def test_wo_mine_open_and_search(bot: BotClient) -> None:
    first = await file_request(bot, title="Pump leaking in plant room")
    await file_request(bot, title="Light flickers", category="electrical")
    await click_card(bot, first, Action.CLAIM, TECH_1)
    await bot.fake.wait_calls("chat.update", 1)

    mine = await ask(bot, "mine")
    assert mine["blocks"][0]["text"]["text"] == "*Your open work* (1)"
    assert "*WO-1* Pump leaking in plant room" in mine["blocks"][1]["text"]["text"]
    assert mine["blocks"][1]["accessory"]["action_id"] == Action.SHOW

    assert (await ask(bot, "open"))["blocks"][0]["text"]["text"] == "*Open work in Facilities* (2)"
    assert (await ask(bot, "open it", user_id=OTHER_TECH))["text"] == "No open work. :tada:"
    assert (await ask(bot, "open plumbers"))["text"] == "There is no team “plumbers”. Teams: facilities, it."
    found = await ask(bot, "search PUMP")
    assert (
        found["blocks"][0]["text"]["text"] == "*Matching “PUMP”* (1)" and "WO-1" in found["blocks"][1]["text"]["text"]
    )
    assert (await ask(bot, "search 100%"))["text"] == "Nothing matches “100%”."
    assert (await ask(bot, "search x"))["text"].startswith("Search for at least 2 characters")

    key = "show-1"
    body = sr.block_action(
        Action.SHOW, "1", user_id=TECH_1, channel="C0GENERAL", message_ts="1.1", response_url=bot.fake.response_url(key)
    )
    await bot.post(body)
    shown = (await bot.replies_to(key))[0]
    assert shown["blocks"][0]["text"]["text"] == "WO-1 · Pump leaking in plant room"


def reply(card_ts: str, text: str, *, user: str | None = STAFF, **extra: object) -> dict:
    event = {
        "type": "message",
        "channel": "C0FACILITY",
        "channel_type": "channel",
        "text": text,
        "ts": f"1700000100.{len(text):06d}",
        "thread_ts": card_ts,
        **extra,
    }
    if user:
        event["user"] = user
    return event


async def test_replies_in_the_card_thread_become_notes_once(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    _, ts = card_ref(card)
    assert await bot.event(reply(ts, "The leak is worse now"), event_id="EvREPLY1") == 200
    assert await bot.event(reply(ts, "The leak is worse now"), event_id="EvREPLY1") == 200  # Slack's retry
    assert await bot.event(reply(ts, "bot line", user=BOT_USER, bot_id="B0WRENCH")) == 200
    assert await bot.event(reply(ts, "edited", subtype="message_changed")) == 200
    assert await bot.event(reply("1699999999.999999", "not under a card")) == 200
    assert await bot.event(reply(ts, "Valve found", user=TECH_1, subtype="file_share"), event_id="EvREPLY2") == 200

    async def notes() -> list:
        async with db.unit_of_work() as session:
            rows = await session.execute(
                select(WorkOrderEvent.actor_id, WorkOrderEvent.data)
                .where(WorkOrderEvent.kind == "note_added")
                .order_by(WorkOrderEvent.id)
            )
            return rows.all()

    # events are handled after their 200; nothing is sent to Slack for a note, so watch the database
    async with asyncio.timeout(10):
        while len(found := await notes()) < 2:  # noqa: ASYNC110 - the database is the only thing to watch
            await asyncio.sleep(0.01)
    # each event is handled in its own task after its ack: the two notes may land in either order
    assert sorted(found, key=lambda row: row[0]) == [
        (STAFF, {"text": "The leak is worse now", "source": "thread"}),
        (TECH_1, {"text": "Valve found", "source": "thread"}),
    ]
    assert not bot.fake.find("chat.postMessage", thread_ts=ts)  # the thread already shows them
