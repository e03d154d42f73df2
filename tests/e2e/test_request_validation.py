"""A bad request form comes back as field errors in the modal and creates nothing."""

from sqlalchemy import func, select

from models.db import Database
from models.tables import WorkOrder
from tests.e2e.flow import open_request_modal, request_values
from tests.support.bot import BotClient
from tests.support.org import STAFF, TEAM_CHANNEL


async def work_order_count(db: Database) -> int:
    async with db.unit_of_work() as session:
        return (await session.execute(select(func.count()).select_from(WorkOrder))).scalar_one()


async def test_blank_title_is_a_field_error(bot: BotClient, db: Database) -> None:
    view = await open_request_modal(bot)
    status, body = await bot.submit(view, request_values(title="   "), user_id=STAFF)
    assert status == 200
    assert body == {"response_action": "errors", "errors": {"title": "This is required."}}
    assert await work_order_count(db) == 0


async def test_over_long_fields_are_field_errors(bot: BotClient, db: Database) -> None:
    view = await open_request_modal(bot)
    values = request_values(title="x" * 151, description="z" * 3001)
    status, body = await bot.submit(view, values, user_id=STAFF)
    assert status == 200 and body["response_action"] == "errors"
    assert body["errors"] == {
        "title": "Use at most 150 characters (this has 151).",
        "description": "Use at most 3000 characters (this has 3001).",
    }
    assert await work_order_count(db) == 0
    assert not bot.fake.find("chat.postMessage", channel=TEAM_CHANNEL)


async def test_missing_and_unknown_category_are_field_errors(bot: BotClient, db: Database) -> None:
    view = await open_request_modal(bot)
    status, body = await bot.submit(view, request_values(category=None), user_id=STAFF)
    assert status == 200
    assert body == {"response_action": "errors", "errors": {"category": "This is required."}}
    status, body = await bot.submit(view, request_values(category="spaceships"), user_id=STAFF)
    assert status == 200
    assert body == {"response_action": "errors", "errors": {"category": "'spaceships' is not a category."}}
    assert await work_order_count(db) == 0


async def test_resubmitting_the_same_modal_files_one_request(bot: BotClient, db: Database) -> None:
    """Slack can deliver one view submission twice; its view id makes the second a no-op."""
    view = await open_request_modal(bot)
    for _ in range(2):
        status, body = await bot.submit(view, request_values(), user_id=STAFF, view_id="V0SAME")
        assert (status, body) == (200, None)
    await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL)
    assert await work_order_count(db) == 1
