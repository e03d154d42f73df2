"""What the parts of a Claim cost in CPU on this stack, measured alone: the floor under Wrench's own figure.

    python -m bench.stack_costs                      # SQLite; PostgreSQL too when BENCH_POSTGRES_URL is set

Each part runs on its own, many times, and prints the CPU time (user + system) it took, each:

- a bare slack-bolt AsyncApp acknowledging a signed Claim click (`bench/bare_app.py`, a process of its
  own: its CPU from /proc), the least any bolt app spends on a click;
- one Web API call through slack_sdk's AsyncWebClient, the client bolt hands Wrench (the fake Slack runs
  in a process of its own, so its CPU is not counted), beside the same POST through aiohttp alone;
- on each database, through SQLAlchemy's async engine: a transaction's own cost (BEGIN and COMMIT), one
  small statement (an UPDATE by primary key), and the Claim's unit of work as Wrench's services run it
  (read the work order, update it, its history line, its webhook event, its notice and the card's redraw).

A Claim needs at least the click, its unit of work, three Web API calls (the thread line, the requester's
DM, the card's `chat.update`) and, for its two notices (the change's and the card's redraw), a lease and a
finish; `least` adds those up, with the notices' writes at one statement each and no transaction of their
own. Compare it with `bench/settle.py --bursts claim`, Wrench's CPU per Claim, everything counted.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bench.ack import yardstick
from bench.scratch import postgres_database, sqlite_database
from bench.settle import config, cpu_seconds
from bench.slack_process import RemoteSlack, remote_slack
from blocks.ids import Action
from bot.sandbox.emulator import BOT_TOKEN
from models import migrate
from models.db import Database
from models.outbox import OutboxEntry
from models.schemas import RequestCreate
from services.organisation.config_file import parse_organisation
from services.requests import service as requests
from services.work_orders import assignment
from tests.support import slack_requests as sr

TECH = "U0TECH1"
CONNECTIONS = 16


async def bolt_ack_ms(fake: RemoteSlack, clicks: int) -> float:
    """CPU per click of the bare bolt app, acknowledging signed Claim clicks sent 16 at a time."""
    bodies = [
        sr.block_action(Action.CLAIM, f"{n}:1", user_id=TECH, channel="C0TEAM0", message_ts="1.1", response_url="")
        for n in range(clicks)
    ]
    async with yardstick(fake, log=subprocess.DEVNULL) as url, aiohttp.ClientSession() as http:  # bolt's warnings
        return await _acks_ms(url, http, bodies)


async def _acks_ms(url: str, http: aiohttp.ClientSession, bodies: list[bytes]) -> float:
    async with http.get(f"{url}/healthz") as answer:
        pid = int((await answer.json())["pid"])
    before, queue = cpu_seconds(pid), iter(bodies)

    async def worker() -> None:
        for body in queue:
            headers = sr.signed_headers(body, content_type="application/x-www-form-urlencoded")
            async with http.post(f"{url}/slack/events", data=body, headers=headers) as answer:
                await answer.read()

    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return (cpu_seconds(pid) - before) * 1000 / len(bodies)


async def per_call_ms(calls: int, make: Callable[[], Awaitable[Any]]) -> float:
    await make()  # connections opened, code warmed
    before = time.process_time()
    for _ in range(calls):
        await make()
    return (time.process_time() - before) * 1000 / calls


async def web_api_ms(fake: RemoteSlack, calls: int) -> tuple[float, float]:
    """CPU per chat.postMessage through slack_sdk, and through aiohttp alone (this process only)."""
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
    post = partial(client.chat_postMessage, channel="C0TEAM0", text="*Claimed* by <@U0TECH1>", thread_ts="1.1")
    sdk = await per_call_ms(calls, post)
    headers = {"Authorization": f"Bearer {BOT_TOKEN}"}
    body = {"channel": "C0TEAM0", "text": "*Claimed* by <@U0TECH1>", "thread_ts": "1.1"}
    async with aiohttp.ClientSession() as http:

        async def bare() -> None:
            async with http.post(f"{fake.api_url}chat.postMessage", json=body, headers=headers) as answer:
                await answer.json()

        return sdk, await per_call_ms(calls, bare)


async def database_ms(url: str, repeats: int) -> dict[str, float]:
    """CPU of a transaction's own cost, of one small statement, and of the Claim's unit of work."""
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        org, now = parse_organisation(config(1)), datetime.now(UTC)
        for n in range(repeats + 1):  # one more for the warm-up
            request = RequestCreate(title=f"Leak {n}", category="c0", description="Water on the floor")
            await db.run(partial(requests.submit, org=org, now=now, requester_id=f"U0STAFF{n:04d}", request=request))
        outbox = OutboxEntry.__table__

        async def statement(session: AsyncSession) -> None:
            await session.execute(update(outbox).where(outbox.c.id == -1).values(attempts=outbox.c.attempts))

        async def two(session: AsyncSession) -> None:
            await statement(session)
            await statement(session)

        one_ms = await per_call_ms(repeats, partial(db.run, statement))
        two_ms = await per_call_ms(repeats, partial(db.run, two))
        ids = iter(range(1, repeats + 2))
        claim = partial(assignment.claim, org=org, now=now, user_id=TECH)
        claim_ms = await per_call_ms(repeats, lambda: db.run(partial(claim, work_order_id=next(ids))))
        return {"transaction": 2 * one_ms - two_ms, "statement": two_ms - one_ms, "claim": claim_ms}
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=1000)
    args = parser.parse_args()
    server = os.environ.get("BENCH_POSTGRES_URL")
    print(f"CPU per part of a Claim, {date.today()}, {os.cpu_count()} CPUs, {args.repeats} each, ms of CPU:")
    async with remote_slack() as fake:
        ack = await bolt_ack_ms(fake, 3 * args.repeats)
        sdk, bare = await web_api_ms(fake, args.repeats)
    print(f"  bare bolt app acknowledging a click   {ack:6.2f}")
    print(f"  Web API call through slack_sdk        {sdk:6.2f}   (aiohttp alone {bare:.2f})")
    databases = [("sqlite", sqlite_database())]
    if server:
        databases.append(("postgresql", postgres_database(server)))
    for backend, scratch in databases:
        async with scratch as url:
            costs = await database_ms(url, args.repeats)
        # the least a Claim needs: the click, its unit of work, three calls, and for its two notices a
        # lease and a finish: four statements, sharing transactions with other notices' writes
        least = ack + costs["claim"] + 3 * sdk + 4 * costs["statement"]
        print(
            f"  {backend:10} transaction {costs['transaction']:5.2f}, statement {costs['statement']:5.2f},"
            f" the Claim's unit of work {costs['claim']:5.2f}; least for a Claim {least:5.2f}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
