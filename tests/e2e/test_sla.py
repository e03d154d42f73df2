"""The SLA watch through the scheduler's job: warning at 75%, level 1 and level 2 escalations, each
once, recorded and shown; met targets recorded; catch-up after downtime."""

from datetime import timedelta

from sqlalchemy import select

from blocks.ids import Action
from models.db import Database
from models.tables import WorkOrder, WorkOrderEvent
from scheduler import jobs
from tests.conftest import FrozenClock
from tests.e2e.flow import card_ref, click_card, file_request, latest_card, open_card_form
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.org import ADMIN, ESCALATION_CHANNEL, MANAGER, OUTSIDER, TEAM_CHANNEL, TECH_1


async def stored(db: Database) -> WorkOrder:
    async with db.unit_of_work() as session:
        return (await session.execute(select(WorkOrder))).scalar_one()


async def sla_events(db: Database) -> list[tuple[str, dict]]:
    async with db.unit_of_work() as session:
        rows = await session.execute(
            select(WorkOrderEvent.kind, WorkOrderEvent.data)
            .where(WorkOrderEvent.kind.in_(["sla_warning", "escalated"]))
            .order_by(WorkOrderEvent.id)
        )
        return [(kind, data) for kind, data in rows]


async def test_unclaimed_work_warns_the_channel_then_escalates_twice(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    card = await file_request(bot, priority="urgent")  # respond in 15 min, resolve in 4 h
    _, ts = card_ref(card)
    deps = bot.running.deps
    clock.advance(hours=2, minutes=59)
    assert await jobs.check_sla(deps) == 1  # the response target was missed: level 1 straight away
    assert await sla_events(db) == [("escalated", {"level": 1, "targets": ["response"]})]

    clock.advance(minutes=1)  # 3 h of 4: but it is escalated already, so no warning
    assert await jobs.check_sla(deps) == 0
    clock.advance(hours=4)
    assert await jobs.check_sla(deps) == 1
    assert await jobs.check_sla(deps) == 0
    assert await sla_events(db) == [
        ("escalated", {"level": 1, "targets": ["response"]}),
        ("escalated", {"level": 2, "targets": ["response", "resolution"]}),
    ]
    wo = await stored(db)
    assert (wo.escalation_level, wo.sla_response, wo.sla_resolution) == (2, "breached", "breached")

    to_manager = await bot.fake.wait_calls("chat.postMessage", 2, channel=MANAGER)
    assert to_manager[0].params["text"].startswith(":rotating_light: Level 1 escalation, Facilities: *WO-1")
    assert "nobody has claimed it" in to_manager[0].params["text"]
    assert (
        (await bot.fake.wait_calls("chat.postMessage", 2, channel=ESCALATION_CHANNEL))[-1]
        .params["text"]
        .startswith(":rotating_light: Level 2 escalation")
    )
    admin = await bot.fake.wait_calls("chat.postMessage", 1, channel=ADMIN)  # level 2 only
    assert "Level 2 escalation" in admin[0].params["text"]
    lines = [c.params["text"] for c in await bot.fake.wait_calls("chat.postMessage", 2, thread_ts=ts)]
    assert lines == [
        ":rotating_light: Escalated to level 1: the response target was missed.",
        ":rotating_light: Escalated to level 2: the response and resolution target was missed.",
    ]
    card_now = (await bot.fake.wait_calls("chat.update", 2, ts=ts))[-1].params
    assert "*Escalated (level 2)*" in str(card_now["blocks"]) and ":warning: missed" in str(card_now["blocks"])


async def test_claimed_work_warns_its_holder_once_and_records_met_targets(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    card = await file_request(bot, priority="urgent")
    await click_card(bot, card, Action.CLAIM, TECH_1)
    await bot.fake.wait_calls("chat.update", 1)
    deps = bot.running.deps
    clock.advance(hours=2, minutes=59)
    assert await jobs.check_sla(deps) == 0
    clock.advance(minutes=1)
    assert await jobs.check_sla(deps) == 1
    assert await jobs.check_sla(deps) == 0
    warned = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TECH_1))[0].params["text"]
    assert warned.startswith(":warning: *WO-1 · Leaking pipe in 204* is due <!date^")
    line = (await bot.fake.wait_calls("chat.postMessage", 2, thread_ts=card_ref(card)[1]))[-1].params
    assert line["text"] == ":warning: 75% of the time to resolve this has passed." and "reply_broadcast" not in line

    wo = await stored(db)
    assert (wo.sla_response, wo.sla_resolution, wo.escalation_level) == ("met", "ongoing", 0)
    assert not bot.fake.find("chat.postMessage", channel=MANAGER)


async def test_after_downtime_a_breach_escalates_once_not_once_per_missed_tick(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    await file_request(bot)  # medium: resolve in 3 days
    await file_request(bot, title="Second")
    clock.advance(days=10)
    assert await jobs.check_sla(bot.running.deps) == 2  # level 1 for both; level 2 waits its delay
    await bot.settled()
    assert [data["level"] for _, data in await sla_events(db)] == [1, 1]
    in_channel = [c for c in bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL) if "thread_ts" not in c.params]
    assert len(in_channel) == 2  # the two cards: escalations go to their threads and to the managers
    assert len(bot.fake.find("chat.postMessage", channel=MANAGER)) == 2


async def test_time_on_hold_does_not_count(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    card = await file_request(bot, priority="urgent")  # 09:00, resolve by 13:00
    await click_card(bot, card, Action.CLAIM, TECH_1)
    await bot.fake.wait_calls("chat.update", 1)
    clock.advance(hours=1)
    form = await open_card_form(bot, card, Action.HOLD, TECH_1)
    assert await bot.submit(form, {"reason": sr.select_value("vendor")}, user_id=TECH_1) == (200, None)
    await bot.fake.wait_calls("chat.update", 2)
    clock.advance(hours=5)  # 15:00: past the original due time, but on hold
    assert await jobs.check_sla(bot.running.deps) == 0
    await bot.settled()

    await click_card(bot, card, Action.RESUME, TECH_1)
    await bot.fake.wait_calls("chat.update", 3)
    wo = await stored(db)
    filed = wo.created_at
    assert (wo.resolution_due_at - filed, wo.sla_paused_seconds, wo.on_hold_since) == (
        timedelta(hours=9),
        5 * 3600,
        None,
    )
    assert await jobs.check_sla(bot.running.deps) == 0  # 15:00: 6 of the 9 hours, under 75%
    await bot.settled()
    clock.advance(hours=2)  # 17:00: 8 of 9 hours gone
    assert await jobs.check_sla(bot.running.deps) == 1
    await bot.settled()
    assert [kind for kind, _ in await sla_events(db)] == ["sla_warning"]


async def test_unclaimed_escalations_are_reminded_until_acknowledged(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    card = await file_request(bot, priority="urgent")
    deps = bot.running.deps
    clock.advance(hours=1)
    assert await jobs.check_sla(deps) == 1  # level 1: the response target was missed
    clock.advance(hours=1, minutes=59)
    assert await jobs.check_sla(deps) == 0
    clock.advance(minutes=1)
    assert await jobs.check_sla(deps) == 1  # two hours on, still unclaimed: a reminder
    reminder = (await bot.fake.wait_calls("chat.postMessage", 2, channel=MANAGER))[-1]
    assert reminder.params["text"].startswith(":bell: Reminder, level 1 escalation")

    key = "ack-outsider"
    outsider = sr.block_action(
        Action.ACKNOWLEDGE,
        "1",
        user_id=OUTSIDER,
        channel=reminder.answer["channel"],
        message_ts=reminder.answer["ts"],
        response_url=bot.fake.response_url(key),
    )
    await bot.post(outsider)
    assert (await bot.replies_to(key))[0]["text"].startswith("Only Facilities technicians and managers can acknowledge")

    body = sr.block_action(
        Action.ACKNOWLEDGE,
        "1",
        user_id=MANAGER,
        channel=reminder.answer["channel"],
        message_ts=reminder.answer["ts"],
        response_url=bot.fake.response_url("ack"),
    )
    await bot.post(body)
    replaced = (await bot.replies_to("ack"))[0]
    assert replaced["replace_original"] is True and "<@U0MANAGER> acknowledged the escalation" in replaced["text"]
    await bot.fake.wait_for(lambda: "acknowledged by <@U0MANAGER>" in str(latest_card(bot, card)["blocks"]))
    clock.advance(hours=3)
    assert await jobs.check_sla(deps) == 1  # level 2 still comes: acknowledging is not resolving
    clock.advance(hours=3)
    assert await jobs.check_sla(deps) == 0  # but no more reminders
    kinds = [kind for kind, _ in await sla_events(db)]
    assert kinds == ["escalated", "escalated"] and (await stored(db)).acknowledged_by == MANAGER
