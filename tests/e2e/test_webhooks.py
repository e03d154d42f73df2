"""Webhooks end to end: the bot runs with a webhook in its config and a local receiver checks every
signature. Slack interactions become signed deliveries; a failing receiver gets the delivery again
after the backoff; a receiver that hangs never holds up Slack."""

import asyncio
from collections.abc import AsyncIterator
from functools import partial

import aiohttp
import pytest

from blocks.ids import Action
from bot.api.webhook_worker import WebhookWorker
from bot.metrics import Metrics
from models.db import Database
from models.schemas import RequestCreate
from services.delivery import webhooks
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from services.requests import service as requests
from tests.conftest import FrozenClock
from tests.e2e.flow import card_ref, click_card, file_request
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import FakeSlack
from tests.support.org import CONFIG, STAFF, TECH_1
from tests.support.receiver import SECRET, Receiver


def with_webhook(url: str, events: str = '["*"]') -> Organisation:
    return parse_organisation(
        CONFIG + f"\nwebhooks:\n  - {{name: erp, url: '{url}', secret: {SECRET}, events: {events}}}\n"
    )


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    made = Receiver()
    await made.start()
    yield made
    await made.stop()


@pytest.fixture
async def hooked_bot(
    database_url: str, fake_slack: FakeSlack, receiver: Receiver, clock: FrozenClock
) -> AsyncIterator[BotClient]:
    async with started_bot(database_url, fake_slack, with_webhook(receiver.url), clock=clock) as client:
        yield client


async def test_slack_changes_arrive_signed_in_order(hooked_bot: BotClient, receiver: Receiver) -> None:
    card = await file_request(hooked_bot, title="Leak under sink")
    arrived = await receiver.wait_for(2)
    assert all(d.signature_ok for d in arrived)
    assert sorted(d.body["type"] for d in arrived) == ["request.submitted", "work_order.created"]
    created = next(d for d in arrived if d.body["type"] == "work_order.created")
    assert created.headers["X-Wrench-Event"] == "work_order.created"
    assert created.body["work_order"]["title"] == "Leak under sink" and created.body["actor"] == STAFF
    await click_card(hooked_bot, card, Action.CLAIM, user_id=TECH_1)
    [*_, claimed] = await receiver.wait_for(3)
    assert claimed.body["type"] == "work_order.assigned" and claimed.body["work_order"]["assignee"] == TECH_1
    assert claimed.body["id"] > created.body["id"]


async def test_a_failed_delivery_is_sent_again_after_the_backoff(
    hooked_bot: BotClient, receiver: Receiver, clock: FrozenClock
) -> None:
    receiver.answers = [503, 503]  # the first two sends fail (both events' first attempt)
    await file_request(hooked_bot, title="Leak")
    await receiver.wait_for(2)
    assert receiver.delivered() == []
    await until_failing(hooked_bot, 2)  # the worker has noted both failures (with the time of the first try)
    clock.advance(seconds=11)  # past the first pause (10 s); the worker polls and finds them due
    await receiver.wait_for(4)
    again = receiver.delivered()
    assert sorted(d.body["type"] for d in again) == ["request.submitted", "work_order.created"]
    assert {d.headers["X-Wrench-Attempt"] for d in again} == {"2"}


async def until_failing(bot: BotClient, count: int) -> None:
    deps = bot.running.deps
    for _ in range(500):
        [shown] = await deps.db.run(partial(webhooks.status, webhooks=deps.org.webhooks))
        if shown.failing >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{count} failing deliveries never recorded")


async def test_a_hanging_receiver_never_holds_up_slack(hooked_bot: BotClient, receiver: Receiver) -> None:
    receiver.hold = asyncio.Event()  # the receiver takes every delivery and does not answer
    card = await file_request(hooked_bot, title="Leak")
    await click_card(hooked_bot, card, Action.CLAIM, user_id=TECH_1)  # acknowledged with a 200
    channel, ts = card_ref(card)
    await hooked_bot.fake.wait_calls("chat.update", channel=channel, ts=ts)  # the card moved on meanwhile
    assert receiver.deliveries == []
    receiver.hold.set()
    assert len(await receiver.wait_for(3)) == 3


async def stop_while_a_send_waits(
    db: Database, receiver: Receiver, clock: FrozenClock, *, answer_after: float | None
) -> webhooks.WebhookStatus:
    """One delivery held by the receiver when the worker is told to stop (grace 1 s); the receiver answers
    `answer_after` seconds into the stop, or never."""
    org = with_webhook(receiver.url)
    hold = receiver.hold = asyncio.Event()
    request = RequestCreate(title="Key", category="keys")  # waits for approval: one event
    await db.run(partial(requests.submit, org=org, now=clock(), requester_id=STAFF, request=request))
    async with aiohttp.ClientSession() as http:
        worker = WebhookWorker(db, org, clock, http, Metrics())
        worker.start()
        await asyncio.wait_for(receiver.until_waiting(), 5)
        if answer_after is not None:
            asyncio.get_running_loop().call_later(answer_after, hold.set)
        await asyncio.wait_for(worker.stop(grace_seconds=1.0), 5)
    # nothing was cut off inside a transaction: the next write does not wait for a lock
    await asyncio.wait_for(db.run(partial(webhooks.fan_out, webhooks=org.webhooks, now=clock())), 2)
    [shown] = await db.run(partial(webhooks.status, webhooks=org.webhooks))
    return shown


async def test_stopping_lets_a_send_under_way_finish_and_records_it(
    db: Database, receiver: Receiver, clock: FrozenClock
) -> None:
    shown = await stop_while_a_send_waits(db, receiver, clock, answer_after=0.1)
    assert (shown.pending, shown.delivered) == (0, 1)


async def test_stopping_cuts_off_a_send_whose_receiver_does_not_answer(
    db: Database, receiver: Receiver, clock: FrozenClock
) -> None:
    shown = await stop_while_a_send_waits(db, receiver, clock, answer_after=None)
    assert (shown.pending, shown.failing, shown.delivered) == (1, 0, 0)  # sent again once its lease runs out
