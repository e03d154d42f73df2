"""Wrench as a real process dying mid-burst: after SIGKILL and a restart every acknowledged request
exists exactly once and every card, claim and DM reaches Slack; on SIGTERM it finishes what it
acknowledged and delivers what it can before exiting 0."""

import asyncio
import json
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from blocks.ids import Action
from models.db import Database
from models.requests import ServiceRequest
from models.work_orders import WorkOrder
from services.delivery import outbox
from tests.e2e.flow import request_values
from tests.support import slack_requests as sr
from tests.support.fake_slack import FakeSlack
from tests.support.org import STAFF, TEAM_CHANNEL, TECH_1
from tests.support.process import post_signed, start_wrench, stop_wrench, wrench_env


async def request_form(http: aiohttp.ClientSession, url: str, fake: FakeSlack) -> dict:
    """The request modal, opened once with /request: each submission below is another view id."""
    before = len(fake.find("views.open"))
    command = sr.slash_command("/request", "", user_id=STAFF, response_url=fake.response_url("crash"))
    assert await post_signed(http, url, command) == 200
    return (await fake.wait_calls("views.open", before + 1))[-1].params["view"]


async def submit(http: aiohttp.ClientSession, url: str, view: dict, title: str) -> bool:
    """True when Wrench acknowledged the submission (HTTP 200); False when the process died first."""
    body = sr.view_submission(view, request_values(title=title), user_id=STAFF, view_id=f"V-{title}")
    try:
        return await post_signed(http, url, body) == 200
    except (aiohttp.ClientError, ConnectionError):
        return False


async def claim(http: aiohttp.ClientSession, url: str, fake: FakeSlack, card_ts: str, ref: str) -> bool:
    body = sr.block_action(
        Action.CLAIM, ref, user_id=TECH_1, channel=TEAM_CHANNEL, message_ts=card_ts, response_url=fake.response_url("c")
    )
    try:
        return await post_signed(http, url, body) == 200
    except (aiohttp.ClientError, ConnectionError):
        return False


async def settled(db: Database, *, timeout: float = 40) -> None:
    """Until the outbox is empty (a killed process's leases run out first: up to 15 s)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (status := await db.run(outbox.status)).pending:
        assert loop.time() < deadline, f"{status.pending} undelivered: {status.last_error}"
        await asyncio.sleep(0.05)


async def test_sigkill_mid_burst_loses_no_acknowledged_request_and_delivers_everything(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack, WRENCH_SLACK_RATE_SCALE="0")
    url = f"http://127.0.0.1:{env['PORT']}"
    db = Database(database_url)
    process = await start_wrench(env)
    try:
        async with aiohttp.ClientSession() as http:
            view = await request_form(http, url, fake_slack)
            assert await submit(http, url, view, "Before 1") and await submit(http, url, view, "Before 2")
            cards = await fake_slack.wait_calls("chat.postMessage", 2, channel=TEAM_CHANNEL)
            fake_slack.latency = 0.05  # Slack slows down: deliveries are under way when the process dies
            burst = [asyncio.create_task(submit(http, url, view, f"Burst {n}")) for n in range(16)]
            clicks = [
                asyncio.create_task(claim(http, url, fake_slack, card.answer["ts"], _ref(card.params["blocks"])))
                for card in cards
            ]
            for _ in range(2000):  # half the burst acknowledged: now the process dies
                if sum(1 for task in burst if task.done() and task.result()) >= 8:
                    break
                await asyncio.sleep(0.005)
            process.kill()
            await process.wait()
            acknowledged = [f"Burst {n}" for n, task in enumerate(burst) if await task]
            claimed = [await click for click in clicks]
        fake_slack.latency = 0
        process = await start_wrench(env)  # the same database: what was queued is delivered now
        await settled(db)
        async with db.unit_of_work() as session:
            titles = dict(
                (await session.execute(select(ServiceRequest.title, func.count()).group_by(ServiceRequest.title))).all()
            )
            work_orders = list(await session.scalars(select(WorkOrder).order_by(WorkOrder.id)))
        assert all(count == 1 for count in titles.values())  # nothing filed twice
        assert set(acknowledged) | {"Before 1", "Before 2"} <= set(titles)  # nothing acknowledged was lost
        assert len(work_orders) == len(titles)
        posted = {c.answer["ts"] for c in fake_slack.find("chat.postMessage", channel=TEAM_CHANNEL)}
        assert all(wo.card_ts in posted for wo in work_orders)  # every card reached Slack
        dms = [c.params["text"] for c in fake_slack.find("chat.postMessage", channel=STAFF)]
        assert all(any(f"WO-{wo.number}" in dm for dm in dms) for wo in work_orders)  # and every requester DM
        assert any(claimed)
        for wo in work_orders[:2]:  # a click is acknowledged first (Slack's 3 s): one cut off before its
            shown = fake_slack.find("chat.update", ts=wo.card_ts)  # commit is lost, and its card says so
            last = json.dumps(shown[-1].params["blocks"]) if shown else ""
            assert (wo.assignee_id == TECH_1) == (f"<@{TECH_1}>" in last)
    finally:
        if process.returncode is None:
            code, output = await stop_wrench(process)
            assert code == 0, output
        await db.dispose()


def _ref(blocks: list[dict]) -> str:
    actions = next(b for b in blocks if b["type"] == "actions")
    return str(actions["block_id"].partition(":")[2])


async def test_sigterm_finishes_what_was_acknowledged_and_delivers_it(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack, WRENCH_SLACK_RATE_SCALE="0")
    url = f"http://127.0.0.1:{env['PORT']}"
    process = await start_wrench(env)
    async with aiohttp.ClientSession() as http:
        view = await request_form(http, url, fake_slack)
        fake_slack.latency = 0.1  # a slow Slack: the cards are still being posted at SIGTERM
        acked = await asyncio.gather(*(submit(http, url, view, f"Leak {n}") for n in range(10)))
    assert all(acked)
    code, output = await stop_wrench(process)
    assert code == 0, output
    cards = fake_slack.find("chat.postMessage", channel=TEAM_CHANNEL)
    assert sorted(c.params["text"].split(" ", 1)[0] for c in cards) == sorted(f"WO-{n}" for n in range(1, 11))
    db = Database(database_url)
    try:
        assert (await db.run(outbox.status)).pending == 0  # all delivered before it exited
    finally:
        await db.dispose()
