"""The Slack outbox end to end, against the fake Slack: 429 storms and 5xx answers delay cards and DMs
but lose none and post none twice, a card is never drawn over with an older state, posts to one channel
keep Slack's pace, what Slack refuses for good is given up (and shown by `wrench doctor`), and two
processes on one database deliver each notice once."""

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from blocks.ids import Action
from bot.config import Mode
from bot.metrics import Metrics
from bot.slack.outbox_worker import GIVE_UP_AFTER_CRASHES, OutboxWorker
from bot.slack.pacing import Pacer
from models.db import Database
from models.enums import HoldReason
from models.outbox import OutboxEntry
from services.delivery import outbox
from services.organisation.org import Organisation
from services.work_orders import assignment, lifecycle
from tests.conftest import FrozenClock
from tests.e2e.flow import card_ref, click_card, file_request, open_request_modal, posted_cards, request_values
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.org import STAFF, TEAM_CHANNEL, TECH_1
from tests.support.process import wrench_env, wrench_in_process


async def submit(bot: BotClient, title: str, *, user_id: str = STAFF) -> None:
    """File a request; it is acknowledged (and so stored) without waiting for Slack."""
    view = await open_request_modal(bot, user_id=user_id)
    status, body = await bot.submit(view, request_values(title=title), user_id=user_id)
    assert (status, body) == (200, None)


def cards_titled(bot: BotClient) -> list[str]:
    return [call.params["text"] for call in posted_cards(bot)]


async def test_a_429_storm_delays_cards_and_dms_but_loses_and_repeats_none(bot: BotClient) -> None:
    bot.fake.rate_limit("chat.postMessage", times=5, retry_after=1)
    for title in ("Leak one", "Leak two", "Leak three"):
        await submit(bot, title)
    await bot.settled(timeout=30)
    assert len(bot.fake.find("chat.postMessage#429")) == 5  # Slack said no five times...
    numbers = [text.split(" ", 1)[0] for text in cards_titled(bot)]
    assert sorted(numbers) == ["WO-1", "WO-2", "WO-3"]  # ...and each card was posted once
    assert len(bot.fake.find("chat.postMessage", channel=STAFF)) == 3  # and each requester DM
    status = await bot.running.deps.db.run(outbox.status)
    assert (status.pending, status.gave_up) == (0, 0)


async def test_slack_errors_and_a_dead_connection_are_retried(bot: BotClient) -> None:
    card = await file_request(bot)
    bot.fake.break_down("chat.update", times=2)  # HTTP 500, twice
    await click_card(bot, card, Action.CLAIM, TECH_1)
    await bot.settled(timeout=20)
    assert len(bot.fake.find("chat.update#500")) == 2
    channel, ts = card_ref(card)
    (update,) = bot.fake.find("chat.update", channel=channel, ts=ts)
    assert f"<@{TECH_1}>" in json.dumps(update.params["blocks"])
    assert len(bot.fake.find("chat.postMessage", thread_ts=ts)) == 1  # the thread line once, though tried again


async def test_a_card_is_never_drawn_over_with_an_older_state(
    bot: BotClient, db: Database, org: Organisation, clock: FrozenClock
) -> None:
    card = await file_request(bot)
    work_order_id = 1
    bot.fake.rate_limit("chat.update", times=1, retry_after=1)  # the first redraw waits...
    bot.fake.latency = 0.02
    await db.run(partial(assignment.claim, org=org, now=clock(), work_order_id=work_order_id, user_id=TECH_1))
    await db.run(partial(lifecycle.start, org=org, now=clock(), work_order_id=work_order_id, user_id=TECH_1))
    clock.advance(minutes=5)
    hold = partial(lifecycle.hold, org=org, now=clock(), work_order_id=work_order_id, user_id=TECH_1)
    await db.run(partial(hold, reason=HoldReason.PARTS, note="Waiting for a valve"))
    await bot.settled(timeout=20)
    channel, ts = card_ref(card)
    shown = [json.dumps(call.params["blocks"]) for call in bot.fake.find("chat.update", channel=channel, ts=ts)]
    held = ["on hold" in card.lower() for card in shown]
    assert held[-1] and held == sorted(held)  # the last redraw shows the hold; none after one goes back
    lines = [call.params["text"] for call in bot.fake.find("chat.postMessage", thread_ts=ts)]
    assert len(lines) == 3 and "claimed" in lines[0].lower() and "hold" in lines[2].lower()  # in order


async def test_posts_to_one_channel_keep_slacks_pace(
    database_url: str, fake_slack: FakeSlack, org: Organisation, clock: FrozenClock
) -> None:
    async with started_bot(database_url, fake_slack, org, clock=clock, wrench_slack_rate_scale=4) as bot:
        for title in ("Leak one", "Leak two", "Leak three", "Leak four"):
            await submit(bot, title)
        await bot.settled(timeout=20)
    posts = bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL)
    assert len(posts) == 4
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(posts)]
    assert min(gaps) >= 0.24  # never faster than the pace in one channel
    dms = bot.fake.find("chat.postMessage", channel=STAFF)
    assert len(dms) == 4


async def test_what_slack_refuses_for_good_is_given_up_logged_and_shown_by_doctor(
    bot: BotClient, database_url: str, tmp_path: Path
) -> None:
    card = await file_request(bot)
    bot.fake.fail("chat.update", "message_not_found")  # someone deleted the card in Slack
    await click_card(bot, card, Action.CLAIM, TECH_1)
    await bot.settled()
    _, ts = card_ref(card)
    assert len(bot.fake.find("chat.postMessage", thread_ts=ts)) == 1  # the rest of the notice still went out
    status = await bot.running.deps.db.run(outbox.status)
    assert (status.pending, status.gave_up) == (0, 1)
    code, output = await wrench_in_process("doctor", env=wrench_env(tmp_path, database_url, bot.fake))
    assert code == 1, output
    assert "slack outbox: 0 pending (0 retrying), 1 given up" in output
    assert "card_refresh chat_update:C0FACILITY:" in output and "message_not_found" in output
    assert output.strip().endswith("needs attention")


async def test_doctor_is_content_when_everything_went_out(bot: BotClient, database_url: str, tmp_path: Path) -> None:
    await file_request(bot)
    await bot.settled()
    code, output = await wrench_in_process("doctor", env=wrench_env(tmp_path, database_url, bot.fake))
    assert (code, output.strip().splitlines()) == (0, ["slack outbox: 0 pending (0 retrying), 0 given up", "all well"])


@pytest.fixture
async def two_processes(
    database_url: str, fake_slack: FakeSlack, org: Organisation, clock: FrozenClock
) -> AsyncIterator[tuple[BotClient, BotClient]]:
    """Two Wrench processes (replicas) on one database and one Slack."""
    async with (
        started_bot(database_url, fake_slack, org, clock=clock) as first,
        started_bot(database_url, fake_slack, org, clock=clock, mode=Mode.HTTP) as second,
    ):
        yield first, second


async def test_two_replicas_deliver_each_notice_once(two_processes: tuple[BotClient, BotClient]) -> None:
    first, second = two_processes
    first.fake.latency = 0.01  # deliveries overlap
    titles = [f"Leak {n}" for n in range(8)]
    await asyncio.gather(*(submit(first if n % 2 else second, title) for n, title in enumerate(titles)))
    await first.settled(timeout=30)
    numbers = sorted(text.split(" ", 1)[0] for text in cards_titled(first))
    assert numbers == sorted(f"WO-{n}" for n in range(1, len(titles) + 1))  # each card once, by one of them
    assert len(first.fake.find("chat.postMessage", channel=STAFF)) == len(titles)


async def test_a_notice_whose_delivery_keeps_failing_is_set_aside_and_shown(
    db: Database, org: Organisation, clock: FrozenClock, fake_slack: FakeSlack
) -> None:
    """Our own code failing (here: a payload it cannot read) is tried a few times, then kept for the doctor."""

    async def queue_broken(session: AsyncSession) -> None:
        outbox.message(session, TEAM_CHANNEL, "hello", now=clock())
        await session.flush()
        await session.execute(update(OutboxEntry).values(payload={"channel": TEAM_CHANNEL}))  # no text

    await db.run(queue_broken)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    worker = OutboxWorker(db, org, client, None, clock=clock, wall=clock, metrics=Metrics(), pacer=Pacer())
    (entry,) = await db.run(partial(outbox.lease_due, now=clock(), limit=1))
    await worker._deliver(replace(entry, crashes=GIVE_UP_AFTER_CRASHES - 1))  # the last try
    status = await db.run(outbox.status)
    assert (status.pending, status.gave_up) == (0, 1)
    ((_, kind, failures),) = await db.run(outbox.given_up)
    assert kind == "message" and failures == [{"call": "(delivery)", "error": "KeyError: 'text'"}]
    assert not fake_slack.find("chat.postMessage")
