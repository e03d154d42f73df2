"""Scheduler benchmark: one SLA + PM tick and one digest against a database with years of history.

    python -m bench.scheduler                      # SQLite, and PostgreSQL when BENCH_POSTGRES_URL is set
    python -m bench.scheduler --work-orders 1000000 --schedules 10000 --backend sqlite --runs 3

The seed is a site that files about 1,000 work orders a day: `--work-orders` of them make its history
(1,000,000 are 2.7 years; 10,000 the last ten days), almost all of it completed, closed or cancelled, with
the few thousand that are open now in the state a scheduler that last ticked 30 minutes ago left them
(warned, escalated, reminded), and 10,000 PM schedules (a few dozen due today). So the work due now is
about the same at every size, and only the history grows. A seeded database is kept per size and seed
version under /tmp/sched-bench-cache (seeded by a child process, so this process's peak RSS is the
scheduler's) and copied for each run.

Each run times the first tick (it catches up: warns, escalates and generates what is due), a steady tick
(nothing left to do), a first digest (another team's: the first in a process pays for what Python builds
on first use), and then one team's digest (its build and its chart), beside two
yardsticks measured in the same run: an empty unit of work (`SELECT 1` in a transaction) on the same
database, and a fixed piece of Python (how busy the machine is). Then it prints the process's peak RSS
and the plan of every statement of a steady tick and a digest. PostgreSQL runs in a scratch database
copied from the cached one on the server named by BENCH_POSTGRES_URL (CI's server is
postgresql+asyncpg://postgres@127.0.0.1:5432/postgres).
"""

import argparse
import asyncio
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import event, text

from bench import seed_history
from bench.scratch import postgres_database, sqlite_copy
from bench.seed_history import NOW, TEAMS
from models import migrate
from models.db import Database
from services.maintenance import pm_generation
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from services.reporting import digest
from services.sla import watch


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await work()
    return (time.perf_counter() - started) * 1000, result


async def tick(db: Database, org: Organisation) -> tuple[int, int]:
    escalated = await db.run(partial(watch.check, org=org, now=NOW))
    generated = await db.run(partial(pm_generation.check, org=org, now=NOW))
    return len(escalated), len(generated.created)


async def empty_unit_of_work(db: Database) -> None:
    async with db.unit_of_work() as session:
        await session.execute(text("SELECT 1"))


def python_yardstick() -> float:
    """Milliseconds for a fixed piece of Python (dicts, strings, arithmetic): the machine's speed now."""
    started = time.perf_counter()
    found: dict[str, int] = {}
    for n in range(200_000):
        key = f"k{n % 997}"
        found[key] = found.get(key, 0) + n * 3 % 7
    return (time.perf_counter() - started) * 1000


async def yardsticks(db: Database) -> tuple[float, float]:
    """(median ms of an empty unit of work on `db`, median ms of the Python yardstick)."""
    trips = [(await timed(partial(empty_unit_of_work, db)))[0] for _ in range(21)]
    cpu = [python_yardstick() for _ in range(5)]
    return statistics.median(trips), statistics.median(cpu)


async def measure(url: str, org: Organisation, *, explain: bool) -> dict[str, Any]:
    db = Database(url)
    try:
        await empty_unit_of_work(db)  # a connection open, as a running scheduler has one
        first_ms, (escalated, generated) = await timed(partial(tick, db, org))
        statements = Statements(db)
        statements.catching = explain  # what a steady tick and a digest ask of the database
        steady_ms, steady = await timed(partial(tick, db, org))
        # the first digest in a process also pays for what Python and SQLAlchemy build on first use (once a
        # process, so once a day at most): timed apart, on another team
        cold_ms, _ = await timed(partial(db.run, partial(digest.build, org=org, team=TEAMS[1], now=NOW)))
        build = partial(digest.build, org=org, team=TEAMS[0], now=NOW)
        digest_ms, data = await timed(partial(db.run, build))
        chart = partial(digest.chart_data, org=org, team=TEAMS[0], now=NOW)
        chart_ms, _ = await timed(partial(db.run, chart))
        plans = await statements.plans()
        trip_ms, cpu_ms = await yardsticks(db)
        return {
            "backend": db.backend,
            "first_tick_ms": first_ms,
            "changes": escalated + generated,
            "steady_tick_ms": steady_ms,
            "steady_changes": sum(steady),
            "cold_digest_ms": cold_ms,
            "digest_ms": digest_ms,
            "chart_ms": chart_ms,
            "digest_open": data.open,
            "trip_ms": trip_ms,
            "cpu_ms": cpu_ms,
            "plans": plans,
        }
    finally:
        await db.dispose()


class Statements:
    """The reads and updates a piece of work sends to the database, caught as they go, to explain later."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.seen: dict[str, Any] = {}  # statement -> its first parameters
        self.catching = False
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._caught)

    def _caught(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if self.catching and not many and verb in ("SELECT", "UPDATE", "DELETE"):
            self.seen.setdefault(statement, parameters)

    async def plans(self) -> list[tuple[str, str]]:
        """(statement, how the database reads each table in it) for every statement caught."""
        self.catching = False
        sqlite = self.db.backend == "sqlite"
        explained = []
        async with self.db.engine.connect() as connection:
            for statement, parameters in self.seen.items():
                prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
                rows = (await connection.exec_driver_sql(prefix + statement, parameters)).all()
                steps = [str(row[-1]) if sqlite else str(row[0]) for row in rows]
                explained.append((" ".join(statement.split()), "; ".join(_table_reads(steps))))
            await connection.rollback()
        return explained


def _table_reads(steps: list[str]) -> list[str]:
    """The lines of a plan that say how a table is read (SCAN / SEARCH ... USING INDEX, Seq / Index Scan)."""
    keep = ("SCAN", "SEARCH", "Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Index Scan")
    return [step.strip().lstrip("->").strip() for step in steps if any(word in step for word in keep)]


FULL_SCAN = re.compile(r"^(?:SCAN (\w+)\b(?! USING)|(?:Parallel )?Seq Scan on (\w+))")
BIG_TABLES = {"work_orders", "pm_schedules", "work_order_events", "outbox", "published_events"}


def full_scans(reads: str) -> list[str]:
    """The big tables a plan reads from end to end (no index)."""
    found = [FULL_SCAN.match(read.strip()) for read in reads.split(";")]
    return sorted({m.group(1) or m.group(2) for m in found if m} & BIG_TABLES)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seeded(backend: str, work_orders: int, schedules: int, server: str | None) -> tuple[str, float]:
    """The cached seeded database for this size (seeding it in a child process when missing), upgraded
    to the current schema; and how long that took in seconds (0 when it was there already)."""
    started = time.perf_counter()
    args = [sys.executable, "-m", "bench.seed_history", backend, str(work_orders), str(schedules)]
    done = subprocess.run(args, env=os.environ | {"BENCH_POSTGRES_URL": server or ""}, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr)
    lines = done.stdout.split()
    return lines[-1], (time.perf_counter() - started) if "seeded" in lines else 0.0


async def run_backend(backend: str, org: Organisation, args: argparse.Namespace, server: str | None) -> list[dict]:
    cache, seed_s = seeded(backend, args.work_orders, args.schedules, server)
    results = []
    for run in range(args.runs):
        copy = sqlite_copy(cache) if backend == "sqlite" else postgres_database(server or "", template=cache)
        async with copy as url:
            db = Database(url)
            try:
                await migrate.upgrade(db.engine)  # a no-op unless a migration came after the cache was made
            finally:
                await db.dispose()
            found = await measure(url, org, explain=run == args.runs - 1)
            results.append(found | {"run": run + 1, "seed_s": seed_s})
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=100_000)
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--runs", type=int, default=1, help="measurements, each on a fresh copy of the seed")
    args = parser.parse_args()
    org = parse_organisation(seed_history.CONFIG)
    server = os.environ.get("BENCH_POSTGRES_URL") or None
    if args.backend == "postgresql" and not server:
        raise SystemExit("set BENCH_POSTGRES_URL=postgresql+asyncpg://USER@HOST:PORT/postgres")
    backends = [b for b in ("sqlite", "postgresql") if args.backend in (b, "both") and (b == "sqlite" or server)]
    results = []
    for backend in backends:
        results += await run_backend(backend, org, args, server)
    open_now = results[0]["digest_open"] if results else 0
    print(
        f"{args.work_orders:,} work orders of history ({TEAMS[0]}: {open_now:,} open), "
        f"{args.schedules:,} PM schedules, {date.today()}"
    )
    head = f"{'backend':<11}{'run':>4}{'1st tick ms':>12}{'(changes)':>10}{'steady ms':>10}"
    print(head + f"{'1st digest':>11}{'digest ms':>10}{'chart ms':>9}{'empty UoW ms':>13}{'python ms':>10}")
    for r in results:
        print(
            f"{r['backend']:<11}{r['run']:>4}{r['first_tick_ms']:>12.0f}{r['changes']:>10}"
            f"{r['steady_tick_ms']:>10.1f}{r['cold_digest_ms']:>11.0f}{r['digest_ms']:>10.1f}{r['chart_ms']:>9.1f}"
            f"{r['trip_ms']:>13.2f}{r['cpu_ms']:>10.1f}"
        )
    for r in results:
        if r["seed_s"] and r["run"] == 1:
            print(f"({r['backend']}: seeded in {r['seed_s']:.0f} s, kept for the next runs)")
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    for r in results:
        if not r["plans"]:
            continue
        print(f"\nquery plans, {r['backend']}: each statement of a steady tick and a digest, and how it reads")
        for statement, reads in r["plans"]:
            scans = full_scans(reads)
            flag = f"  FULL SCAN of {', '.join(scans)}" if scans else ""
            print(f"- {statement[:110]}{'…' if len(statement) > 110 else ''}\n    {reads or '(no table read)'}{flag}")


if __name__ == "__main__":
    asyncio.run(main())
