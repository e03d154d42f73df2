"""Ack latency and throughput: Wrench in HTTP mode beside a bare slack-bolt app that only acks, in one run.

    python -m bench.ack                  # SQLite, and PostgreSQL when BENCH_POSTGRES_URL is set
    python -m bench.ack --requests 300 --connections 16 --backend sqlite
    python -m bench.ack --sustained      # 30 s per app and line beside two yardsticks (bench/sustained.py);
                                         # load from wrk (apt-get install wrk) or --client python

The fake Slack Web API (tests/support/fake_slack.py, via bench/slack_process.py), Wrench (`wrench run
--mode http`, its scheduler on, the outbox pacing off since the fake never throttles) and the bare app
(bench/bare_app.py) each run as a process of their own, beside this one, which drives the load. Work
orders to claim are filed first and their cards delivered. Then each app in turn gets signed `/request`
commands and Claim clicks (each on a work order of its own) at each number of connections; after each
of Wrench's lines the bench waits until Wrench has done the work it acknowledged (nothing in flight on
its `/metrics`, the outbox empty). Prints p50/p99 ack latency, requests per second, Wrench's throughput
as a share of the bare app's, and done/s.
"""

import argparse
import asyncio
import contextlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import IO, Any

import aiohttp
from sqlalchemy import select

from bench.scratch import postgres_database, sqlite_database
from bench.slack_process import RemoteSlack, remote_slack
from blocks.ids import Action
from models import migrate
from models.db import Database
from models.schemas import RequestCreate
from models.work_orders import WorkOrder
from services.delivery import outbox
from services.organisation.config_file import parse_organisation
from services.requests import service as requests
from tests.support import slack_requests as sr
from tests.support.fake_slack import BOT_TOKEN
from tests.support.org import CONFIG, STAFF, TEAM_CHANNEL, TECH_1
from tests.support.process import free_port, start_wrench, stop_wrench, wrench_env

WARM_UP = 50
# the outbox's pacing off (the fake never throttles), under the setting's old name and its new one
NO_PACING = {"WRENCH_SLACK_RATE_SCALE": "0"}
WORKLOADS = ("/request", "claim")


async def file_work_orders(url: str, count: int) -> None:
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        org, now = parse_organisation(CONFIG), datetime.now(UTC)
        for n in range(count):
            request = RequestCreate(title=f"Leak {n}", category="plumbing", description="Water under the sink")
            await db.run(partial(requests.submit, org=org, now=now, requester_id=STAFF, request=request))
    finally:
        await db.dispose()


async def settled(
    db: Database,
    fake: RemoteSlack,
    modals: int,
    *,
    wrench_url: str | None = None,
    within: float = 600,
    modal_id: str | None = None,
) -> None:
    """Wait until Wrench has done all the work its acks promised: the outbox is empty, `modals` request
    modals have been opened, and no acknowledged request is still waiting for its work
    (`wrench_slack_work_in_flight`; a click waiting for a work slot has queued nothing yet). `/metrics` is
    asked last, when the rest is done: a scrape makes Wrench read its gauges from the database. `modal_id`:
    count only the modals with that callback_id (another app opens modals on the same fake)."""
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while (
            await notices_pending(db)
            or await fake.calls("views.open", callback_id=modal_id) < modals
            or (wrench_url is not None and await work_in_flight(http, wrench_url))
        ):
            if time.monotonic() > deadline:
                raise SystemExit("Wrench did not finish its work in time")
            await asyncio.sleep(0.05)


async def work_in_flight(http: aiohttp.ClientSession, wrench_url: str) -> float:
    """Wrench's own count of acknowledged Slack requests whose work is not done, from `/metrics`."""
    async with http.get(f"{wrench_url}/metrics") as answer:
        text = await answer.text()
    found = [line.split()[-1] for line in text.splitlines() if line.startswith("wrench_slack_work_in_flight ")]
    if not found:
        raise SystemExit("Wrench's /metrics has no wrench_slack_work_in_flight")
    return float(found[0])


async def notices_pending(db: Database) -> int:
    """Read without a unit of work: on SQLite each would take the write lock (BEGIN IMMEDIATE) from this
    process, and Wrench would meet SQLite's busy handler, which sleeps, instead of its own queue."""
    path = db.sqlite_path()
    if path is None:
        return (await db.run(outbox.status)).pending
    with contextlib.closing(sqlite3.connect(path)) as reader:
        return int(reader.execute("SELECT count(*) FROM outbox WHERE done_at IS NULL").fetchone()[0])


async def cards_to_claim(db: Database, fake: RemoteSlack) -> list[tuple[int, int, str]]:
    """(id, version, card ts) of each work order, once the outbox has posted every card."""
    await settled(db, fake, 0)
    async with db.unit_of_work() as session:
        found = await session.execute(select(WorkOrder.id, WorkOrder.version, WorkOrder.card_ts).order_by(WorkOrder.id))
    return [(id_, version, str(ts)) for id_, version, ts in found.all()]


@asynccontextmanager
async def yardstick(
    fake: RemoteSlack, module: str = "bench.bare_app", *, log: IO[bytes] | int | None = None
) -> AsyncIterator[str]:
    """A yardstick app (`bench.bare_app`, `bench.same_job_app`) in its own process, its output to `log`;
    its base URL."""
    port = free_port()
    env = {**os.environ, "SLACK_SIGNING_SECRET": sr.SIGNING_SECRET, "SLACK_BOT_TOKEN": BOT_TOKEN}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, str(port), fake.api_url, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"{url}/healthz") as answer:
                        if answer.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
        yield url
    finally:
        process.terminate()
        await process.wait()


async def load(url: str, bodies: list[bytes], connections: int) -> tuple[list[float], float]:
    """Send `bodies` (signed as they go) over `connections` connections; (latencies in ms, seconds)."""
    latencies: list[float] = []
    queue = iter(bodies)

    async def worker(http: aiohttp.ClientSession) -> None:
        for body in queue:
            headers = sr.signed_headers(body, content_type="application/x-www-form-urlencoded")
            started = time.perf_counter()
            async with http.post(f"{url}/slack/events", data=body, headers=headers) as answer:
                await answer.read()
                if answer.status != 200:
                    raise SystemExit(f"{url} answered {answer.status}")
            latencies.append((time.perf_counter() - started) * 1000)

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(connections)))
        return latencies, time.perf_counter() - started


def commands(fake: RemoteSlack, count: int) -> list[bytes]:
    return [
        sr.slash_command("/request", "leak", user_id=STAFF, response_url=fake.response_url("b")) for _ in range(count)
    ]


def claims(fake: RemoteSlack, cards: list[tuple[int, int, str]]) -> list[bytes]:
    return [
        sr.block_action(
            Action.CLAIM,
            f"{id_}:{version}",
            user_id=TECH_1,
            channel=TEAM_CHANNEL,
            message_ts=ts,
            response_url=fake.response_url("b"),
        )
        for id_, version, ts in cards
    ]


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


async def measure(
    url: str, backend: str, count: int, connection_counts: list[int], workloads: list[str]
) -> list[dict[str, Any]]:
    await file_work_orders(url, count * len(connection_counts))
    db = Database(url)
    rows = []
    async with remote_slack() as fake:
        with tempfile.TemporaryDirectory() as folder:
            env = wrench_env(Path(folder), url, fake, **NO_PACING)
            log = (Path(folder) / "wrench.log").open("wb")
            wrench = await start_wrench(env, log=log)
            try:
                cards = await cards_to_claim(db, fake)
                wrench_url = f"http://127.0.0.1:{env['PORT']}"
                async with yardstick(fake) as bare_url:
                    for target in (wrench_url, bare_url):
                        await load(target, commands(fake, WARM_UP), 8)
                    await settled(db, fake, WARM_UP, wrench_url=wrench_url)
                    for n, connections in enumerate(connection_counts):
                        mine = cards[n * count : (n + 1) * count]
                        for workload in workloads:
                            bodies = commands(fake, count) if workload == "/request" else claims(fake, mine)
                            line = {"backend": backend, "workload": workload, "connections": connections}
                            latencies, seconds = await load(bare_url, bodies, connections)
                            rows.append(line | figures("bare bolt", latencies, seconds))
                            modals = await fake.calls("views.open") + (count if workload == "/request" else 0)
                            started = time.perf_counter()
                            latencies, seconds = await load(wrench_url, bodies, connections)
                            await settled(
                                db, fake, modals, wrench_url=wrench_url
                            )  # the next line starts with nothing left
                            done = time.perf_counter() - started
                            rows.append(line | figures("wrench", latencies, seconds) | {"done": count / done})
            finally:
                code, _ = await stop_wrench(wrench)
                log.close()
                if code != 0:
                    print((Path(folder) / "wrench.log").read_text()[-3000:], file=sys.stderr)
    await db.dispose()
    return rows


def figures(app: str, latencies: list[float], seconds: float) -> dict[str, Any]:
    return {
        "app": app,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "rps": len(latencies) / seconds,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per workload and connection count")
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workload", choices=WORKLOADS, nargs="+", default=list(WORKLOADS))
    parser.add_argument("--sustained", action="store_true", help="fixed time per line beside two yardsticks")
    parser.add_argument("--seconds", type=float, default=30, help="sustained: seconds of load per app and line")
    parser.add_argument("--rounds", type=int, default=3, help="sustained: turns each app's time is split into")
    parser.add_argument("--client", choices=("wrk", "python"), default="wrk", help="sustained: the load generator")
    parser.add_argument("--claims", type=int, default=6000, help="sustained: work orders filed per Claim line")
    args = parser.parse_args()
    if args.sustained:
        from bench import sustained  # it imports this module

        await sustained.main(args)
        return
    rows: list[dict[str, Any]] = []
    if args.backend in ("sqlite", "both"):
        async with sqlite_database() as url:
            rows += await measure(url, "sqlite", args.requests, args.connections, args.workload)
    server = os.environ.get("BENCH_POSTGRES_URL")
    if args.backend == "postgresql" and not server:
        raise SystemExit("set BENCH_POSTGRES_URL=postgresql+asyncpg://USER@HOST:PORT/postgres")
    if args.backend in ("postgresql", "both") and server:
        async with postgres_database(server) as url:
            rows += await measure(url, "postgresql", args.requests, args.connections, args.workload)
    print(f"ack latency, {args.requests} requests per line, {date.today()}, {os.cpu_count()} CPUs")
    print("done/s: Wrench's requests per second counted until its work was done (outbox empty, modals open)")
    print(
        f"{'backend':<11}{'workload':<10}{'conns':>6}  {'app':<10}{'p50 ms':>8}{'p99 ms':>8}{'req/s':>8}"
        f"{'vs bare':>9}{'done/s':>8}"
    )
    bare = {(r["backend"], r["workload"], r["connections"]): r["rps"] for r in rows if r["app"] == "bare bolt"}
    for r in rows:
        share = r["rps"] / bare[(r["backend"], r["workload"], r["connections"])]
        done = f"{r['done']:>8.0f}" if "done" in r else ""
        print(
            f"{r['backend']:<11}{r['workload']:<10}{r['connections']:>6}  {r['app']:<10}"
            f"{r['p50']:>8.1f}{r['p99']:>8.1f}{r['rps']:>8.0f}{share:>9.2f}{done}"
        )


if __name__ == "__main__":
    asyncio.run(main())
