"""Preventive maintenance from Slack: managers plan schedules with `/wo pm`, the scheduler posts the
work orders as cards, technicians work their checklists, meter readings trigger usage-based service."""

from datetime import date, timedelta
from functools import partial
from typing import Any

from blocks.ids import Action
from models.db import Database
from models.enums import Repeat
from scheduler import jobs
from services.inventory import places
from services.maintenance import pm_schedules
from services.maintenance.pm_schedules import ScheduleInput
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.e2e.flow import card_ref, latest_card
from tests.support import slack_requests as sr
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import Call, FakeSlack
from tests.support.org import MANAGER, TEAM_CHANNEL, TECH_1

CHECKLIST = "Check flue\nBurner flame [pass/fail]\nPressure [number bar 1..2]"


def form_values(**overrides: Any) -> dict[str, dict[str, Any]]:
    values = {
        "title": sr.text_value("Inspect boiler"),
        "team": sr.select_value("facilities"),
        "category": sr.select_value(None),
        "description": sr.text_value("Annual service sheet in the plant room."),
        "asset": sr.select_value(None, kind="external_select"),
        "location": sr.select_value(None, kind="external_select"),
        "checklist": sr.text_value(CHECKLIST),
        "priority": sr.select_value("high"),
        "estimated_minutes": sr.number_value("45"),
        "repeat": sr.select_value("weeks"),
        "every": sr.number_value("1"),
        "weekdays": {"type": "checkboxes", "selected_options": []},
        "cron": sr.text_value(None),
        "starts_on": sr.date_value("2026-03-02"),
        "ends_on": sr.date_value(None),
        "max_count": sr.number_value(None),
        "anchor": {"type": "radio_buttons", "selected_option": {"value": "fixed"}},
        "lead_days": sr.number_value(None),
        "non_working": sr.select_value("keep"),
        "one_open": {"type": "checkboxes", "selected_options": []},
        "meter": sr.text_value(None),
        "meter_every": sr.number_value(None),
        "meter_threshold": sr.number_value(None),
    }
    return values | overrides


async def open_pm_form(bot: BotClient, text: str = "pm new", user_id: str = MANAGER) -> dict[str, Any]:
    before = len(bot.fake.find("views.open"))
    response, _ = await bot.command("/wo", text, user_id=user_id)
    assert response.status == 200
    return (await bot.fake.wait_calls("views.open", before + 1))[-1].params["view"]


async def create_schedule(bot: BotClient, **overrides: Any) -> None:
    view = await open_pm_form(bot)
    told = len(bot.fake.find("chat.postMessage", channel=MANAGER))
    assert await bot.submit(view, form_values(**overrides), user_id=MANAGER) == (200, None)
    await bot.fake.wait_calls("chat.postMessage", told + 1, channel=MANAGER)


async def generated_card(bot: BotClient) -> Call:
    before = len(bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL))
    assert await jobs.generate_pm(bot.running.deps) == 1
    await bot.settled()
    return (await bot.fake.wait_calls("chat.postMessage", before + 1, channel=TEAM_CHANNEL))[-1]


async def click_item(bot: BotClient, card: Call, element: dict[str, Any], user_id: str = TECH_1) -> None:
    channel, ts = card_ref(card)
    updates = len(bot.fake.find("chat.update", channel=channel, ts=ts))
    body = sr.block_action(
        element["action_id"],
        element.get("value", ""),
        user_id=user_id,
        channel=channel,
        message_ts=ts,
        response_url=bot.fake.response_url(f"item-{len(bot.fake.calls)}"),
        element=element,
    )
    assert (await bot.post(body)).status == 200
    await bot.fake.wait_calls("chat.update", updates + 1, channel=channel, ts=ts)


def item(shown: dict[str, Any], index: int) -> dict[str, Any]:
    return next(b for b in shown["blocks"] if b.get("block_id") == f"checklist:{index}")


def choose(accessory: dict[str, Any], label: str) -> dict[str, Any]:
    picked = next(o for o in accessory["options"] if o["text"]["text"] == label)
    return {"type": "overflow", "action_id": accessory["action_id"], "selected_option": picked}


async def test_a_manager_plans_a_schedule_and_the_scheduler_posts_its_card(bot: BotClient, clock: FrozenClock) -> None:
    await create_schedule(bot)
    confirmation = bot.fake.find("chat.postMessage", channel=MANAGER)[-1].params["text"]
    assert confirmation == ":calendar: Created *PM-1 · Inspect boiler*: next due Mon 2 Mar 2026."
    card = await generated_card(bot)
    shown = str(card.params["blocks"])
    assert "WO-1 · Inspect boiler" in shown and "PM-1 · est. 45 min" in shown
    assert "Checklist* · 0 of 3 done" in shown and "Enter reading" in shown
    assert "Preventive maintenance from PM-1 (every week), due Mon 2 Mar 2026." in shown
    assert not bot.fake.find("chat.postMessage", channel="wrench")  # nobody to DM for preventive work
    assert await jobs.generate_pm(bot.running.deps) == 0  # one open at a time
    await bot.settled()

    # technicians work the checklist on the card
    await click_item(bot, card, choose(item(latest_card(bot, card), 0)["accessory"], "Done"))
    await click_item(bot, card, choose(item(latest_card(bot, card), 1)["accessory"], "Fail"))
    reading_button = item(latest_card(bot, card), 2)["accessory"]
    opened = len(bot.fake.find("views.open"))
    channel, ts = card_ref(card)
    body = sr.block_action(
        Action.CHECKLIST_READING,
        reading_button["value"],
        user_id=TECH_1,
        channel=channel,
        message_ts=ts,
        response_url=bot.fake.response_url("reading"),
    )
    assert (await bot.post(body)).status == 200
    reading_form = (await bot.fake.wait_calls("views.open", opened + 1))[-1].params["view"]
    assert await bot.submit(reading_form, {"reading": sr.number_value("lots")}, user_id=TECH_1) == (
        200,
        {"response_action": "errors", "errors": {"reading": "Enter a number."}},
    )
    updates = len(bot.fake.find("chat.update", channel=channel, ts=ts))
    assert await bot.submit(reading_form, {"reading": sr.number_value("2.4")}, user_id=TECH_1) == (200, None)
    await bot.fake.wait_calls("chat.update", updates + 1, channel=channel, ts=ts)
    shown = latest_card(bot, card)
    text = str(shown["blocks"])
    assert "Checklist* · 3 of 3 done" in text and "*2.4 bar* (1 to 2)" in text
    # the card is redrawn before its thread line is written: wait for the third line
    posted = await bot.fake.wait_calls("chat.postMessage", 3, channel=channel, thread_ts=ts)
    thread = [c.params["text"] for c in posted]
    assert f"<@{TECH_1}> marked “Burner flame” fail." in thread
    assert f"<@{TECH_1}> recorded 2.4 bar for “Pressure”: fail." in thread

    # two failed items: one click each opens a follow-up for the same team and asset
    follow_ups = [b["elements"][0] for b in shown["blocks"] if b.get("block_id", "").startswith("follow_ups:")]
    assert [b["text"]["text"] for b in follow_ups] == ["Open follow-up: Burner flame", "Open follow-up: Pressure"]
    before = len(bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL))
    await click_item(bot, card, {**follow_ups[1], "type": "button"})
    await bot.settled()
    posted = bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL)
    new_card = next(c for c in posted[before:] if "thread_ts" not in c.params)
    assert "WO-2 · Follow-up: Pressure" in str(new_card.params["blocks"])
    assert "“Pressure” failed (reading 2.4 bar) on WO-1 (Inspect boiler)." in str(new_card.params["blocks"])
    after = str(latest_card(bot, card)["blocks"])
    assert "follow-up WO-2" in after and "Open follow-up: Pressure" not in after


async def test_bad_schedule_input_is_shown_in_the_form_and_only_managers_plan(bot: BotClient) -> None:
    view = await open_pm_form(bot)
    status, body = await bot.submit(
        view,
        form_values(title=sr.text_value(""), checklist=sr.text_value("Fine\nOdd [sometimes]")),
        user_id=MANAGER,
    )
    assert status == 200 and body is not None
    assert body["errors"]["title"] == "This is required."
    assert body["errors"]["checklist"].startswith("Checklist line 2 (“Odd [sometimes]”)")
    status, body = await bot.submit(
        view, form_values(repeat=sr.select_value("cron"), meter_every=sr.number_value("100")), user_id=MANAGER
    )
    assert body == {
        "response_action": "errors",
        "errors": {
            "cron": "Write the cron expression, like `0 6 * * 1` for every Monday.",
            "meter": "Name the meter (like hours) that these units count on.",
        },
    }
    status, body = await bot.submit(
        view, form_values(repeat=sr.select_value("cron"), cron=sr.text_value("every day")), user_id=MANAGER
    )
    assert body is not None and "not a cron expression" in body["errors"]["cron"]

    response, key = await bot.command("/wo", "pm new", user_id=TECH_1)
    assert response.status == 200
    replies = await bot.replies_to(key)
    assert replies[0]["text"] == "Only team managers and admins can plan preventive maintenance."


async def test_list_pause_resume_edit_and_delete_from_slack(bot: BotClient, clock: FrozenClock) -> None:
    await create_schedule(bot, starts_on=sr.date_value("2026-03-09"))
    _, key = await bot.command("/wo", "pm", user_id=MANAGER)
    listed = (await bot.replies_to(key))[0]
    row = next(b for b in listed["blocks"] if "PM-1 · Inspect boiler" in b.get("text", {}).get("text", ""))
    assert "Facilities · every week · next due Mon 9 Mar 2026 · :large_green_circle: active" in row["text"]["text"]

    menu_key = "pm-menu"
    pause = choose(row["accessory"], "Pause")
    body = sr.block_action(
        Action.PM_MENU,
        "",
        user_id=MANAGER,
        channel="C0GENERAL",
        message_ts="1.1",
        response_url=bot.fake.response_url(menu_key),
        element=pause,
    )
    assert (await bot.post(body)).status == 200
    assert (await bot.replies_to(menu_key))[0]["text"].startswith(":double_vertical_bar: Paused PM-1")
    clock.advance(days=7)
    assert await jobs.generate_pm(bot.running.deps) == 0
    await bot.settled()

    _, key = await bot.command("/wo", "pm resume 1", user_id=MANAGER)
    assert (await bot.replies_to(key))[0]["text"] == (
        ":arrow_forward: Resumed PM-1 · Inspect boiler: next due Mon 9 Mar 2026."
    )
    _, key = await bot.command("/wo", "pm pause 1", user_id=TECH_1)
    assert (await bot.replies_to(key))[0]["text"] == "Only Facilities managers and admins can change PM-1."

    edit = await open_pm_form(bot, "pm edit 1")
    shown = {b["block_id"]: b["element"] for b in edit["blocks"] if b["type"] == "input"}
    assert shown["title"]["initial_value"] == "Inspect boiler"
    assert shown["checklist"]["initial_value"] == CHECKLIST
    assert shown["priority"]["initial_option"]["value"] == "high"
    told = len(bot.fake.find("chat.postMessage", channel=MANAGER))
    values = form_values(title=sr.text_value("Boiler check"), repeat=sr.select_value("months"))
    assert await bot.submit(edit, values, user_id=MANAGER) == (200, None)
    await bot.fake.wait_calls("chat.postMessage", told + 1, channel=MANAGER)
    assert bot.fake.find("chat.postMessage", channel=MANAGER)[-1].params["text"] == (
        ":calendar: Updated *PM-1 · Boiler check*: next due Thu 2 Apr 2026."
    )
    # a second submission of the same (now old) form is refused instead of undoing the first
    _, body = await bot.submit(edit, values, user_id=MANAGER)
    assert body is not None and "changed by someone else" in body["errors"]["title"]

    _, key = await bot.command("/wo", "pm delete 1", user_id=MANAGER)
    prompt = (await bot.replies_to(key))[0]
    button = prompt["blocks"][0]["accessory"]
    assert button["confirm"]["confirm"]["text"] == "Delete"
    body = sr.block_action(
        Action.PM_DELETE,
        button["value"],
        user_id=MANAGER,
        channel="C0GENERAL",
        message_ts="1.2",
        response_url=bot.fake.response_url("deleted"),
    )
    assert (await bot.post(body)).status == 200
    assert (await bot.replies_to("deleted"))[0]["text"] == (
        ":wastebasket: Deleted PM-1 · Boiler check. Work it created stays."
    )
    _, key = await bot.command("/wo", "pm list", user_id=MANAGER)
    assert "No PM schedules yet" in str((await bot.replies_to(key))[0]["blocks"])


async def test_a_meter_reading_triggers_usage_based_service(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    asset_id = await db.run(partial(places.add_asset, tag="CMP-2", name="Compressor", location=None, now=clock()))
    await create_schedule(
        bot,
        repeat=sr.select_value("meter"),
        meter=sr.text_value("Hours"),
        meter_every=sr.number_value("500"),
        asset=sr.select_value(f"asset:{asset_id}", kind="external_select"),
        checklist=sr.text_value(None),
    )
    _, key = await bot.command("/wo", "meter cmp-2 1000", user_id=TECH_1)
    assert (await bot.replies_to(key))[0]["text"] == "Recorded hours = 1000 for CMP-2 · Compressor."
    before = len(bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL))
    _, key = await bot.command("/wo", "meter CMP-2 1,500 hours", user_id=TECH_1)
    assert (await bot.replies_to(key))[0]["text"] == (
        "Recorded hours = 1500 for CMP-2 · Compressor (was 1000). Due now: WO-1 Inspect boiler."
    )
    card = (await bot.fake.wait_calls("chat.postMessage", before + 1, channel=TEAM_CHANNEL))[-1]
    assert "hours reading 1500" in str(card.params["blocks"]) and "CMP-2 · Compressor" in str(card.params["blocks"])
    _, key = await bot.command("/wo", "meter NOPE 5", user_id=TECH_1)
    assert (await bot.replies_to(key))[0]["text"] == "There is no asset tagged “NOPE”."
    _, key = await bot.command("/wo", "meter CMP-2 many", user_id=TECH_1)
    assert (await bot.replies_to(key))[0]["text"] == "“many” is not a number."


async def test_an_ignored_schedule_pauses_itself_and_tells_its_team(bot: BotClient, clock: FrozenClock) -> None:
    await create_schedule(
        bot,
        repeat=sr.select_value("days"),
        one_open={"type": "checkboxes", "selected_options": [{"value": "on_time"}]},
        checklist=sr.text_value(None),
    )
    for _ in range(5):
        assert await jobs.generate_pm(bot.running.deps) == 1
        await bot.settled()
        clock.advance(days=1)
    before = len(bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL))
    assert await jobs.generate_pm(bot.running.deps) == 0
    await bot.settled()
    notice = (await bot.fake.wait_calls("chat.postMessage", before + 1, channel=TEAM_CHANNEL))[-1]
    assert "*PM-1 · Inspect boiler* paused itself: nobody touched its last 5 work orders" in notice.params["text"]


async def test_pm_due_while_the_bot_was_down_is_created_once_at_start(
    database_url: str, fake_slack: FakeSlack, org: Organisation, clock: FrozenClock
) -> None:
    db = Database(database_url)
    try:
        data = ScheduleInput(title="Test alarms", team="facilities", starts_on=date(2026, 2, 2), repeat=Repeat.WEEKS)
        await db.run(
            partial(pm_schedules.create, org=org, now=clock() - timedelta(days=28), user_id=MANAGER, data=data)
        )
    finally:
        await db.dispose()
    # down since 2 Feb: four Mondays went by; the catch-up run at start makes one work order for today
    async with started_bot(database_url, fake_slack, org, clock=clock) as bot:
        card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
        assert "due Mon 2 Mar 2026. 4 missed dates were skipped." in str(card.params["blocks"])
        assert await jobs.generate_pm(bot.running.deps) == 0
        await bot.settled()
    assert len(fake_slack.find("chat.postMessage", channel=TEAM_CHANNEL)) == 1
