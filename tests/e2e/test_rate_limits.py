"""Slack's rate limits, enforced by the fake Slack as Slack publishes them (`bot.slack.pacing`), on a clock
running `SCALE` times faster: Wrench paces every call so that Slack never has to answer 429, a burst of
changes redraws each card and Home tab as it ends, a long 429 over a full channel does not stop it for
good, and two replicas share one budget through the database."""

import asyncio
from functools import partial

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from blocks.ids import Action
from bot.metrics import Metrics
from bot.slack.outbox_worker import OutboxWorker
from bot.slack.pacing import BURST, TIERS, SharedPacer
from models.db import Database
from services.delivery import outbox, slack_events
from services.organisation.org import Organisation
from services.work_orders import assignment
from services.work_orders import service as work_orders
from tests.conftest import FrozenClock
from tests.services.test_work_orders import act, new_work_order
from tests.support import slack_requests as sr
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import BOT_TOKEN, BOT_USER, Call, FakeSlack
from tests.support.org import MANAGER, TEAM_CHANNEL, TECH_1, TECH_2

SCALE = 5.0  # Slack's minute in 12 s (faster, and the test's own timing jitter would count for much)
UPDATE_SPACING = 60 / TIERS["chat.update"] / SCALE


def kept_pace(calls: list[Call], spacing: float) -> bool:
    """No faster than Slack lets through: after a burst of `BURST`, one call per `spacing` seconds."""
    return calls[-1].at - calls[0].at >= (len(calls) - 1 - BURST) * spacing


def limited(fake: FakeSlack) -> list[str]:
    return [call.method for call in fake.calls if call.method.endswith("#429")]


async def cards_in_slack(db: Database, org: Organisation, clock: FrozenClock, fake: FakeSlack, count: int) -> list[int]:
    """File `count` work orders whose cards are in Slack already, nothing else queued: their notices are
    marked delivered, their cards seeded in the fake Slack and recorded. Their ids."""
    ids = [(await new_work_order(db, org, clock, title=f"Leak {n}")).work_order.id for n in range(count)]

    async def as_if_posted(session: AsyncSession) -> None:
        while leased := await outbox.lease_due(session, now=clock(), limit=100):
            for entry in leased:
                await outbox.finish(session, entry_id=entry.id, token=entry.token, failures=[], now=clock())
        for n, id_ in enumerate(ids):
            ts = f"1600000000.{n:06d}"
            fake.seed_message(TEAM_CHANNEL, ts, f"WO-{n + 1}", user=BOT_USER)
            await work_orders.attach_card(session, work_order_id=id_, channel=TEAM_CHANNEL, ts=ts)

    await db.run(as_if_posted)
    return ids  # type: ignore[return-value]


async def cards(bot: BotClient, count: int) -> list[tuple[int, str]]:
    """File `count` work orders; (id, card ts) once their cards are posted."""
    org, db = bot.running.deps.org, bot.running.deps.db
    clock = bot.running.deps.clock
    ids = [(await new_work_order(db, org, clock, title=f"Leak {n}")).work_order.id for n in range(count)]  # type: ignore[arg-type]
    await bot.settled(timeout=30)
    shown = [await db.run(partial(work_orders.get, work_order_id=id_)) for id_ in ids]
    return [(wo.id, str(wo.card_ts)) for wo in shown]


async def test_a_burst_of_clicks_keeps_every_limit_and_ends_with_each_card_and_home_as_it_stands(
    database_url: str, fake_slack: FakeSlack, org: Organisation, clock: FrozenClock
) -> None:
    fake_slack.tiers, fake_slack.rate_scale = True, SCALE
    async with started_bot(database_url, fake_slack, org, clock=clock, wrench_slack_rate_scale=SCALE) as bot:
        for viewer in (MANAGER, TECH_2):
            await bot.running.deps.db.run(partial(slack_events.opened_home, user_id=viewer, now=clock()))
        filed = await cards(bot, 6)
        before = len(bot.fake.calls)
        listeners = bot.running.listeners
        assert listeners is not None
        clicks = 0
        for action, version in ((Action.CLAIM, 1), (Action.START, 2)):
            for id_, ts in filed:
                body = sr.block_action(
                    action,
                    f"{id_}:{version}",
                    user_id=TECH_1,
                    channel=TEAM_CHANNEL,
                    message_ts=ts,
                    response_url=fake_slack.response_url("clicks"),
                )
                assert (await bot.post(body)).status == 200
                clicks += 1
            # A listener carries on after its ack: the Starts (at version 2) go once the claims are stored,
            # as a card shows Start at version 2 only then. Their redraws are still waiting in the outbox.
            await listeners.settle(30)
        await bot.settled(timeout=90)
        assert not fake_slack.replies  # no click found its card out of date
    assert limited(bot.fake) == []  # paced: Slack never had to say 429
    made = bot.fake.calls[before:]
    updates = [call for call in made if call.method == "chat.update"]
    assert kept_pace(updates, UPDATE_SPACING)  # chat.update's tier, for the workspace
    for id_, ts in filed:  # each card ends drawn as it stands: started, by TECH_1
        last = [call for call in updates if call.params["ts"] == ts][-1]
        assert "In progress" in str(last.params["blocks"]), id_
    published = [call for call in made if call.method == "views.publish"]
    assert {call.params["user_id"] for call in published} == {MANAGER, TECH_2}
    assert len(published) < 2 * clicks  # not one per change: once per person for changes waiting


async def test_a_long_429_over_a_full_channel_does_not_stop_it_for_good(
    database_url: str, db: Database, fake_slack: FakeSlack, org: Organisation, clock: FrozenClock
) -> None:
    """40 cards in one channel each get a thread line at once, and Slack answers the first 429 with
    Retry-After 45 s: the channel rests, then every line goes out at the channel's pace. (The cards are
    in Slack already: posting them at the channel's pace would take the test 8 s more.)"""
    fake_slack.tiers, fake_slack.rate_scale = True, SCALE
    ids = await cards_in_slack(db, org, clock, fake_slack, 40)
    async with started_bot(database_url, fake_slack, org, clock=clock, wrench_slack_rate_scale=SCALE) as bot:
        bot.fake.rate_limit("chat.postMessage", retry_after=45)
        for id_ in ids:
            await act(db, org, clock, assignment.claim, id_, TECH_1)
        await bot.settled(timeout=90)
    assert limited(bot.fake) == ["chat.postMessage#429"]
    lines = [call for call in bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL) if call.params.get("thread_ts")]
    assert len(lines) == 40
    rested = bot.fake.find("chat.postMessage#429")[0].at + 45 / SCALE
    assert min(line.at for line in lines) >= rested - 0.05
    assert kept_pace(lines, 1 / SCALE)  # a message a second, on the faster clock


async def test_two_replicas_share_one_budget_through_the_database(
    db: Database, org: Organisation, clock: FrozenClock, fake_slack: FakeSlack
) -> None:
    """Each replica alone keeps chat.update's tier; together, each booking its own slots, they would make
    it twice as fast and be answered 429. Booked in the database, they make it at the tier."""
    fake_slack.tiers, fake_slack.rate_scale = True, SCALE
    ids = await cards_in_slack(db, org, clock, fake_slack, 16)

    async def redraws(session: AsyncSession) -> None:
        for id_ in ids:
            await outbox.redraw_card(session, work_order_id=id_, now=clock())

    await db.run(redraws)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    replicas = [
        OutboxWorker(
            db, org, client, None, clock=clock, wall=clock, metrics=Metrics(), pacer=SharedPacer(db, scale=SCALE)
        )
        for _ in range(2)
    ]
    for replica in replicas:
        replica.start()
    try:
        async with asyncio.timeout(30):
            while (await db.run(outbox.status)).pending:  # noqa: ASYNC110 - the database is polled
                await asyncio.sleep(0.02)
    finally:
        for replica in replicas:
            await replica.stop(flush_seconds=1)
    assert limited(fake_slack) == []
    updates = fake_slack.find("chat.update")
    assert len(updates) == len(ids) and all(call.answer["ok"] for call in updates)
    assert kept_pace(updates, UPDATE_SPACING)
