"""The first complete path, driven through signed HTTP like Slack: request → card → claim → start → complete."""

from sqlalchemy import func, select

from blocks.ids import Action
from models.db import Database
from models.tables import LaborEntry, WorkOrder, WorkOrderEvent
from tests.e2e.flow import card_ref, file_request, open_request_modal
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.org import STAFF, TEAM_CHANNEL, TECH_1


def button_values(blocks: list[dict]) -> dict[str, str]:
    """{action_id: value} of the card's buttons (the Assign picker and the menu carry no value)."""
    actions = next((b for b in blocks if b["type"] == "actions"), {"elements": []})
    return {e["action_id"]: e["value"] for e in actions["elements"] if e["type"] == "button"}


async def test_request_modal_is_prefilled_from_the_command_text(bot: BotClient) -> None:
    view = await open_request_modal(bot, "leaking pipe in 204")
    title = next(b for b in view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "leaking pipe in 204"
    category = next(b for b in view["blocks"] if b["block_id"] == "category")
    assert [o["value"] for o in category["element"]["options"]] == ["plumbing", "electrical", "laptops", "keys", "hvac"]


async def test_submitted_request_posts_a_card_and_tells_the_requester(bot: BotClient, db: Database) -> None:
    card = await file_request(bot, priority="urgent")
    assert card.params["channel"] == TEAM_CHANNEL
    assert card.params["text"].startswith("WO-1 Leaking pipe in 204: Open, urgent priority, unclaimed")
    header = card.params["blocks"][0]["text"]["text"]
    assert header == "WO-1 · Leaking pipe in 204"
    facts = " ".join(f["text"] for f in card.params["blocks"][1]["fields"])
    for expected in ("Open", "Urgent", f"<@{STAFF}>", "Unclaimed", "Building A, room 204", "Plumbing · Facilities"):
        assert expected in facts
    assert "Response due" in facts and "<!date^" in facts
    controls = {Action.CLAIM, Action.START, Action.HOLD, Action.COMPLETE, Action.TIMER}
    assert set(button_values(card.params["blocks"])) == controls

    dm = (await bot.fake.wait_calls("chat.postMessage", channel=STAFF))[0]
    channel, ts = card_ref(card)
    assert "WO-1" in dm.params["text"]
    assert f"https://test.slack.com/archives/{channel}/p{ts.replace('.', '')}" in dm.params["text"]

    async with db.unit_of_work() as session:
        stored = (await session.execute(select(WorkOrder))).scalar_one()
    assert (stored.number, stored.status, stored.priority, stored.requester_id) == (1, "open", "urgent", STAFF)
    assert (stored.card_channel, stored.card_ts) == (channel, ts)
    assert (stored.resolution_due_at - stored.created_at).total_seconds() == 4 * 3600


async def test_claim_start_complete_updates_card_thread_and_requester(bot: BotClient, db: Database) -> None:
    card = await file_request(bot)
    channel, ts = card_ref(card)
    wo_id = button_values(card.params["blocks"])[Action.CLAIM]

    response, _ = await bot.click(Action.CLAIM, wo_id, user_id=TECH_1, channel=channel, message_ts=ts)
    assert response.status == 200
    update = (await bot.fake.wait_calls("chat.update", 1, ts=ts))[-1]
    assert f"held by <@{TECH_1}>" in update.params["text"]
    assert Action.CLAIM not in button_values(update.params["blocks"])
    thread = await bot.fake.wait_calls("chat.postMessage", 1, thread_ts=ts)
    assert thread[-1].params["text"] == f"<@{TECH_1}> claimed this."

    assert button_values(update.params["blocks"])[Action.START] == wo_id.replace(":1", ":2")  # the new version
    await bot.click(Action.START, f"{wo_id[:-2]}:2", user_id=TECH_1, channel=channel, message_ts=ts)
    update = (await bot.fake.wait_calls("chat.update", 2, ts=ts))[-1]
    assert "In progress" in update.params["text"]
    assert set(button_values(update.params["blocks"])) == {Action.HOLD, Action.COMPLETE, Action.UNASSIGN, Action.TIMER}

    version_3 = button_values(update.params["blocks"])[Action.COMPLETE]
    await bot.click(Action.COMPLETE, version_3, user_id=TECH_1, channel=channel, message_ts=ts)
    modal = (await bot.fake.wait_calls("views.open", 2))[-1].params["view"]
    assert modal["callback_id"] == "complete_modal" and modal["private_metadata"] == version_3
    status, body = await bot.submit(
        modal,
        {
            "resolution": sr.text_value("Replaced the trap seal"),
            "cause": sr.text_value("Worn washer"),
            "minutes": sr.number_value("45"),
        },
        user_id=TECH_1,
    )
    assert (status, body) == (200, None)

    update = (await bot.fake.wait_calls("chat.update", 3, ts=ts))[-1]
    assert "Completed" in update.params["text"]
    assert button_values(update.params["blocks"]) == {}
    assert any("Replaced the trap seal" in b.get("text", {}).get("text", "") for b in update.params["blocks"])
    dms = await bot.fake.wait_calls("chat.postMessage", 3, channel=STAFF)
    assert f"<@{TECH_1}> is on your request *WO-1" in dms[1].params["text"]
    assert {e["action_id"] for e in dms[-1].params["blocks"][1]["elements"]} == {Action.CONFIRM, Action.REOPEN}
    assert "was completed by" in dms[-1].params["text"] and "Replaced the trap seal" in dms[-1].params["text"]
    lines = [c.params["text"] for c in await bot.fake.wait_calls("chat.postMessage", 4, thread_ts=ts)]
    assert lines[1:] == [
        f"<@{TECH_1}> started work.",
        f"<@{TECH_1}> logged 45 min.",
        f"<@{TECH_1}> completed this.\n*Resolution:* Replaced the trap seal\n*Cause:* Worn washer",
    ]

    async with db.unit_of_work() as session:
        stored = (await session.execute(select(WorkOrder))).scalar_one()
        kinds = (await session.execute(select(WorkOrderEvent.kind).order_by(WorkOrderEvent.id))).scalars().all()
        minutes = (await session.execute(select(func.sum(LaborEntry.minutes)))).scalar_one()
    assert (stored.status, stored.assignee_id, stored.completed_by) == ("completed", TECH_1, TECH_1)
    assert stored.first_response_at is not None and stored.completed_at is not None
    assert (stored.resolution, stored.cause, minutes) == ("Replaced the trap seal", "Worn washer", 45)
    assert kinds == ["created", "assigned", "status_changed", "labor_logged", "status_changed"]

    # the card's permalink was asked of Slack once, when it was posted, and every DM since links to it
    asked = bot.fake.find("chat.getPermalink")
    assert [(c.params["channel"], c.params["message_ts"]) for c in asked] == [(channel, ts)]
    assert stored.card_permalink and all(stored.card_permalink in dm.params["text"] for dm in dms[:2])


async def test_wo_command_shows_the_work_order(bot: BotClient) -> None:
    await file_request(bot)
    response, key = await bot.command("/wo", "WO-1", user_id=STAFF)
    assert response.status == 200
    reply = (await bot.replies_to(key))[0]
    assert reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"] == "WO-1 · Leaking pipe in 204"
    assert all(b["type"] != "actions" for b in reply["blocks"])


async def test_wo_command_explains_unknown_numbers_and_usage(bot: BotClient) -> None:
    _, key = await bot.command("/wo", "99", user_id=STAFF)
    assert (await bot.replies_to(key))[0]["text"] == "There is no WO-99."
    _, key = await bot.command("/wo", "pump", user_id=STAFF)
    assert (await bot.replies_to(key))[0]["text"].startswith("Usage: `/wo 42` shows work order 42")


async def test_numbers_are_sequential(bot: BotClient) -> None:
    first = await file_request(bot)
    second = await file_request(bot, title="Flickering light", category="electrical")
    assert first.params["text"].startswith("WO-1 ")
    assert second.params["text"].startswith("WO-2 Flickering light: Open, high priority")


async def test_a_rate_limited_card_is_retried_not_dropped(bot: BotClient) -> None:
    bot.fake.rate_limit("chat.postMessage", times=1, retry_after=0)
    card = await file_request(bot)
    assert card.params["text"].startswith("WO-1 ")
    assert len(bot.fake.find("chat.postMessage#429")) == 1
