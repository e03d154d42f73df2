"""Working a card through Slack: assign, hold and resume, notes, time, parts, re-planning, cancel,
complete with a photo, and the requester's confirm or reopen (or the auto-close)."""

from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, select

from blocks.ids import Action, MoreOption
from models.db import Database
from models.tables import LaborEntry, WorkOrder, WorkOrderEvent
from scheduler import jobs
from services.inventory import parts
from tests.conftest import FrozenClock
from tests.e2e.flow import card_ref, click_card, file_request, latest_card, open_card_form, thread_lines
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.fake_slack import Call
from tests.support.org import MANAGER, OUTSIDER, STAFF, TEAM_CHANNEL, TECH_1, TECH_2


async def stored(db: Database) -> WorkOrder:
    async with db.unit_of_work() as session:
        return (await session.execute(select(WorkOrder))).scalar_one()


async def kinds(db: Database) -> list[str]:
    async with db.unit_of_work() as session:
        return list((await session.execute(select(WorkOrderEvent.kind).order_by(WorkOrderEvent.id))).scalars())


async def updated(bot: BotClient, card: Call, count: int) -> dict[str, Any]:
    _, ts = card_ref(card)
    return (await bot.fake.wait_calls("chat.update", count, ts=ts))[-1].params


async def submit(bot: BotClient, form: dict[str, Any], values: dict[str, Any], user_id: str) -> Any:
    status, body = await bot.submit(form, values, user_id=user_id)
    assert status == 200
    return body


async def test_assign_picker_gives_work_to_a_team_member_who_is_told(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    await click_card(bot, card, Action.ASSIGN, TECH_1, element={"type": "users_select", "selected_user": TECH_2})
    card_now = await updated(bot, card, 1)
    assert f"held by <@{TECH_2}>" in card_now["text"]
    assert (await thread_lines(bot, card, 1))[-1] == f"<@{TECH_1}> assigned this to <@{TECH_2}>."
    told = await bot.fake.wait_calls("chat.postMessage", 1, channel=TECH_2)
    assert f"<@{TECH_1}> assigned *WO-1" in told[0].params["text"]

    # a colleague may not take it away; an outsider may not assign; nobody outside the team is assignable
    key = await click_card(bot, card, Action.ASSIGN, TECH_1, element={"type": "users_select", "selected_user": TECH_1})
    assert (await bot.replies_to(key))[0]["text"] == f"<@{TECH_2}> holds this work order; ask them or a manager."
    key = await click_card(
        bot, card, Action.ASSIGN, OUTSIDER, element={"type": "users_select", "selected_user": TECH_1}
    )
    assert (await bot.replies_to(key))[0]["text"].startswith("Only Facilities technicians and managers can assign")
    key = await click_card(bot, card, Action.ASSIGN, MANAGER, element={"type": "users_select", "selected_user": STAFF})
    assert (await bot.replies_to(key))[0]["text"] == f"<@{STAFF}> is not on the Facilities team."
    assert (await stored(db)).assignee_id == TECH_2

    await click_card(bot, card, Action.UNASSIGN, MANAGER)
    card_now = await updated(bot, card, 2)
    assert "unclaimed" in card_now["text"]
    assert (await thread_lines(bot, card, 2))[-1] == f"<@{MANAGER}> took this off <@{TECH_2}>; it is back in the queue."
    assert await kinds(db) == ["created", "assigned", "unassigned"]


async def test_hold_with_a_reason_then_resume(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    form = await open_card_form(bot, card, Action.HOLD, TECH_1)
    assert form["callback_id"] == "hold_modal"
    body = await submit(bot, form, {"reason": sr.select_value("other")}, TECH_1)
    assert body == {"response_action": "errors", "errors": {"note": "Say what the work is waiting for."}}

    body = await submit(
        bot, form, {"reason": sr.select_value("parts"), "note": sr.text_value("valve on order")}, TECH_1
    )
    assert body is None
    card_now = await updated(bot, card, 1)
    assert "On hold" in card_now["text"] and f"held by <@{TECH_1}>" in card_now["text"]
    assert "*Waiting for parts* — valve on order" in str(card_now["blocks"])
    dms = await bot.fake.wait_calls("chat.postMessage", 2, channel=STAFF)  # filed, on hold (not also "claimed")
    assert "is on hold: Waiting for parts — valve on order." in dms[-1].params["text"]
    assert (await thread_lines(bot, card, 2))[
        -1
    ] == f"<@{TECH_1}> put this on hold: Waiting for parts — valve on order."

    await click_card(bot, card, Action.RESUME, TECH_1)
    card_now = await updated(bot, card, 2)
    assert "In progress" in card_now["text"] and "Waiting for parts" not in str(card_now["blocks"])
    wo = await stored(db)
    assert (wo.status, wo.hold_reason, wo.status_note) == ("in_progress", None, None)


async def test_notes_time_and_parts_from_the_menu(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    await db.run(
        partial(parts.add_part, now=clock(), actor_id="cli", sku="WSH-8", name="Washer M8", on_hand=3, reorder_point=2)
    )
    card = await file_request(bot)
    await click_card(bot, card, Action.CLAIM, TECH_1)
    await updated(bot, card, 1)

    note = await open_card_form(bot, card, Action.MORE, TECH_1, type="overflow", option=MoreOption.NOTE)
    assert await submit(bot, note, {"note": sr.text_value("Shut the valve <first>")}, TECH_1) is None
    time = await open_card_form(bot, card, Action.MORE, TECH_1, type="overflow", option=MoreOption.TIME)
    assert next(b for b in time["blocks"] if b.get("block_id") == "worker")["element"]["initial_user"] == TECH_1
    body = await submit(bot, time, {"minutes": sr.number_value("0"), "worker": sr.user_value(TECH_1)}, TECH_1)
    assert body == {"response_action": "errors", "errors": {"minutes": "Enter 1 or more."}}
    assert await submit(bot, time, {"minutes": sr.number_value("40"), "worker": sr.user_value(TECH_2)}, TECH_1) is None
    status, offered = await bot.send(sr.options_request(Action.PICK_PART, "washer", user_id=TECH_1))
    assert status == 200 and [o["value"] for o in offered["options"]] == ["part:1"]
    assert offered["options"][0]["text"]["text"] == "WSH-8 · Washer M8 (3 each)"
    form = await open_card_form(bot, card, Action.MORE, TECH_1, type="overflow", option=MoreOption.PARTS)
    used = {"part": sr.select_value("part:1", kind="external_select"), "quantity": sr.number_value("2")}
    assert await submit(bot, form, used, TECH_1) is None
    too_many = await submit(bot, form, used, TECH_1)  # nothing recorded: the purchase request form is offered
    assert (too_many["response_action"], too_many["view"]["callback_id"]) == ("push", "purchase_modal")
    assert too_many["view"]["blocks"][0]["elements"][0]["text"] == (
        ":warning: Only 1 each of WSH-8 in stock. Record what you took; a manager can tick the override if the "
        "count is wrong. Nothing was recorded: ask to order it here, or close this form to go back to Use parts."
    )

    lines = await thread_lines(bot, card, 4)
    assert lines[1:] == [
        f"<@{TECH_1}> noted: Shut the valve &lt;first&gt;",
        f"<@{TECH_1}> logged 40 min for <@{TECH_2}>.",
        f"<@{TECH_1}> used 2 each of WSH-8 Washer M8.",
    ]
    await bot.settled()  # the alert follows the thread line
    alerts = [
        c.params["text"]
        for c in bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL)
        if "Low stock" in c.params["text"]
    ]
    assert alerts == [":warning: *Low stock:* WSH-8 Washer M8 — 1 each left (reorder point 2)."]
    assert len(bot.fake.find("chat.update")) == 1  # notes, time and parts leave the card as it is
    async with db.unit_of_work() as session:
        labor = (
            await session.execute(select(LaborEntry.user_id, func.sum(LaborEntry.minutes)).group_by(LaborEntry.user_id))
        ).all()
    assert labor == [(TECH_2, 40)]
    assert await kinds(db) == ["created", "assigned", "note_added", "labor_logged", "parts_used"]


async def test_managers_replan_priority_and_due_date(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    card = await file_request(bot)  # plumbing: medium, resolve in 3 days
    key = await click_card(bot, card, Action.MANAGE, TECH_1, element={"type": "overflow", "option": MoreOption.PLAN})
    assert (await bot.replies_to(key))[0]["text"].startswith("Only Facilities managers can change the priority")

    form = await open_card_form(bot, card, Action.MANAGE, MANAGER, type="overflow", option=MoreOption.PLAN)
    shown_due = next(b for b in form["blocks"] if b.get("block_id") == "due")["element"]["initial_date_time"]
    # Slack sends the pre-filled due time back with the new priority: that is no due-date change
    values = {"priority": sr.select_value("urgent"), "due": sr.datetime_value(shown_due)}
    assert await submit(bot, form, values, MANAGER) is None
    wo = await stored(db)
    assert (wo.priority, wo.resolution_due_at) == ("urgent", clock() + timedelta(hours=4))
    assert (await thread_lines(bot, card, 1))[-1] == f"<@{MANAGER}> changed the priority from Medium to Urgent."

    form = await open_card_form(bot, card, Action.MANAGE, MANAGER, type="overflow", option=MoreOption.PLAN)
    friday = int((clock() + timedelta(days=4)).timestamp())
    assert await submit(bot, form, {"due": sr.datetime_value(friday)}, MANAGER) is None
    assert int((await stored(db)).resolution_due_at.timestamp()) == friday
    form = await open_card_form(bot, card, Action.MANAGE, MANAGER, type="overflow", option=MoreOption.PLAN)
    before = int((clock() - timedelta(days=1)).timestamp())
    body = await submit(bot, form, {"due": sr.datetime_value(before)}, MANAGER)
    assert body == {
        "response_action": "errors",
        "errors": {"due": "The due date must be after the work order was filed."},
    }


async def test_requester_cancels_while_open_but_not_once_started(bot: BotClient, db: Database) -> None:
    first = await file_request(bot)
    form = await open_card_form(bot, first, Action.MANAGE, STAFF, type="overflow", option=MoreOption.CANCEL)
    assert await submit(bot, form, {"reason": sr.text_value("Fixed it myself")}, STAFF) is None
    card_now = await updated(bot, first, 1)
    assert "Cancelled" in card_now["text"] and "Fixed it myself" in str(card_now["blocks"])

    second = await file_request(bot, title="Broken tap")
    await click_card(bot, second, Action.START, TECH_1)
    await updated(bot, second, 1)
    key = await click_card(bot, second, Action.MANAGE, STAFF, element={"type": "overflow", "option": MoreOption.CANCEL})
    assert (await bot.replies_to(key))[0]["text"] == (
        "Only the requester (while it is open) and Facilities managers can cancel this work order."
    )
    form = await open_card_form(bot, second, Action.MANAGE, MANAGER, type="overflow", option=MoreOption.CANCEL)
    assert await submit(bot, form, {"reason": sr.text_value("Duplicate of WO-1")}, MANAGER) is None
    told = (await bot.fake.wait_calls("chat.postMessage", 4, channel=STAFF))[-1].params["text"]
    assert f"<@{MANAGER}> cancelled *WO-2 · Broken tap*: Duplicate of WO-1" in told


async def complete(bot: BotClient, card: Call, user_id: str = TECH_1) -> None:
    form = await open_card_form(bot, card, Action.COMPLETE, user_id)
    values = {"resolution": sr.text_value("New washer"), "files": sr.files_value("after.jpg")}
    assert await submit(bot, form, values, user_id) is None


async def test_complete_with_a_photo_then_the_requester_confirms(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    await complete(bot, card)
    card_now = await updated(bot, card, 1)
    assert "<https://test.slack.com/files/U0/F1/after.jpg|after.jpg>" in str(card_now["blocks"])
    done = (await bot.fake.wait_calls("chat.postMessage", 2, channel=STAFF))[-1]  # filed, completed
    dm_channel, dm_ts = done.answer["channel"], done.answer["ts"]

    key = "confirm-1"
    body = sr.block_action(
        Action.CONFIRM,
        "1",
        user_id=STAFF,
        channel=dm_channel,
        message_ts=dm_ts,
        response_url=bot.fake.response_url(key),
    )
    assert (await bot.post(body)).status == 200
    replaced = (await bot.replies_to(key))[0]
    assert replaced["replace_original"] is True and "is closed. Thank you" in replaced["text"]
    wo = await stored(db)
    assert wo.status == "closed" and wo.closed_at is not None
    assert wo.attachments == [
        {
            "id": "F1",
            "name": "after.jpg",
            "permalink": "https://test.slack.com/files/U0/F1/after.jpg",
            "mimetype": "image/jpeg",
            "stage": "completion",
        }
    ]
    assert (await thread_lines(bot, card, 3))[-1] == f"<@{STAFF}> confirmed the work is done; closed."


async def test_reopen_returns_it_to_the_assignee_with_the_reason(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    await click_card(bot, card, Action.CLAIM, TECH_1)
    await updated(bot, card, 1)
    await complete(bot, card)
    done = (await bot.fake.wait_calls("chat.postMessage", 3, channel=STAFF))[-1]
    before = len(bot.fake.find("views.open"))
    body = sr.block_action(
        Action.REOPEN,
        "1",
        user_id=STAFF,
        channel=done.answer["channel"],
        message_ts=done.answer["ts"],
        response_url=bot.fake.response_url("reopen"),
    )
    await bot.post(body)
    form = (await bot.fake.wait_calls("views.open", before + 1))[-1].params["view"]
    assert form["callback_id"] == "reopen_modal"
    assert await submit(bot, form, {"reason": sr.text_value("Still dripping")}, STAFF) is None

    wo = await stored(db)
    assert (wo.status, wo.assignee_id, wo.completed_at, wo.status_note) == ("open", TECH_1, None, "Still dripping")
    told = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TECH_1))[-1].params["text"]
    assert f"<@{STAFF}> reopened *WO-1" in told and "Still dripping. It is still yours." in told
    assert "*Reopened* — Still dripping" in str(latest_card(bot, card)["blocks"])


async def test_unconfirmed_work_closes_itself(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    card = await file_request(bot)
    await complete(bot, card)
    await updated(bot, card, 1)
    clock.advance(days=6, hours=23)
    assert await jobs.close_unconfirmed(bot.running.deps) == 0
    clock.advance(hours=1)
    assert await jobs.close_unconfirmed(bot.running.deps) == 1
    assert (await stored(db)).status == "closed"
    line = (await thread_lines(bot, card, 3))[-1]
    assert line == "Closed automatically: nobody confirmed or reopened it in 7 days."
    assert await jobs.close_unconfirmed(bot.running.deps) == 0


async def test_a_click_on_an_old_card_changes_nothing_and_redraws_it(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    await click_card(bot, card, Action.START, TECH_1)
    await updated(bot, card, 1)
    # TECH_2 still sees the first version of the card and clicks Hold on it
    channel, ts = card_ref(card)
    old_ref = card.params["blocks"][-1]["block_id"].partition(":")[2]
    _, key = await bot.click(Action.HOLD, old_ref, user_id=MANAGER, channel=channel, message_ts=ts)
    reply = (await bot.replies_to(key))[0]["text"]
    assert reply.startswith("WO-1 changed after that card was drawn: it is now in progress, medium priority, held by")
    redrawn = await updated(bot, card, 2)
    assert "In progress" in redrawn["text"]
    assert (await stored(db)).status == "in_progress" and len(bot.fake.find("views.open")) == 1


async def test_a_form_opened_before_a_change_asks_to_be_opened_again(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    form = await open_card_form(bot, card, Action.HOLD, TECH_1)  # drawn at version 1
    await click_card(bot, card, Action.START, TECH_2)  # meanwhile a colleague starts it
    await updated(bot, card, 1)
    body = await submit(bot, form, {"reason": sr.select_value("parts")}, TECH_1)
    assert body["response_action"] == "errors"
    assert body["errors"]["reason"] == (
        f"<@{TECH_2}> holds this work order; ask them or a manager. Close this form and open it again from the card."
    )
    await updated(bot, card, 2)  # and the card was redrawn
    assert (await stored(db)).status == "in_progress"


async def test_several_parts_in_one_form_all_or_nothing(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    for sku, name, on_hand in (("FLT-1", "Filter", 5), ("BLT-2", "Belt", 1)):
        await db.run(partial(parts.add_part, now=clock(), actor_id="cli", sku=sku, name=name, on_hand=on_hand))
    card = await file_request(bot)
    form = await open_card_form(bot, card, Action.MORE, TECH_1, type="overflow", option=MoreOption.PARTS)
    assert [b["block_id"] for b in form["blocks"] if b["type"] == "input"] == [
        "part",
        "quantity",
        "part_2",
        "quantity_2",
        "part_3",
        "quantity_3",
        "override",
    ]

    def row(part: str | None, quantity: str | None, n: int = 1) -> dict[str, Any]:
        suffix = "" if n == 1 else f"_{n}"
        return {
            f"part{suffix}": sr.select_value(part, kind="external_select"),
            f"quantity{suffix}": sr.number_value(quantity),
        }

    missing = await submit(bot, form, row("part:1", "2") | row("part:2", None, 2), TECH_1)
    assert missing == {"response_action": "errors", "errors": {"quantity_2": "Enter the quantity used."}}
    short = await submit(bot, form, row("part:1", "2") | row("part:2", "3", 3), TECH_1)
    assert short["response_action"] == "push"  # the purchase request form, for the part there is too little of
    assert "Only 1 each of BLT-2 in stock." in short["view"]["blocks"][0]["elements"][0]["text"]
    assert short["view"]["blocks"][2]["element"]["initial_option"]["value"] == "part:2"
    assert [p.on_hand for p in await db.run(parts.listing)] == [1, 5]  # the filter row was not kept either

    assert await submit(bot, form, row("part:1", "2") | row("part:2", "1", 2), TECH_1) is None
    assert (await thread_lines(bot, card, 2))[-2:] == [
        f"<@{TECH_1}> used 2 each of FLT-1 Filter.",
        f"<@{TECH_1}> used 1 each of BLT-2 Belt.",
    ]
    assert [p.on_hand for p in await db.run(parts.listing)] == [0, 3]


async def test_other_costs_and_the_cost_shown_on_completion(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    await db.run(
        partial(parts.add_part, now=clock(), actor_id="cli", sku="GSK-2", name="Gasket", unit_cost=12.5, on_hand=10)
    )
    card = await file_request(bot)
    await click_card(bot, card, Action.CLAIM, TECH_1)
    await updated(bot, card, 1)
    form = await open_card_form(bot, card, Action.MORE, TECH_1, type="overflow", option=MoreOption.PARTS)
    used = {"part": sr.select_value("part:1", kind="external_select"), "quantity": sr.number_value("2")}
    assert await submit(bot, form, used, TECH_1) is None
    cost = await open_card_form(bot, card, Action.MORE, TECH_1, type="overflow", option=MoreOption.COST)
    bad = await submit(
        bot, cost, {"description": sr.text_value("Drain jetting"), "amount": sr.number_value("0")}, TECH_1
    )
    assert bad["response_action"] == "errors" and "amount" in bad["errors"]
    fine = {"description": sr.text_value("Drain jetting <contractor>"), "amount": sr.number_value("150")}
    assert await submit(bot, cost, fine, TECH_1) is None
    lines = await thread_lines(bot, card, 3)
    assert lines[-1] == f"<@{TECH_1}> added a cost of 150.00 USD: Drain jetting &lt;contractor&gt;"
    assert "cost 175.00" not in str(latest_card(bot, card)["blocks"])  # shown once the work is done

    done = await open_card_form(bot, card, Action.COMPLETE, TECH_1)
    assert await submit(bot, done, {"resolution": sr.text_value("Cleared and resealed")}, TECH_1) is None
    await updated(bot, card, 2)
    assert "cost 175.00 USD" in str(latest_card(bot, card)["blocks"])  # 2 at 12.50 in parts + 150.00 other
