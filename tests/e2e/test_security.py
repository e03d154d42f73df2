"""Forged or stale Slack requests are refused with 401 and change nothing."""

import time

from sqlalchemy import func, select

from models.db import Database
from models.tables import ServiceRequest, WorkOrder
from tests.e2e.flow import open_request_modal, request_values
from tests.support import slack_requests as sr
from tests.support.bot import FORM, BotClient
from tests.support.org import STAFF


async def count_work_orders(db: Database) -> tuple[int, int]:
    async with db.unit_of_work() as session:
        orders = (await session.execute(select(func.count()).select_from(WorkOrder))).scalar_one()
        requests = (await session.execute(select(func.count()).select_from(ServiceRequest))).scalar_one()
    return orders, requests


async def submission(bot: BotClient) -> bytes:
    view = await open_request_modal(bot)
    return sr.view_submission(view, request_values(), user_id=STAFF)


async def test_forged_signature_is_refused_and_writes_nothing(bot: BotClient, db: Database) -> None:
    body = await submission(bot)
    forged = sr.signed_headers(body, content_type=FORM, secret="not-the-signing-secret")
    response = await bot.post(body, headers=forged)
    assert response.status == 401
    assert await count_work_orders(db) == (0, 0)


async def test_ten_minute_old_timestamp_is_refused_and_writes_nothing(bot: BotClient, db: Database) -> None:
    body = await submission(bot)
    response = await bot.post(body, timestamp=int(time.time()) - 600)
    assert response.status == 401
    assert await count_work_orders(db) == (0, 0)


async def test_tampered_body_is_refused(bot: BotClient, db: Database) -> None:
    body = await submission(bot)
    headers = sr.signed_headers(body, content_type=FORM)
    response = await bot.post(body.replace(b"Leaking", b"Leaked_"), headers=headers)
    assert response.status == 401
    assert await count_work_orders(db) == (0, 0)


async def test_unsigned_command_is_refused_without_calling_slack(bot: BotClient) -> None:
    body = sr.slash_command("/request", "x", user_id=STAFF, response_url=bot.fake.response_url("x"))
    calls_before = len(bot.fake.calls)
    response = await bot.post(body, headers={"Content-Type": FORM})
    assert response.status == 401
    assert len(bot.fake.calls) == calls_before


async def test_a_correctly_signed_submission_is_accepted(bot: BotClient, db: Database) -> None:
    """The control for the refusals above: the same body, signed properly, is stored."""
    response = await bot.post(await submission(bot))
    assert response.status == 200
    assert await count_work_orders(db) == (1, 1)
