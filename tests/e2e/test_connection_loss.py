"""Wrench's database connections cut during a burst (a failover, a restart, a proxy): two replicas and
the scheduler as real processes on one PostgreSQL database, every Wrench backend terminated three times
while 150 request forms are submitted. Every form is either acknowledged (the modal closes) and stored,
or kept open saying it was not saved; once those are submitted again, every request is stored once and
has exactly one card and one DM."""

import asyncio
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from handlers.guard import FORM_NOT_SAVED
from models.db import Database
from models.requests import ServiceRequest
from models.work_orders import WorkOrder
from tests.e2e.flow import request_values
from tests.e2e.test_crash_safety import request_form, settled
from tests.support import slack_requests as sr
from tests.support.bot import FORM
from tests.support.fake_slack import FakeSlack
from tests.support.org import STAFF, TEAM_CHANNEL
from tests.support.process import start_wrench, stop_wrench, wrench_env

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]

SUBMISSIONS = 150
AT_ONCE = 12  # submissions in flight at a time, spread over both replicas
CUT_AFTER = (30, 70, 110)  # answered submissions before each cut
CUT_ALL = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


async def cut_every_connection(database_url: str) -> int:
    """What a failover does to Wrench: every backend of its database terminated; returns how many."""
    admin = await asyncpg.connect(make_url(database_url).set(drivername="postgresql").render_as_string(False))
    try:
        return int(await admin.fetchval(CUT_ALL))
    finally:
        await admin.close()


async def submit(http: aiohttp.ClientSession, url: str, view: dict[str, Any], title: str) -> str:
    """'closed' (acknowledged), 'kept' (answered with the not-saved error) or what else came back."""
    body = sr.view_submission(view, request_values(title=title), user_id=STAFF, view_id=f"V-{title}")
    try:
        async with http.post(f"{url}/slack/events", data=body, headers=sr.signed_headers(body, content_type=FORM)) as r:
            text = await r.text()
            status = r.status
    except (aiohttp.ClientError, ConnectionError) as error:
        return f"no answer: {error}"
    if status == 404:  # bolt's 3 s for an answer ran out (the machine was busy): Slack keeps the modal open
        return "late"
    if status != 200:
        return f"HTTP {status}"
    answer = json.loads(text) if text else {}
    if not answer.get("response_action"):
        return "closed"
    if answer.get("response_action") == "errors" and FORM_NOT_SAVED in answer.get("errors", {}).values():
        return "kept"
    return f"answered {text[:200]}"


async def test_cutting_every_connection_mid_burst_loses_and_repeats_nothing(
    database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    pace = {"WRENCH_SLACK_RATE_SCALE": "0", "WRENCH_TICK_SECONDS": "2"}
    replicas = [wrench_env(tmp_path, database_url, fake_slack, **pace) for _ in range(2)]
    scheduler_env = wrench_env(tmp_path, database_url, fake_slack, **pace)
    urls = [f"http://127.0.0.1:{env['PORT']}" for env in replicas]
    logs = [(tmp_path / f"wrench-{n}.log").open("wb") for n in range(3)]
    processes = []
    db = Database(database_url)
    try:
        for env, log in zip(replicas, logs, strict=False):
            processes.append(await start_wrench(env, "run", "--mode", "http", "--no-scheduler", log=log))
        processes.append(await start_wrench(scheduler_env, "scheduler", log=logs[2]))
        fake_slack.latency = 0.01  # deliveries are under way when the connections go
        titles = [f"Burst {n}" for n in range(SUBMISSIONS)]
        outcome: dict[str, str] = {}
        cutting: list[asyncio.Task[int]] = []
        async with aiohttp.ClientSession() as http:
            view = await request_form(http, urls[0], fake_slack)
            turns = asyncio.Semaphore(AT_ONCE)

            async def one(n: int, title: str) -> None:
                async with turns:
                    outcome[title] = await submit(http, urls[n % 2], view, title)
                if len(outcome) in CUT_AFTER:  # the others are still in flight
                    cutting.append(asyncio.create_task(cut_every_connection(database_url)))

            loop = asyncio.get_running_loop()
            started = loop.time()
            await asyncio.gather(*(one(n, title) for n, title in enumerate(titles)))
            cuts = list(await asyncio.gather(*cutting))
            burst_seconds = loop.time() - started
            first = Counter(outcome.values())
            acknowledged = {title for title, answer in outcome.items() if answer == "closed"}
            async with db.unit_of_work() as session:  # acknowledged = stored, before anyone submits again
                stored_then = set(await session.scalars(select(ServiceRequest.title)))
            # the person whose form stayed open presses Submit again
            for _ in range(5):
                kept = [title for title in titles if outcome[title] != "closed"]
                if not kept:
                    break
                for n, title in enumerate(kept):
                    outcome[title] = await submit(http, urls[n % 2], view, title)
        fake_slack.latency = 0
        await settled(db, timeout=60)
        async with db.unit_of_work() as session:
            by_title = select(ServiceRequest.title, func.count()).group_by(ServiceRequest.title)
            stored = Counter(dict((await session.execute(by_title)).all()))
            work_orders = list(await session.scalars(select(WorkOrder).order_by(WorkOrder.id)))
        cards = Counter(_ref(c.params["text"]) for c in fake_slack.find("chat.postMessage", channel=TEAM_CHANNEL))
        dms = Counter(_ref(c.params["text"]) for c in fake_slack.find("chat.postMessage", channel=STAFF))
        retried = sum(path.read_text().count("connection lost, trying again") for path in _log_paths(tmp_path))
        print(
            f"\nconnection loss burst: {SUBMISSIONS} submitted in {burst_seconds:.1f}s, cuts ended {cuts} backends;"
            f" first answers {dict(first)}; units of work retried {retried}; then acknowledged {len(acknowledged)},"
            f" of them stored {len(acknowledged & stored_then)}; after submitting again the kept forms:"
            f" acknowledged {sum(1 for o in outcome.values() if o == 'closed')}, stored {sum(stored.values())}"
            f" ({len(stored)} titles), work orders {len(work_orders)}, cards {sum(cards.values())}"
            f" ({len(cards)} distinct), DMs {sum(dms.values())} ({len(dms)} distinct)"
        )
        assert all(count > 0 for count in cuts)  # each cut did terminate Wrench's connections
        assert set(first) <= {"closed", "kept", "late"}, first  # closed, or kept open (saying so, or by Slack)
        assert acknowledged <= stored_then  # every form acknowledged was stored
        assert first["closed"] >= SUBMISSIONS * 0.8  # most rode the cuts out
        assert all(o == "closed" for o in outcome.values())
        assert set(stored) == set(titles) and max(stored.values()) == 1  # all acknowledged stored, once
        assert len(work_orders) == SUBMISSIONS
        refs = {f"WO-{wo.number}" for wo in work_orders}
        assert set(cards) == refs and max(cards.values()) == 1  # one card each, none twice
        assert set(dms) == refs and max(dms.values()) == 1  # one DM each, none twice
        posted = {c.answer["ts"] for c in fake_slack.find("chat.postMessage", channel=TEAM_CHANNEL)}
        assert all(wo.card_ts in posted for wo in work_orders)
    finally:
        for process in processes:
            code, _ = await stop_wrench(process)
            assert code == 0, (tmp_path / "wrench-0.log").read_text()[-3000:]
        for log in logs:
            log.close()
        await db.dispose()


def _ref(text: str) -> str:
    found = re.search(r"WO-\d+", text)
    return found.group(0) if found else text[:40]


def _log_paths(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob("wrench-*.log"))
