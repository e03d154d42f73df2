"""Asset downtime from Slack: a card's ⋯ → Asset is down starts it; completing the last open work on the
asset ends it, and the period is stored."""

from functools import partial

from sqlalchemy import select

from blocks.ids import Action
from models.db import Database
from models.places import Asset, Downtime
from services.inventory import places
from tests.conftest import FrozenClock
from tests.e2e.flow import click_card, file_request, latest_card, open_request_modal, request_values
from tests.support import slack_requests as sr
from tests.support.bot import BotClient
from tests.support.fake_slack import Call
from tests.support.org import STAFF, TEAM_CHANNEL, TECH_1


async def file_on_asset(bot: BotClient, asset_id: int, title: str) -> Call:
    view = await open_request_modal(bot)
    before = len(bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL))
    values = request_values(title=title) | {"asset": sr.select_value(f"asset:{asset_id}", kind="external_select")}
    assert await bot.submit(view, values, user_id=STAFF) == (200, None)
    return (await bot.fake.wait_calls("chat.postMessage", before + 1, channel=TEAM_CHANNEL))[-1]


async def complete(bot: BotClient, card: Call) -> None:
    form = await open_form(bot, card, Action.COMPLETE)
    assert await bot.submit(form, {"resolution": sr.text_value("Replaced the seal")}, user_id=TECH_1) == (200, None)


async def open_form(bot: BotClient, card: Call, action_id: str, **element: object) -> dict:
    before = len(bot.fake.find("views.open"))
    await click_card(bot, card, action_id, TECH_1, element=element or None)
    return (await bot.fake.wait_calls("views.open", before + 1))[-1].params["view"]


async def asset_state(db: Database, asset_id: int) -> tuple[str, list[tuple[bool, str]]]:
    async with db.unit_of_work() as session:
        asset = await session.get(Asset, asset_id)
        periods = (await session.execute(select(Downtime).where(Downtime.asset_id == asset_id))).scalars().all()
        return asset.status.value, [(p.ended_at is not None, p.reason) for p in periods]


async def test_asset_down_until_its_last_open_work_is_completed(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    asset_id = await db.run(partial(places.add_asset, tag="PMP-1", name="Sump pump", location=None, now=clock()))
    first = await file_on_asset(bot, asset_id, "Pump leaking")
    second = await file_on_asset(bot, asset_id, "Pump noisy")
    menu = [
        o["text"]["text"]
        for o in next(b for b in latest_card(bot, first)["blocks"] if b["type"] == "actions")["elements"][-1]["options"]
    ]
    assert "Asset is down" in menu

    form = await open_form(bot, first, Action.MANAGE, type="overflow", option="asset_down")
    assert await bot.submit(form, {"reason": sr.text_value("Seal failed, basement flooding")}, user_id=TECH_1) == (
        200,
        None,
    )
    channel, ts = first.answer["channel"], first.answer["ts"]
    line = (await bot.fake.wait_calls("chat.postMessage", 1, channel=channel, thread_ts=ts))[-1].params["text"]
    assert line == f":red_circle: <@{TECH_1}> reported PMP-1 down: Seal failed, basement flooding"
    assert await asset_state(db, asset_id) == ("down", [(False, "Seal failed, basement flooding")])

    again = await open_form(bot, second, Action.MANAGE, type="overflow", option="asset_down")
    _, body = await bot.submit(again, {"reason": sr.text_value("Also down")}, user_id=TECH_1)
    assert body is not None and body["errors"]["reason"].startswith("PMP-1 is already down (since 2026-03-02")

    clock.advance(hours=3)
    await complete(bot, first)
    assert (await asset_state(db, asset_id))[0] == "down"  # the noisy pump is still being worked on
    clock.advance(hours=1)
    await complete(bot, second)
    await bot.fake.wait_for(
        lambda: any(
            "running again" in c.params.get("text", "") for c in bot.fake.find("chat.postMessage", channel=channel)
        )
    )
    assert await asset_state(db, asset_id) == ("running", [(True, "Seal failed, basement flooding")])
    up = [
        c.params["text"]
        for c in bot.fake.find("chat.postMessage", channel=channel)
        if "running again" in c.params["text"]
    ]
    assert up == [":large_green_circle: PMP-1 is running again (down 4 h)."]


async def test_a_request_filed_as_down_starts_the_downtime(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    asset_id = await db.run(partial(places.add_asset, tag="CMP-1", name="Compressor", location=None, now=clock()))
    view = await open_request_modal(bot)
    down = {"asset_down": sr.checkbox_value(True)}
    status, body = await bot.submit(view, request_values(title="Compressor stopped") | down, user_id=STAFF)
    assert (status, body) == (
        200,
        {"response_action": "errors", "errors": {"asset_down": "Pick the asset that is down, or untick this."}},
    )
    picked = {"asset": sr.select_value(f"asset:{asset_id}", kind="external_select")}
    status, body = await bot.submit(view, request_values(title="Compressor stopped") | down | picked, user_id=STAFF)
    assert (status, body) == (200, None)
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[-1]
    fields = [f["text"] for b in card.params["blocks"] for f in b.get("fields", [])]
    assert "*Asset*\nCMP-1 · Compressor · down" in fields
    assert await asset_state(db, asset_id) == ("down", [(False, "Compressor stopped")])

    # a second request about the same stopped asset joins the downtime under way
    second = await open_request_modal(bot)
    assert await bot.submit(second, request_values(title="Still no air") | down | picked, user_id=STAFF) == (200, None)
    await bot.fake.wait_calls("chat.postMessage", 2, channel=TEAM_CHANNEL)
    assert await asset_state(db, asset_id) == ("down", [(False, "Compressor stopped")])
    await complete(bot, card)
    assert (await asset_state(db, asset_id))[0] == "down"  # "Still no air" is open


async def test_work_without_an_asset_has_no_asset_down_entry(bot: BotClient) -> None:
    card = await file_request(bot)
    menu = next(b for b in card.params["blocks"] if b["type"] == "actions")["elements"][-1]["options"]
    assert "Asset is down" not in [o["text"]["text"] for o in menu]


async def test_the_asset_card_shows_its_history_and_files_a_request(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    asset_id = await db.run(
        partial(places.add_asset, tag="PMP-2", name="Boiler pump", location="HQ / Plant", now=clock())
    )
    first = await file_on_asset(bot, asset_id, "Pump leaking")
    form = await open_form(bot, first, Action.MANAGE, type="overflow", option="asset_down")
    assert await bot.submit(form, {"reason": sr.text_value("Seized")}, user_id=TECH_1) == (200, None)
    clock.advance(hours=6)
    await complete(bot, first)
    await file_on_asset(bot, asset_id, "Pump noisy again")
    clock.advance(hours=1)

    _, key = await bot.command("/wo", "asset pmp-2", user_id=STAFF)
    shown = (await bot.replies_to(key))[0]
    text = str(shown["blocks"])
    assert shown["text"] == "PMP-2 · Boiler pump: running"
    assert "HQ / Plant" in text and "*Downtime 2026*\\n6.0 h" in text and "*Failures 2026*\\n2" in text
    assert "*Open work* (1)" in text and "Pump noisy again" in text
    assert "*Last 1 completed*" in text and "Replaced the seal" in text
    # MTBF: 1 Jan 00:00 GMT to 2 Mar 16:00 is 1,456 h; minus 6 h down = 1,450 h over 2 failures
    assert "*MTBF*\\n725 h" in text and "*MTTR*\\n6.0 h" in text

    button = next(b for b in shown["blocks"] if b["type"] == "actions")["elements"][0]
    before = len(bot.fake.find("views.open"))
    body = sr.block_action(
        Action.ASSET_REQUEST,
        button["value"],
        user_id=STAFF,
        channel="C0GENERAL",
        message_ts="1.1",
        response_url=bot.fake.response_url("asset"),
    )
    assert (await bot.post(body)).status == 200
    form = (await bot.fake.wait_calls("views.open", before + 1))[-1].params["view"]
    picker = next(b for b in form["blocks"] if b.get("block_id") == "asset")["element"]
    assert picker["initial_option"] == {
        "text": {"type": "plain_text", "text": "PMP-2 · Boiler pump", "emoji": True},
        "value": f"asset:{asset_id}",
    }
    _, key = await bot.command("/wo", "asset NOPE", user_id=STAFF)
    assert (await bot.replies_to(key))[0]["text"] == "There is no asset tagged “NOPE”."
