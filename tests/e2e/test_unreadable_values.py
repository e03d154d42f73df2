"""A button value, menu option, block id or private_metadata that no builder of ours made (a message or
modal drawn by an older version, or a forged payload) is refused politely: the person is told, the log
gets one line without a stack trace, and nothing changes. Every action and modal blocks/ids.py names is
tried, so a new one is covered the day it is added.

One bot per database serves the module, with one work order: no case changes anything (each checks that),
so each finds the same card and the same rows (a bot per case cost a second each, for some 120 cases)."""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from blocks.ids import Action, Block, Callback
from handlers.guard import UNREADABLE
from models.db import Database
from models.tables import Base
from tests.conftest import BACKENDS, FrozenClock
from tests.e2e.flow import card_ref, file_request, posted_cards
from tests.support import databases
from tests.support import slack_requests as sr
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import FakeSlack
from tests.support.org import MANAGER, organisation

BAD = ("abc", "1:1:1", "9" * 24, "", "1:" + "9" * 24, "note|abc", "pause|" + "9" * 24, "1:1|x|pass", "{}")
PICKERS = {
    Action.PICK_LOCATION,
    Action.PICK_ASSET,
    Action.PICK_PART,
    Action.PICK_VENDOR,
    Action.PICK_PO_VENDOR,
}  # type-aheads: options, not actions
IGNORES_VALUE = {Action.HOME_MORE, Action.HOME_NEW_REQUEST, Action.PM_NEW}  # their value is not read
MENUS = {Action.MORE, Action.MANAGE, Action.CHECKLIST, Action.PM_MENU}  # overflow menus: the option's value
ON_HOME = {Action.HOME_KPI_DAYS, Action.HOME_MORNING_DM}
READS_A_VALUE = sorted(set(Action) - PICKERS - IGNORES_VALUE)


@dataclass(frozen=True)
class Shared:
    bot: BotClient
    channel: str  # the card's place
    ts: str

    @property
    def db(self) -> Database:
        return self.bot.running.deps.db


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=BACKENDS)
async def shared(
    request: pytest.FixtureRequest, templates: databases.Templates, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Shared]:
    url, to_drop = await databases.clone(templates, str(request.param), tmp_path_factory.mktemp("unreadable"))
    fake = FakeSlack()
    await fake.start()
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    try:
        async with started_bot(url, fake, organisation(), clock=clock) as bot:
            await file_request(bot, title="Leaking tap")
            channel, ts = card_ref(posted_cards(bot)[0])
            await bot.settled()
            yield Shared(bot, channel, ts)
    finally:
        await fake.stop()
        if to_drop:
            await databases.drop(to_drop)


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    async with db.unit_of_work() as session:
        return {
            table.name: sorted(map(tuple, (await session.execute(select(table))).all()), key=repr)
            for table in Base.metadata.sorted_tables
        }


def told(bot: BotClient, answer: Any) -> bool:
    """The person was told UNREADABLE: in the HTTP answer (a form's errors), a response_url reply, or a
    message to them."""
    said = [str(answer)] + [str(reply.get("text")) for reply in bot.fake.replies]
    said += [str(call.params.get("text")) for call in bot.fake.calls if call.method.startswith("chat.post")]
    return any(UNREADABLE in text for text in said)


def logged_cleanly(caplog: pytest.LogCaptureFixture, before: int) -> None:
    records = caplog.records[before:]
    assert [r for r in records if r.exc_info or r.levelno >= logging.ERROR] == [], "a stack trace was logged"
    lines = [r.getMessage() for r in records if "could not be read" in r.getMessage()]
    assert len(lines) == 1, lines


def action_body(bot: BotClient, action_id: str, bad: str, channel: str, ts: str) -> bytes:
    """The click as Slack would send it, its value (wherever this kind of control keeps it) being `bad`."""
    if action_id in ON_HOME:
        return sr.home_action(action_id, bad, user_id=MANAGER)
    if action_id == Action.REQUEST_CATEGORY:  # picking a category in a request form whose metadata is bad
        view = {
            "callback_id": Callback.REQUEST_MODAL,
            "private_metadata": bad if bad not in ("", "{}") else "[]",
            "blocks": [],
        }
        return sr.view_action(view, action_id, Block.CATEGORY, sr.select_value("plumbing"), user_id=MANAGER)
    element: dict[str, Any] = {"type": "button", "value": bad}
    if action_id in MENUS:
        element = {"type": "overflow", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": bad}}
    if action_id == Action.ASSIGN:  # the picker's block id carries the work order
        element = {"type": "users_select", "selected_user": MANAGER, "block_id": f"{Block.CARD_ACTIONS}:{bad}"}
    url = bot.fake.response_url(f"bad-{action_id}")
    return sr.block_action(
        action_id, bad, user_id=MANAGER, channel=channel, message_ts=ts, response_url=url, element=element
    )


@pytest.mark.asyncio(loop_scope="module")  # the module's bot lives in the module's event loop
@pytest.mark.parametrize("action_id", READS_A_VALUE)
async def test_a_control_whose_value_cannot_be_read_is_refused_politely(
    shared: Shared, caplog: pytest.LogCaptureFixture, action_id: str
) -> None:
    caplog.set_level(logging.INFO)
    bot, db = shared.bot, shared.db
    for bad in BAD:
        before, logged = await snapshot(db), len(caplog.records)
        bot.fake.replies.clear()
        bot.fake.calls.clear()
        status, answer = await bot.send(action_body(bot, action_id, bad, shared.channel, shared.ts))
        assert status == 200, (bad, answer)
        await bot.fake.wait_for(lambda answer=answer: told(bot, answer), timeout=5)  # type: ignore[misc]
        await bot.settled()
        logged_cleanly(caplog, logged)
        assert await snapshot(db) == before, f"{action_id} with {bad!r} changed something"
        assert not bot.fake.refused, bot.fake.refused  # no payload Slack would refuse (tests.support.block_kit)


INPUT = {
    "type": "input",
    "block_id": Block.TITLE,
    "label": {"type": "plain_text", "text": "Title"},
    "element": {"type": "plain_text_input", "action_id": "value"},
}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("callback_id", sorted(Callback))
async def test_a_form_whose_metadata_cannot_be_read_is_refused_politely(
    shared: Shared, caplog: pytest.LogCaptureFixture, callback_id: str
) -> None:
    caplog.set_level(logging.INFO)
    bot, db = shared.bot, shared.db
    for bad in ("abc", "1:1:1", "9" * 24, "1|" + "9" * 24, "[" * 2000, '{"source": 5}', '{"source": {"ts": 1}}'):
        before, logged = await snapshot(db), len(caplog.records)
        bot.fake.replies.clear()
        bot.fake.calls.clear()
        view = {"callback_id": callback_id, "private_metadata": bad, "blocks": [INPUT]}
        status, answer = await bot.submit(view, {Block.TITLE: sr.text_value("x")}, user_id=MANAGER)
        assert status == 200, (bad, answer)
        await bot.fake.wait_for(lambda answer=answer: told(bot, answer), timeout=5)  # type: ignore[misc]
        await bot.settled()
        logged_cleanly(caplog, logged)
        assert await snapshot(db) == before, f"{callback_id} with {bad!r} changed something"
        assert not bot.fake.refused, bot.fake.refused
