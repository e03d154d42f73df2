"""The card's ⏱ Timer: start, stop and log, discard, and timers stopped by the work stopping."""

from typing import Any

from sqlalchemy import select

from blocks.ids import Action
from models.db import Database
from models.tables import LaborEntry, LaborTimer
from tests.conftest import FrozenClock
from tests.e2e.flow import card_ref, click_card, file_request, latest_card, open_card_form, thread_lines
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.fake_slack import Call
from tests.support.org import OUTSIDER, TECH_1, TECH_2


async def press_timer(bot: BotClient, card: Call, user_id: str) -> dict[str, Any]:
    """Press the card's Timer; returns the answer only the presser sees."""
    key = await click_card(bot, card, Action.TIMER, user_id)
    return (await bot.replies_to(key))[0]


async def click_answer(bot: BotClient, card: Call, answer: dict[str, Any], label: str, user_id: str) -> dict[str, Any]:
    """Click a button of an ephemeral answer; returns what replaced it (or the refusal)."""
    button = next(
        e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"] if label in e["text"]["text"]
    )
    channel, ts = card_ref(card)
    response, key = await bot.click(
        button["action_id"], button["value"], user_id=user_id, channel=channel, message_ts=ts
    )
    assert response.status == 200
    return (await bot.replies_to(key))[0]


async def labor(db: Database) -> list[tuple[str, int]]:
    async with db.unit_of_work() as session:
        rows = await session.execute(select(LaborEntry.user_id, LaborEntry.minutes).order_by(LaborEntry.id))
        return [(user, minutes) for user, minutes in rows]


async def timers_running(db: Database) -> list[str]:
    async with db.unit_of_work() as session:
        return list((await session.execute(select(LaborTimer.user_id).order_by(LaborTimer.id))).scalars())


async def card_shows(bot: BotClient, card: Call, text: str, *, present: bool = True) -> None:
    await bot.fake.wait_for(lambda: (text in str(latest_card(bot, card)["blocks"])) is present)


async def test_start_then_stop_and_log_the_time(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    card = await file_request(bot)
    await click_card(bot, card, Action.START, TECH_1)
    await card_shows(bot, card, "In progress")

    answer = await press_timer(bot, card, TECH_1)
    assert answer["text"] == ":stopwatch: Your timer on WO-1 is running. Press *Timer* on the card again to stop it."
    assert answer["response_type"] == "ephemeral"
    await card_shows(bot, card, f":stopwatch: Timer running: <@{TECH_1}> since")
    assert await timers_running(db) == [TECH_1]

    clock.advance(minutes=25, seconds=10)
    answer = await press_timer(bot, card, TECH_1)  # running: offered to stop it (rounded up to whole minutes)
    assert answer["text"].startswith(":stopwatch: Your timer on WO-1 has run 26 min")
    assert await timers_running(db) == [TECH_1]
    intruder = await click_answer(bot, card, answer, "Stop and log", TECH_2)
    assert intruder["text"] == "Only the person who started a timer can stop it."

    stopped = await click_answer(bot, card, answer, "Stop and log", TECH_1)
    assert (stopped["text"], stopped["replace_original"]) == (":stopwatch: Timer stopped: 26 min logged on WO-1.", True)
    assert await labor(db) == [(TECH_1, 26)]
    assert (await thread_lines(bot, card, 3))[-1] == f":stopwatch: <@{TECH_1}>'s timer stopped: 26 min logged."
    await card_shows(bot, card, "Timer running", present=False)
    again = await click_answer(bot, card, answer, "Stop and log", TECH_1)  # the same answer, clicked twice
    assert again["text"] == "That timer was already stopped."
    assert await labor(db) == [(TECH_1, 26)]


async def test_a_double_press_starts_one_timer_and_discard_logs_nothing(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    await press_timer(bot, card, TECH_2)
    second = await press_timer(bot, card, TECH_2)
    assert second["text"].startswith(":stopwatch: Your timer on WO-1 has run 1 min")
    assert await timers_running(db) == [TECH_2]
    discarded = await click_answer(bot, card, second, "Discard", TECH_2)
    assert discarded["text"] == ":stopwatch: Timer on WO-1 discarded; nothing was logged."
    assert (await timers_running(db), await labor(db)) == ([], [])

    refused = await press_timer(bot, card, OUTSIDER)
    assert refused["text"].startswith("Only ")
    assert "can log time on" in refused["text"]
    assert await timers_running(db) == []


async def test_holding_the_work_stops_every_timer(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    card = await file_request(bot)
    await click_card(bot, card, Action.CLAIM, TECH_1)
    await card_shows(bot, card, f"<@{TECH_1}>")
    await press_timer(bot, card, TECH_2)  # started and forgotten
    clock.advance(hours=25)
    forgotten = await press_timer(bot, card, TECH_2)
    assert "longer than a day" in forgotten["text"]
    labels = [e["text"]["text"] for b in forgotten["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels == ["Discard"]  # a day's timer is never logged as it stands
    await press_timer(bot, card, TECH_1)
    clock.advance(minutes=30)

    form = await open_card_form(bot, card, Action.HOLD, TECH_1)
    status, body = await bot.submit(form, {"reason": sr.select_value("parts")}, user_id=TECH_1)
    assert (status, body) == (200, None)
    assert await labor(db) == [(TECH_1, 30)]
    assert await timers_running(db) == []
    lines = await thread_lines(bot, card, 4)
    assert lines[1:3] == [
        f":stopwatch: <@{TECH_2}>'s timer ran over a day and was stopped without logging; "
        "log the time worked with Log time.",
        f":stopwatch: <@{TECH_1}>'s timer stopped: 30 min logged.",
    ]
    await card_shows(bot, card, "Timer running", present=False)
    on_hold = await press_timer(bot, card, TECH_1)  # the old card's button
    assert on_hold["text"].endswith("WO-1 is on hold; no timer runs on it.")
