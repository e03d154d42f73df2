"""The database out of reach for longer than `Database.run` tries again (injected here, on both
backends; real terminated connections are in test_connection_loss.py): a form is kept open with what
was typed, saying it was not saved, and a post Slack answered whose record was lost is not made again."""

import asyncio
from functools import partial
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select

from bot.metrics import Metrics
from bot.slack.outbox_worker import OutboxWorker
from bot.slack.pacing import Pacer
from handlers import guard
from models import db as db_module
from models.db import Database
from models.outbox import OutboxEntry
from models.schemas import RequestCreate
from models.tables import WorkOrder
from services.delivery import outbox
from services.organisation.org import Organisation
from services.requests import service as request_service
from services.work_orders import service as work_orders
from tests.conftest import FrozenClock
from tests.e2e.flow import open_request_modal, request_values
from tests.support.bot import BotClient
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.org import STAFF


async def work_order_count(db: Database) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(WorkOrder)) or 0)


async def test_a_form_that_cannot_be_stored_stays_open_with_its_input(
    bot: BotClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_submit = request_service.submit

    async def unreachable(session: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("the database is failing over")

    monkeypatch.setattr(guard, "FORM_RETRY_SECONDS", 0.3)
    monkeypatch.setattr(request_service, "submit", unreachable)
    view = await open_request_modal(bot)
    status, body = await bot.submit(view, request_values(title="Leak in 12"), user_id=STAFF, view_id="V-KEPT")
    assert (status, body) == (200, {"response_action": "errors", "errors": {"title": guard.FORM_NOT_SAVED}})
    assert await work_order_count(db) == 0

    monkeypatch.setattr(request_service, "submit", real_submit)  # the database is back: Submit again
    status, body = await bot.submit(view, request_values(title="Leak in 12"), user_id=STAFF, view_id="V-KEPT")
    assert (status, body) == (200, None)
    await bot.settled()
    assert await work_order_count(db) == 1
    dms = [call.params["text"] for call in bot.fake.find("chat.postMessage", channel=STAFF)]
    assert len(dms) == 1 and "WO-1" in dms[0]  # the filed DM; no "something went wrong"


async def test_a_form_whose_listener_fails_otherwise_stays_open_with_an_error_id(
    bot: BotClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(session: Any, **kwargs: Any) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(request_service, "submit", broken)
    view = await open_request_modal(bot)
    status, body = await bot.submit(view, request_values(), user_id=STAFF)
    assert status == 200 and body["response_action"] == "errors"
    assert body["errors"]["title"].startswith("Something went wrong on our side (error id")
    assert await work_order_count(db) == 0


@pytest.mark.parametrize("outage", ["one try", "longer than the retries"])
async def test_a_post_whose_record_was_lost_is_not_made_again(
    outage: str,
    db: Database,
    org: Organisation,
    clock: FrozenClock,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Slack answered the DM; recording that (with the notice's finish, its last call) failed on a lost
    connection: once (run again on a fresh one), or for longer than `Database.run` tries (the answer is
    kept in memory until it is recorded; the entry is tried again once its lease lapses)."""
    await db.run(partial(_queue_dm, now=clock()))
    real_finish = outbox.finish
    failed: list[str] = []

    async def finish(session: Any, **kwargs: Any) -> None:
        if (outage == "one try" and not failed) or (outage != "one try" and not database_back):
            failed.append("record")
            raise ConnectionResetError("connection reset while recording")
        await real_finish(session, **kwargs)

    database_back = False
    monkeypatch.setattr(outbox, "finish", finish)
    monkeypatch.setattr(db_module, "RECONNECT_SECONDS", 0.2)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    worker = OutboxWorker(db, org, client, None, clock=clock, wall=clock, metrics=Metrics(), pacer=Pacer())
    for _ in range(3):
        assert await worker.work_once()  # leases the DM and starts delivering it
        await asyncio.wait(list(worker._in_flight))
        if not (await db.run(outbox.status)).pending:
            break
        database_back = True
        clock.advance(seconds=outbox.LEASE.total_seconds() + 1)  # its lease lapses: it is tried again
    assert failed
    assert len(fake_slack.find("chat.postMessage", channel=STAFF)) == 1
    assert (await db.run(outbox.status)).pending == 0
    assert worker._unrecorded == {}


async def _queue_dm(session: Any, *, now: Any) -> None:
    outbox.message(session, STAFF, "Your request was filed", now=now)


async def test_a_card_posted_is_recorded_before_the_notice_writes_anything_else(
    db: Database, org: Organisation, clock: FrozenClock, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The card is posted, then its place is stored: a delivery cut off while storing it (a worker stopped
    past its grace, a process killed) has recorded the post already, so the next try does not post a
    second card."""
    request = RequestCreate(title="Leak", category="plumbing", description="Under the sink")
    await db.run(partial(request_service.submit, org=org, now=clock(), requester_id=STAFF, request=request))
    storing = asyncio.Event()

    async def attach_card(session: Any, **kwargs: Any) -> None:
        storing.set()
        await asyncio.Event().wait()  # cut off here
        raise AssertionError("not reached")

    monkeypatch.setattr(work_orders, "attach_card", attach_card)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    worker = OutboxWorker(db, org, client, None, clock=clock, wall=clock, metrics=Metrics(), pacer=Pacer())
    assert await worker.work_once()
    await asyncio.wait_for(storing.wait(), 5)
    for task in list(worker._in_flight):
        task.cancel()
    await asyncio.wait(list(worker._in_flight), timeout=5)
    [card] = [call for call in fake_slack.find("chat.postMessage") if "thread_ts" not in call.params]
    async with db.unit_of_work() as session:
        [steps] = (await session.scalars(select(OutboxEntry.steps))).all()
    assert {"channel": card.answer["channel"], "ts": card.answer["ts"]} in steps.values()
