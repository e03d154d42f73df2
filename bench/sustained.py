"""Sustained load for `python -m bench.ack --sustained`: a fixed time at each number of connections, Wrench
beside two bolt apps in the same run, taking turns.

The yardsticks: the ack-only app (bench/bare_app.py) and a minimal app doing the same job
(bench/same_job_app.py: `views.open` after a `/request`, a `chat.update` after a Claim). Each line is
`--rounds` rounds; in each round every app has `seconds / rounds` of load in turn, the order rotating, so
what else the machine does falls on all of them alike. After each of Wrench's turns the bench times its
settling: from the end of the load until no acknowledged request waits for its work
(`wrench_slack_work_in_flight`), the outbox is empty and every modal is open; the next turn starts after.

During Wrench's turns it samples the Wrench process's resident memory (`/proc/PID/status`, every 0.2 s)
and, sparingly (every 2 s: a scrape makes Wrench read its gauges from the database), its backlog from
`/metrics`. Each Claim Wrench acknowledges is on a work order of its own; afterwards the work orders
claimed in the database are counted against the clicks answered 200.
"""

import argparse
import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench import ack
from bench import load as loads
from bench.scratch import postgres_database, sqlite_database
from bench.slack_process import RemoteSlack, remote_slack
from blocks.ids import Callback
from models import migrate
from models.db import Database
from models.schemas import RequestCreate
from models.work_orders import WorkOrder
from services.organisation.config_file import parse_organisation
from services.requests import service as requests
from tests.support.org import CONFIG, STAFF, TECH_1
from tests.support.process import start_wrench, stop_wrench, wrench_env

APPS = ("ack-only", "same job", "wrench")
PER_SECOND = 3000  # distinct bodies written per second of a turn: a trigger_id is good for one modal


@dataclass
class Watch:
    """What is sampled of the Wrench process while it is under load and settling."""

    pid: int
    url: str
    peak_rss_mb: float = 0.0  # this line's
    peak_backlog: float = 0.0  # this line's
    overall_rss_mb: float = 0.0
    backlog_seen: list[float] = field(default_factory=list)

    def new_line(self) -> None:
        self.peak_rss_mb = self.peak_backlog = 0.0

    def rss(self) -> None:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.peak_rss_mb = max(self.peak_rss_mb, int(line.split()[1]) / 1024)
                    self.overall_rss_mb = max(self.overall_rss_mb, self.peak_rss_mb)

    async def during(self, work: asyncio.Task[Any]) -> None:
        async with aiohttp.ClientSession() as http:
            next_scrape = time.monotonic() + 1.0
            while not work.done():
                self.rss()
                if time.monotonic() >= next_scrape:
                    next_scrape = time.monotonic() + 2.0
                    backlog = await ack.work_in_flight(http, self.url)
                    self.backlog_seen.append(backlog)
                    self.peak_backlog = max(self.peak_backlog, backlog)
                await asyncio.wait([work], timeout=0.2)


async def file_work_orders(url: str, count: int, batch: int = 200) -> None:
    """`count` requests filed as work orders, `batch` to a unit of work (one each takes minutes at 10,000)."""
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        org, now = parse_organisation(CONFIG), datetime.now(UTC)

        async def some(session: AsyncSession, first: int, last: int) -> None:
            for n in range(first, last):
                request = RequestCreate(title=f"Leak {n}", category="plumbing", description="Water under the sink")
                await requests.submit(session, org=org, now=now, requester_id=STAFF, request=request)

        for first in range(0, count, batch):
            await db.run(partial(some, first=first, last=min(count, first + batch)))
    finally:
        await db.dispose()


async def claimed(db: Database) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).where(WorkOrder.assignee_id == TECH_1)) or 0)


async def settle_time(db: Database, fake: RemoteSlack, modals: int, wrench_url: str, watch: Watch) -> float:
    started = time.perf_counter()
    modal_id = Callback.REQUEST_MODAL  # the same-job app's modals are not Wrench's
    waiting = asyncio.create_task(ack.settled(db, fake, modals, wrench_url=wrench_url, modal_id=modal_id))
    while not waiting.done():
        watch.rss()
        await asyncio.wait([waiting], timeout=0.2)
    await waiting
    return time.perf_counter() - started


async def measure(
    url: str,
    backend: str,
    *,
    seconds: float,
    connection_counts: list[int],
    workloads: list[str],
    rounds: int,
    client: str,
    claims: int,
) -> list[dict[str, Any]]:
    """Rows of figures per app, workload and number of connections; `claims` work orders are filed for each
    of Wrench's Claim lines (a turn that uses them up goes round them again, and says so)."""
    claim_lines = sum(1 for _ in connection_counts) if "claim" in workloads else 0
    await file_work_orders(url, claims * claim_lines)
    db = Database(url)
    rows: list[dict[str, Any]] = []
    async with remote_slack() as fake:
        with tempfile.TemporaryDirectory(prefix="ack-") as folder:
            scratch = Path(folder)
            env = wrench_env(scratch, url, fake, **ack.NO_PACING)
            log = (scratch / "wrench.log").open("wb")
            wrench = await start_wrench(env, log=log)
            wrench_url = f"http://127.0.0.1:{env['PORT']}"
            watch = Watch(wrench.pid, wrench_url)
            try:
                cards = await ack.cards_to_claim(db, fake)
                async with (
                    ack.yardstick(fake, "bench.bare_app", log=log) as bare_url,
                    ack.yardstick(fake, "bench.same_job_app", log=log) as same_url,
                ):
                    urls = dict(zip(APPS, (bare_url, same_url, wrench_url), strict=True))
                    for target in urls.values():
                        await ack.load(target, ack.commands(fake, ack.WARM_UP), 8)
                    await ack.settled(db, fake, 0, wrench_url=wrench_url)
                    line_number = 0
                    for connections in connection_counts:
                        for workload in workloads:
                            mine = cards[line_number * claims : (line_number + 1) * claims]
                            if workload == "claim":
                                line_number += 1
                            rows += await one_line(
                                db, fake, scratch, urls, watch, backend, workload, connections, mine,
                                seconds=seconds, rounds=rounds, client=client,
                            )  # fmt: skip
                    rows.append({"backend": backend, "claimed": await claimed(db), "peak_rss": watch.overall_rss_mb})
            finally:
                code, _ = await stop_wrench(wrench)
                log.close()
                if code != 0:
                    print((scratch / "wrench.log").read_text()[-3000:])
    await db.dispose()
    return rows


async def one_line(
    db: Database,
    fake: RemoteSlack,
    scratch: Path,
    urls: dict[str, str],
    watch: Watch,
    backend: str,
    workload: str,
    connections: int,
    cards: list[tuple[int, int, str]],
    *,
    seconds: float,
    rounds: int,
    client: str,
) -> list[dict[str, Any]]:
    turns: dict[str, list[dict[str, Any]]] = {app: [] for app in APPS}
    settles: list[float] = []
    watch.new_line()
    used = 0  # Wrench's claims so far on this line: each round goes on with work orders not clicked yet
    for round_number in range(rounds):
        order = APPS[round_number % len(APPS) :] + APPS[: round_number % len(APPS)]
        for app in order:
            if workload == "/request":
                bodies = ack.commands(fake, int(PER_SECOND * seconds / rounds))
            elif app == "wrench":
                bodies = ack.claims(fake, cards[used:] or cards)
            else:  # the yardsticks keep nothing: any click will do
                bodies = ack.claims(fake, cards[: int(PER_SECOND * seconds / rounds)])
            path = scratch / f"bodies-{app.replace(' ', '-')}.txt"
            loads.write_bodies(path, bodies)
            if app != "wrench":
                turns[app].append(await loads.run(client, urls[app], path, connections, seconds / rounds))
                continue
            modals = await fake.calls("views.open", callback_id=Callback.REQUEST_MODAL)
            work = asyncio.create_task(loads.run(client, urls[app], path, connections, seconds / rounds))
            await watch.during(work)
            figures = work.result()
            if workload == "/request":
                modals += figures["answered"]
            else:
                # each click is used once, whatever its answer; those cut off at the end may have been acknowledged
                used += figures["answered"] + figures["not_200"] + connections
            settles.append(await settle_time(db, fake, modals, urls[app], watch))
            turns[app].append(figures)
    line = {"backend": backend, "workload": workload, "connections": connections}
    rows = [line | combined(app, turns[app]) for app in APPS]
    rows[-1] |= {"settle": max(settles), "backlog": watch.peak_backlog, "peak_rss": watch.peak_rss_mb}
    return rows


def combined(app: str, turns: list[dict[str, Any]]) -> dict[str, Any]:
    """One app's rounds as one line: answers per second over all of them, the highest p99 of any round."""
    answered = sum(t["answered"] for t in turns)
    return {
        "app": app,
        "answered": answered,
        "rps": answered / sum(t["seconds"] for t in turns),
        "p50": max(t["p50"] for t in turns),
        "p99": max(t["p99"] for t in turns),
        "refused": sum(t["not_200"] for t in turns),
        "errors": sum(t["socket_errors"] for t in turns),
        "wrapped": sum(t["wrapped"] for t in turns),
    }


def report(rows: list[dict[str, Any]], seconds: float, rounds: int, client: str) -> None:
    print(f"sustained ack load, {seconds:g} s per app and line in {rounds} rounds, client {client}, {date.today()}")
    print("vs: Wrench's answers/s as a share of the yardstick's (/request: same-job app; Claim: ack-only app)")
    print(
        f"{'backend':<11}{'workload':<10}{'conns':>6}  {'app':<9}{'p50 ms':>8}{'p99 ms':>8}{'req/s':>8}{'vs':>6}"
        f"{'refused':>8}{'backlog':>8}{'RSS MB':>8}{'settle s':>9}"
    )
    lines = [r for r in rows if "app" in r]
    for r in lines:
        key = (r["backend"], r["workload"], r["connections"])
        yardstick = "same job" if r["workload"] == "/request" else "ack-only"
        base = next(
            x["rps"] for x in lines if (x["backend"], x["workload"], x["connections"]) == key and x["app"] == yardstick
        )
        share = f"{r['rps'] / base:>6.2f}" if r["app"] == "wrench" else ""
        extra = f"{r['backlog']:>8.0f}{r['peak_rss']:>8.0f}{r['settle']:>9.1f}" if r["app"] == "wrench" else ""
        print(
            f"{r['backend']:<11}{r['workload']:<10}{r['connections']:>6}  {r['app']:<9}{r['p50']:>8.1f}{r['p99']:>8.1f}"
            f"{r['rps']:>8.0f}{share:>6}{r['refused']:>8}{extra}"
        )
        if r["wrapped"] and r["app"] == "wrench" and r["workload"] == "claim":
            print(f"  ! Wrench went round its {r['workload']} work orders again: raise --claims")
    for r in rows:
        if "claimed" in r:
            wrench_claims = [x for x in lines if x["backend"] == r["backend"] and x["app"] == "wrench"]
            acked = sum(x["answered"] for x in wrench_claims if x["workload"] == "claim")
            if any(x["wrapped"] for x in wrench_claims if x["workload"] == "claim"):
                verdict = "not a check: clicks went round the work orders again"
            else:
                verdict = "none lost" if r["claimed"] >= acked else f"LOST {acked - r['claimed']}"
            print(
                f"{r['backend']}: {acked} claims answered 200, {r['claimed']} work orders claimed in the database "
                f"({verdict}); Wrench's peak RSS {r['peak_rss']:.0f} MB"
            )


async def main(args: argparse.Namespace) -> None:
    """`python -m bench.ack --sustained ...`: both databases (PostgreSQL when BENCH_POSTGRES_URL is set)."""
    if args.client == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (or run with --client python)")
    options = {
        "seconds": args.seconds,
        "connection_counts": args.connections,
        "workloads": args.workload,
        "rounds": args.rounds,
        "client": args.client,
        "claims": args.claims,
    }
    rows: list[dict[str, Any]] = []
    if args.backend in ("sqlite", "both"):
        async with sqlite_database() as url:
            rows += await measure(url, "sqlite", **options)
    server = os.environ.get("BENCH_POSTGRES_URL")
    if args.backend == "postgresql" and not server:
        raise SystemExit("set BENCH_POSTGRES_URL=postgresql+asyncpg://USER@HOST:PORT/postgres")
    if args.backend in ("postgresql", "both") and server:
        async with postgres_database(server) as url:
            rows += await measure(url, "postgresql", **options)
    report(rows, args.seconds, args.rounds, args.client)
