"""Ways in: custom form fields per category, location and asset pickers, photos, the message and
global shortcuts, emoji intake, and approvals."""

import json
from typing import Any

from sqlalchemy import select

from blocks.ids import Action
from models.db import Database
from models.tables import ServiceRequest, WorkOrder
from services.inventory import places
from tests.conftest import FrozenClock
from tests.e2e.flow import open_request_modal, request_values
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.org import MANAGER, OUTSIDER, STAFF, TEAM_CHANNEL, TECH_1, TECH_2


async def work_orders(db: Database) -> list[WorkOrder]:
    async with db.unit_of_work() as session:
        return list((await session.execute(select(WorkOrder).order_by(WorkOrder.id))).scalars())


async def choose_category(bot: BotClient, view: dict[str, Any], category: str) -> dict[str, Any]:
    """Pick a category in the open request form; returns the form as Slack redrew it."""
    before = len(bot.fake.find("views.update"))
    state = sr.select_value(category)
    typed = {"title": sr.text_value("leaking pipe in 204")}
    status, _ = await bot.send(
        sr.view_action(view, Action.REQUEST_CATEGORY, "category", state, user_id=STAFF, typed=typed)
    )
    assert status == 200
    update = (await bot.fake.wait_calls("views.update", before + 1))[-1]
    assert (update.params["view_id"], update.params["hash"]) == ("V0OPENFORM", "1700000000.form")
    return update.params["view"]


HVAC = {
    "cf_floor": sr.number_value("3"),
    "cf_kind": sr.select_value("Too hot"),
    "cf_noticed": sr.date_value("2026-03-01"),
    "cf_contact": sr.user_value(TECH_2),
    "cf_safe": sr.checkbox_value(True),
}


async def test_a_category_brings_its_own_fields_which_are_checked_and_stored(bot: BotClient, db: Database) -> None:
    view = await open_request_modal(bot)
    assert not [b for b in view["blocks"] if b.get("block_id", "").startswith("cf_")]
    form = await choose_category(bot, view, "hvac")
    fields = [b["block_id"] for b in form["blocks"] if b.get("block_id", "").startswith("cf_")]
    assert fields == ["cf_floor", "cf_kind", "cf_noticed", "cf_contact", "cf_safe"]
    title = next(b for b in form["blocks"] if b.get("block_id") == "title")
    assert title["element"]["initial_value"] == "leaking pipe in 204"  # what was typed stays

    values = request_values(category="hvac")
    status, body = await bot.submit(form, {**values, **HVAC, "cf_floor": sr.number_value("99")}, user_id=STAFF)
    assert (status, body) == (200, {"response_action": "errors", "errors": {"cf_floor": "Enter 40 or less."}})
    status, body = await bot.submit(form, {**values, "cf_kind": sr.select_value("Too hot")}, user_id=STAFF)
    assert body == {"response_action": "errors", "errors": {"cf_floor": "This is required."}}
    assert await work_orders(db) == []

    status, body = await bot.submit(form, {**values, **HVAC}, user_id=STAFF)
    assert (status, body) == (200, None)
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
    shown = str(card.params["blocks"])
    assert (
        "*Floor:* 3" in shown and "*What is wrong:* Too hot" in shown and f"*Who to ask on site:* <@{TECH_2}>" in shown
    )
    (stored,) = await work_orders(db)
    assert stored.custom_fields == {
        "floor": 3,
        "kind": "Too hot",
        "noticed": "2026-03-01",
        "contact": TECH_2,
        "safe": True,
    }


async def test_location_and_asset_pickers_serve_the_database(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    async with db.unit_of_work() as session:
        room = await places.add_location(session, "Main site / Building A / Room 204", now=clock())
        await places.add_location(session, "Main site / Building B / Room 12", now=clock())
        pump = await places.add_asset(
            session, tag="PUMP-7", name="Booster pump", location="Main site / Plant room", now=clock()
        )

    status, answer = await bot.send(sr.options_request(Action.PICK_LOCATION, "room 204", user_id=STAFF))
    assert status == 200
    assert [(o["text"]["text"], o["value"]) for o in answer["options"]] == [
        ("Main site / Building A / Room 204", f"loc:{room}"),
        ("Use “room 204”", "text:room 204"),
    ]
    _, answer = await bot.send(sr.options_request(Action.PICK_ASSET, "booster", user_id=STAFF))
    assert [(o["text"]["text"], o["value"]) for o in answer["options"]] == [("PUMP-7 · Booster pump", f"asset:{pump}")]

    view = await open_request_modal(bot)
    values = {
        **request_values(),
        "location": sr.select_value(f"loc:{room}", kind="external_select"),
        "asset": sr.select_value(f"asset:{pump}", kind="external_select"),
        "files": sr.files_value("leak.jpg"),
    }
    assert await bot.submit(view, values, user_id=STAFF) == (200, None)
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
    facts = " ".join(f["text"] for f in card.params["blocks"][1]["fields"])
    assert "*Location*\nMain site / Building A / Room 204" in facts and "*Asset*\nPUMP-7 · Booster pump" in facts
    assert "<https://test.slack.com/files/U0/F1/leak.jpg|leak.jpg>" in str(card.params["blocks"])
    (stored,) = await work_orders(db)
    assert (stored.location_id, stored.asset_id, stored.attachments[0]["stage"]) == (room, pump, "request")

    _, key = await bot.command("/wo", "search pump-7", user_id=STAFF)
    assert "WO-1" in str((await bot.replies_to(key))[0]["blocks"])


async def test_message_shortcut_files_the_message_and_links_both_ways(bot: BotClient, db: Database) -> None:
    message = {
        "type": "message",
        "ts": "1699999999.000100",
        "user": TECH_2,
        "text": "Boiler is banging\nsince 7am, floor 2",
    }
    body = sr.message_shortcut(
        user_id=STAFF, channel="C0GENERAL", message=message, response_url=bot.fake.response_url("s")
    )
    assert (await bot.post(body)).status == 200
    view = (await bot.fake.wait_calls("views.open", 1))[0].params["view"]
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")["element"]["initial_value"]
    description = next(b for b in view["blocks"] if b.get("block_id") == "description")["element"]["initial_value"]
    assert (title, description) == ("Boiler is banging", message["text"])
    assert json.loads(view["private_metadata"])["source"] == {
        "channel": "C0GENERAL",
        "ts": message["ts"],
        "user": TECH_2,
    }

    values = request_values(title="Boiler is banging", description=message["text"])
    assert await bot.submit(view, values, user_id=STAFF) == (200, None)
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
    assert "from <https://test.slack.com/archives/C0GENERAL/p1699999999000100|a message>" in str(card.params["blocks"])
    reply = (await bot.fake.wait_calls("chat.postMessage", 1, channel="C0GENERAL", thread_ts=message["ts"]))[0]
    assert reply.params["text"].startswith(":ticket: Filed as *WO-1 · Boiler is banging*")


async def test_global_shortcut_and_home_button_open_the_form(bot: BotClient) -> None:
    assert (await bot.post(sr.global_shortcut(user_id=STAFF))).status == 200
    assert (await bot.post(sr.home_action(Action.HOME_NEW_REQUEST, "new", user_id=STAFF))).status == 200
    opened = await bot.fake.wait_calls("views.open", 2)
    assert {call.params["view"]["callback_id"] for call in opened} == {"request_modal"}


def reaction(user: str, *, emoji: str = "ticket", ts: str = "1699999999.000200") -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": emoji,
        "item": {"type": "message", "channel": "C0LOBBY", "ts": ts},
        "item_user": STAFF,
        "event_ts": "1700000001.000001",
    }


async def test_a_ticket_reaction_files_the_message_once(bot: BotClient, db: Database) -> None:
    bot.fake.seed_message("C0LOBBY", "1699999999.000200", "Door to the loading bay sticks\nneeds oil", user=STAFF)
    assert await bot.event(reaction(TECH_1, emoji="thumbsup")) == 200
    assert await bot.event(reaction(TECH_1), event_id="EvFIRST") == 200
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
    assert card.params["text"].startswith("WO-1 Door to the loading bay sticks: Open")
    reply = (await bot.fake.wait_calls("chat.postMessage", 1, channel="C0LOBBY", thread_ts="1699999999.000200"))[0]
    assert reply.params["text"].startswith(":ticket: Filed as *WO-1")

    assert await bot.event(reaction(TECH_1), event_id="EvFIRST") == 200  # Slack's retry
    assert await bot.event(reaction(TECH_2)) == 200  # a second person reacting
    await bot.fake.wait_calls("chat.postMessage", 1, channel=STAFF)
    (stored,) = await work_orders(db)
    assert (stored.requester_id, stored.category, stored.description) == (
        STAFF,
        "plumbing",
        "Door to the loading bay sticks\nneeds oil",
    )
    assert len(bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL)) == 1


async def approval_request(bot: BotClient, title: str) -> dict[str, Any]:
    view = await open_request_modal(bot)
    before = len(bot.fake.find("chat.postMessage", channel=MANAGER))
    assert await bot.submit(view, request_values(title=title, category="keys"), user_id=STAFF) == (200, None)
    return (await bot.fake.wait_calls("chat.postMessage", before + 1, channel=MANAGER))[-1]


async def click_dm(bot: BotClient, dm: Any, action_id: str, user_id: str) -> str:
    key = f"dm-{action_id}-{user_id}-{len(bot.fake.calls)}"
    value = dm.params["blocks"][-1]["elements"][0]["value"]
    body = sr.block_action(
        action_id,
        value,
        user_id=user_id,
        channel=dm.answer["channel"],
        message_ts=dm.answer["ts"],
        response_url=bot.fake.response_url(key),
    )
    assert (await bot.post(body)).status == 200
    return key


async def test_approval_gates_the_team_until_a_manager_approves(bot: BotClient, db: Database) -> None:
    dm = await approval_request(bot, "Key for room 12")
    assert {e["action_id"] for e in dm.params["blocks"][-1]["elements"]} == {Action.APPROVE, Action.REJECT}
    waiting = (await bot.fake.wait_calls("chat.postMessage", 1, channel=STAFF))[0].params["text"]
    assert "is waiting for approval by <@U0MANAGER>" in waiting
    assert not bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL) and await work_orders(db) == []

    key = await click_dm(bot, dm, Action.APPROVE, OUTSIDER)
    assert (await bot.replies_to(key))[0][
        "text"
    ] == "Only the approvers of Keys and access requests can decide on this."

    await click_dm(bot, dm, Action.APPROVE, MANAGER)
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
    assert card.params["text"].startswith("WO-1 Key for room 12: Open, low priority")
    decided = (await bot.fake.wait_calls("chat.update", 1, channel=dm.answer["channel"]))[0]
    assert "Approved by <@U0MANAGER>" in str(decided.params["blocks"]) and "actions" not in str(
        decided.params["blocks"]
    )
    (stored,) = await work_orders(db)
    assert stored.requester_id == STAFF

    key = await click_dm(bot, dm, Action.APPROVE, MANAGER)  # a second click on the old message
    assert (await bot.replies_to(key))[0]["text"] == "REQ-1 was already approved by <@U0MANAGER>."
    assert len(await work_orders(db)) == 1


async def test_rejection_asks_why_and_tells_the_requester(bot: BotClient, db: Database) -> None:
    dm = await approval_request(bot, "Master key")
    await click_dm(bot, dm, Action.REJECT, MANAGER)
    form = (await bot.fake.wait_calls("views.open", 2))[-1].params["view"]
    assert form["callback_id"] == "reject_modal"
    assert await bot.submit(form, {"reason": sr.text_value("  ")}, user_id=MANAGER) == (
        200,
        {"response_action": "errors", "errors": {"reason": "This is required."}},
    )
    assert await bot.submit(form, {"reason": sr.text_value("Master keys need a director")}, user_id=MANAGER) == (
        200,
        None,
    )
    told = (await bot.fake.wait_calls("chat.postMessage", 2, channel=STAFF))[-1].params["text"]
    assert told == ":x: Your request *REQ-1 · Master key* was not approved by <@U0MANAGER>: Master keys need a director"
    async with db.unit_of_work() as session:
        request = (await session.execute(select(ServiceRequest))).scalar_one()
    assert (request.status, request.decided_by, request.rejection_reason) == (
        "rejected",
        MANAGER,
        "Master keys need a director",
    )
    assert await work_orders(db) == [] and not bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL)


async def test_a_ticket_reaction_in_a_dm_or_a_group_dm_is_ignored(bot: BotClient, db: Database) -> None:
    """Emoji intake is for channels (docs/decisions.md): a DM is not even read, and a group DM cannot be
    (the manifest has no im:history or mpim:history; Slack refuses to read one without it)."""
    dm, group_dm, ts = "D0STAFFDM", "G0GROUPDM", "1699999999.000300"
    bot.fake.seed_message(dm, ts, "Printer jammed again", user=STAFF)
    bot.fake.seed_message(group_dm, ts, "Printer jammed again", user=STAFF)
    bot.fake.fail("conversations.history", "missing_scope")  # what Slack answers for a group DM
    bot.fake.fail("conversations.replies", "missing_scope")
    for channel in (dm, group_dm):
        event = {**reaction(TECH_1, ts=ts), "item": {"type": "message", "channel": channel, "ts": ts}}
        assert await bot.event(event) == 200
    await bot.settled()
    assert not bot.fake.find("conversations.history", channel=dm) and not bot.fake.find(
        "conversations.replies", channel=dm
    )
    assert bot.fake.find("conversations.history", channel=group_dm)  # tried, refused
    assert await work_orders(db) == [] and not bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL)
    assert not bot.fake.find("chat.postMessage", channel=TECH_1)  # nobody is told of a failure: nothing failed
