"""Scheduler benchmark: one SLA + PM tick and one digest build against a large database.

    python -m bench.scheduler                      # SQLite, and PostgreSQL when BENCH_POSTGRES_URL is set
    python -m bench.scheduler --work-orders 20000 --schedules 2000 --backend sqlite

Seeds 100,000 open work orders (a few hundred overdue or near their warning point, as in a real
backlog) and 10,000 PM schedules (a few dozen due today), then times: the first tick (it warns,
escalates and generates what is due), a steady tick (nothing left to do), and a digest build for the
busiest team. Prints milliseconds and the process's peak RSS. PostgreSQL runs in a scratch database
created and dropped on the server named by BENCH_POSTGRES_URL (default: none; CI's server is
postgresql+asyncpg://postgres@127.0.0.1:5432/postgres).
"""

import argparse
import asyncio
import itertools
import os
import random
import re
import resource
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import event, insert, text, update

from bench.scratch import postgres_database, sqlite_database
from models import migrate
from models.counters import Counter
from models.db import Database
from models.maintenance import PmSchedule
from models.work_orders import WorkOrder
from services.maintenance import pm_generation
from services.organisation.org import Organisation, parse_organisation
from services.reporting import digest
from services.sla import watch

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEAMS = ("facilities", "it", "grounds", "security")
CONFIG = (
    """
timezone: Europe/London
teams:
"""
    + "".join(
        f"  - {{key: {team}, name: {team.title()}, channel: C0{team.upper()[:7]}, managers: [U0MGR{n}]}}\n"
        for n, team in enumerate(TEAMS)
    )
    + """categories:
"""
    + "".join(f"  - {{key: {team}-general, name: {team.title()} general, team: {team}}}\n" for team in TEAMS)
    + """
sla:
  low: {respond: 1d, resolve: 14d}
  medium: {respond: 4h, resolve: 3d}
  high: {respond: 1h, resolve: 1d}
  urgent: {respond: 15m, resolve: 4h}
"""
)
CHUNK = 5_000


def work_order_rows(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for number in range(1, count + 1):
        team = TEAMS[number % len(TEAMS)]
        created = NOW - timedelta(minutes=rng.randint(1, 60 * 48))
        # most work is comfortably in time (under 2/3 of it used); 0.3% has just run late, 0.3% is past its
        # warning point
        roll = rng.random()
        due = created + timedelta(days=3)
        if roll < 0.003:
            due = NOW - timedelta(minutes=rng.randint(1, 50))
        elif roll < 0.006:
            due = NOW + timedelta(minutes=rng.randint(1, 30))
        yield (
            {
                "number": number,
                "title": f"Job {number}",
                "description": "",
                "type": "corrective",
                "priority": rng.choice(("low", "medium", "high", "urgent")),
                "status": rng.choice(("open", "open", "in_progress", "on_hold")),
                "category": f"{team}-general",
                "team": team,
                "location": "",
                "requester_id": f"U0STAFF{number % 500}",
                "assignee_id": None if rng.random() < 0.3 else f"U0TECH{number % 40}",
                "custom_fields": {},
                "attachments": [],
                "checklist": [],
                "response_due_at": created + timedelta(hours=4),
                "resolution_due_at": due,
                "first_response_at": created + timedelta(hours=1),
                "sla_response": "met",
                "sla_resolution": "ongoing",
                "escalation_level": 0,
                "sla_paused_seconds": 0,
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )


def schedule_rows(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    today = NOW.date()
    for n in range(count):
        due = today + timedelta(days=rng.randint(0, 364))
        yield (
            {
                "title": f"PM {n}",
                "description": "",
                "team": TEAMS[n % len(TEAMS)],
                "category": f"{TEAMS[n % len(TEAMS)]}-general",
                "priority": "medium",
                "checklist": [{"label": "Inspect", "kind": "check"}],
                "repeat": "months",
                "every": 12,
                "weekdays": [],
                "starts_on": due,
                "anchor": "fixed",
                "lead_days": 0,
                "non_working": "keep",
                "one_open": True,
                "next_due_on": due,
                "generate_on": due,
                "generated_count": 0,
                "missed": 0,
                "meter_armed": True,
                "created_by": "U0MGR0",
                "version": 1,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )


async def seed(db: Database, work_orders: int, schedules: int) -> None:
    rng = random.Random(42)
    for table, rows in ((WorkOrder, work_order_rows(work_orders, rng)), (PmSchedule, schedule_rows(schedules, rng))):
        while chunk := list(itertools.islice(rows, CHUNK)):  # a chunk at a time: the RSS is the scheduler's
            async with db.unit_of_work() as session:
                await session.execute(insert(table), chunk)
    async with db.unit_of_work() as session:
        await session.execute(update(Counter).where(Counter.name == "work_order").values(value=work_orders))
    if db.backend == "postgresql":
        async with db.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("ANALYZE"))


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await work()
    return (time.perf_counter() - started) * 1000, result


async def tick(db: Database, org: Organisation) -> tuple[int, int]:
    escalated = await db.run(partial(watch.check, org=org, now=NOW))
    generated = await db.run(partial(pm_generation.check, org=org, now=NOW))
    return len(escalated), len(generated.created)


async def measure(url: str, org: Organisation, work_orders: int, schedules: int) -> dict[str, Any]:
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        started = time.perf_counter()
        await seed(db, work_orders, schedules)
        seeded = time.perf_counter() - started
        first_ms, (escalated, generated) = await timed(partial(tick, db, org))
        statements = Statements(db)
        statements.catching = True  # what a steady tick and a digest ask of the database
        steady_ms, steady = await timed(partial(tick, db, org))
        digest_ms, data = await timed(partial(db.run, partial(digest.build, org=org, team=TEAMS[0], now=NOW)))
        plans = await statements.plans()
        return {
            "backend": db.backend,
            "seeded_s": seeded,
            "first_tick_ms": first_ms,
            "warned_or_escalated": escalated,
            "pm_generated": generated,
            "steady_tick_ms": steady_ms,
            "steady_changes": sum(steady),
            "digest_ms": digest_ms,
            "digest_open": data.open,
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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=100_000)
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    org = parse_organisation(CONFIG)
    results = []
    if args.backend in ("sqlite", "both"):
        async with sqlite_database() as url:
            results.append(await measure(url, org, args.work_orders, args.schedules))
    server = os.environ.get("BENCH_POSTGRES_URL")
    if args.backend == "postgresql" and not server:
        raise SystemExit("set BENCH_POSTGRES_URL=postgresql+asyncpg://USER@HOST:PORT/postgres")
    if args.backend in ("postgresql", "both") and server:
        async with postgres_database(server) as url:
            results.append(await measure(url, org, args.work_orders, args.schedules))
    print(f"{args.work_orders:,} open work orders, {args.schedules:,} PM schedules, {date.today()}")
    print(f"{'backend':<11}{'seed s':>8}{'1st tick ms':>13}{'(changes)':>11}{'steady tick ms':>16}{'digest ms':>11}")
    for r in results:
        changes = r["warned_or_escalated"] + r["pm_generated"]
        print(
            f"{r['backend']:<11}{r['seeded_s']:>8.1f}{r['first_tick_ms']:>13.0f}{changes:>11}"
            f"{r['steady_tick_ms']:>16.0f}{r['digest_ms']:>11.0f}"
        )
    print(f"peak RSS {peak_rss_mb():.0f} MB")
    for r in results:
        print(f"\nquery plans, {r['backend']}: each statement of a steady tick and a digest build, and how it reads")
        for statement, reads in r["plans"]:
            scans = full_scans(reads)
            flag = f"  FULL SCAN of {', '.join(scans)}" if scans else ""
            print(f"- {statement[:110]}{'…' if len(statement) > 110 else ''}\n    {reads or '(no table read)'}{flag}")


if __name__ == "__main__":
    asyncio.run(main())
