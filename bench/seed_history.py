"""The scheduler benchmark's seed: a site's history of work orders, kept per size for the next runs.

    python -m bench.seed_history sqlite|postgresql WORK_ORDERS SCHEDULES

prints the cached database (a SQLite file, or a PostgreSQL template database on BENCH_POSTGRES_URL),
seeding it first when it is missing (then it prints `seeded` before it). The history is a site filing
`RATE` work orders a day, the newest filed just before `NOW`: priorities, SLA targets and how long the
work took drawn at random (seeded, so every run of one size has the same rows); 4% cancelled, 5% later
than their resolution target, the rest in time. What is open at `NOW` is in the state a scheduler that
last ticked at `LAST_TICK` left it (warnings, escalations and reminders up to then), so the first tick
catches up half an hour of work and a steady tick finds nothing. Changing the shape of the rows means a
new `SEED_VERSION`, so no run reads a cache of the old shape.
"""

import asyncio
import itertools
import os
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import insert, text, update
from sqlalchemy.engine import make_url

from models import migrate
from models.counters import Counter
from models.db import Database
from models.maintenance import PmSchedule
from models.places import Asset
from models.work_orders import WorkOrder

SEED_VERSION = 1
CACHE = Path("/tmp/sched-bench-cache")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LAST_TICK = NOW - timedelta(minutes=30)  # the open work is as a scheduler left it then
RATE = 1_000  # work orders filed a day
ASSETS = 2_000
TICK = timedelta(seconds=30)  # how long after a breach a scheduler escalated it
CONFIRMED_AFTER = timedelta(days=3)  # completed work is closed this long after
TEAMS = ("facilities", "it", "grounds", "security")
PRIORITIES = (("low", 0.30), ("medium", 0.45), ("high", 0.20), ("urgent", 0.05))
TARGETS = {  # (respond, resolve), as in CONFIG
    "low": (timedelta(days=1), timedelta(days=14)),
    "medium": (timedelta(hours=4), timedelta(days=3)),
    "high": (timedelta(hours=1), timedelta(days=1)),
    "urgent": (timedelta(minutes=15), timedelta(hours=4)),
}
WARN_AT = 0.75
LEVEL_2_AFTER = timedelta(hours=4)
REMIND_EVERY = timedelta(hours=2)
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


def _escalations(breached_at: datetime | None, until: datetime) -> dict[str, Any]:
    """The escalation columns of work breached at `breached_at` as the scheduler left them by `until`."""
    if breached_at is None or breached_at + TICK > until:
        return {"escalation_level": 0, "escalated_at": None}
    escalated_at, level = breached_at + TICK, 1
    if escalated_at + LEVEL_2_AFTER + TICK <= until:
        escalated_at, level = escalated_at + LEVEL_2_AFTER + TICK, 2
    return {"escalation_level": level, "escalated_at": escalated_at}


def work_order_row(number: int, count: int, rng: random.Random) -> dict[str, Any]:
    created = NOW - timedelta(days=(count - number + rng.random()) / RATE)
    priority = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
    respond, resolve = TARGETS[priority]
    team = TEAMS[number % len(TEAMS)]
    response_due, resolution_due = created + respond, created + resolve
    responded = created + respond * rng.uniform(0.05, 1.3)
    late = rng.random() < 0.05
    completed = created + resolve * (rng.uniform(1.05, 3.0) if late else rng.uniform(0.05, 0.95))
    completed = max(completed, responded + timedelta(minutes=5))
    cancelled = created + respond * rng.uniform(0.05, 0.5) if rng.random() < 0.04 else None
    technician = f"U0TECH{rng.randrange(40)}"
    warn_point = created + resolve * WARN_AT
    row: dict[str, Any] = {
        "number": number,
        "title": f"Job {number}",
        "description": "",
        "type": "corrective" if rng.random() < 0.75 else "preventive",
        "priority": priority,
        "category": f"{team}-general",
        "team": team,
        "location": "",
        "asset_id": rng.randint(1, ASSETS) if rng.random() < 0.7 else None,
        "requester_id": f"U0STAFF{rng.randrange(500)}",
        "custom_fields": {},
        "attachments": [],
        "checklist": [],
        "response_due_at": response_due,
        "resolution_due_at": resolution_due,
        "sla_paused_seconds": 0,
        "version": 3,
        "created_at": created,
    }
    if cancelled is not None and cancelled <= NOW:
        answered = responded <= cancelled
        return row | {
            "status": "cancelled",
            "assignee_id": technician if answered else None,
            "first_response_at": responded if answered else None,
            "closed_at": cancelled,
            "sla_response": ("met" if responded <= response_due else "breached") if answered else "ongoing",
            "sla_resolution": "ongoing",
            "escalation_level": 0,
            "updated_at": cancelled,
        }
    if completed <= NOW:
        closed = completed + CONFIRMED_AFTER
        breaches = [t for t in (resolution_due if completed > resolution_due else None,) if t]
        breaches += [response_due] if responded > response_due else []
        return (
            row
            | {
                "status": "closed" if closed <= NOW else "completed",
                "assignee_id": technician,
                "first_response_at": responded,
                "completed_at": completed,
                "completed_by": technician,
                "closed_at": closed if closed <= NOW else None,
                "resolution": "Fixed",
                "sla_response": "met" if responded <= response_due else "breached",
                "sla_resolution": "met" if completed <= resolution_due else "breached",
                "sla_warned_at": warn_point + TICK if warn_point + TICK <= completed else None,
                "updated_at": min(closed, NOW),
            }
            | _escalations(min(breaches, default=None), completed)
        )
    answered = responded <= LAST_TICK
    held = answered and rng.random() < 0.15
    breaches = [t for t in (resolution_due, None if answered else response_due) if t and t < LAST_TICK]
    escalation = _escalations(min(breaches, default=None), LAST_TICK)
    reminded_at = None
    if escalation["escalated_at"] is not None and not answered:
        reminders = (LAST_TICK - escalation["escalated_at"]) // REMIND_EVERY
        reminded_at = escalation["escalated_at"] + reminders * REMIND_EVERY if reminders else None
    if answered:
        sla_response = "met" if responded <= response_due else "breached"
    else:
        sla_response = "breached" if response_due + TICK <= LAST_TICK else "ongoing"
    return (
        row
        | {
            "status": "on_hold" if held else "in_progress" if answered else "open",
            "assignee_id": technician if answered else None,
            "first_response_at": responded if answered else None,
            "hold_reason": rng.choice(("parts", "vendor", "access", "other")) if held else None,
            "on_hold_since": responded if held else None,
            "sla_response": sla_response,
            "sla_resolution": "breached" if resolution_due + TICK <= LAST_TICK else "ongoing",
            "sla_warned_at": warn_point + TICK if warn_point + TICK <= LAST_TICK else None,
            "reminded_at": reminded_at,
            "updated_at": responded if answered else created,
        }
        | escalation
    )


def work_order_rows(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for number in range(1, count + 1):
        yield work_order_row(number, count, rng)


def asset_rows() -> Iterator[dict[str, Any]]:
    for n in range(1, ASSETS + 1):
        yield {"tag": f"A-{n:05d}", "name": f"Asset {n}", "criticality": "medium", "status": "running"} | {
            "created_at": NOW - timedelta(days=1_500),
            "updated_at": NOW - timedelta(days=1_500),
        }


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
    tables = ((Asset, asset_rows()), (WorkOrder, work_order_rows(work_orders, rng)))
    for table, rows in (*tables, (PmSchedule, schedule_rows(schedules, rng))):
        while chunk := list(itertools.islice(rows, CHUNK)):  # a chunk at a time
            async with db.unit_of_work() as session:
                await session.execute(insert(table), chunk)
    async with db.unit_of_work() as session:
        await session.execute(update(Counter).where(Counter.name == "work_order").values(value=work_orders))
    if db.backend == "postgresql":
        async with db.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))


def cache_name(work_orders: int, schedules: int) -> str:
    """Named after the schema's head too: checkouts with other migrations (branches) share /tmp and the
    PostgreSQL server, and one cannot upgrade a database another migrated past what it knows."""
    return f"wrench_sched_v{SEED_VERSION}_{migrate.head_revision()}_{work_orders}_{schedules}"


async def sqlite_cache(work_orders: int, schedules: int) -> str:
    path = CACHE / f"{cache_name(work_orders, schedules)}.db"
    partial = _partial(path)
    if partial is not None:
        await _seeded(f"sqlite+aiosqlite:///{partial}", work_orders, schedules)
        partial.rename(path)  # the WAL was checkpointed and removed when the last connection closed
    await _upgraded(f"sqlite+aiosqlite:///{path}")
    return str(path)


def _partial(path: Path) -> Path | None:
    """Where to seed the file `path` is to be (leftovers of an interrupted seed removed), or None when it exists."""
    if path.exists():
        return None
    CACHE.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    return partial


async def postgres_cache(server: str, work_orders: int, schedules: int) -> str:
    name = cache_name(work_orders, schedules)
    admin = await asyncpg.connect(make_url(server).set(drivername="postgresql").render_as_string(False))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}_partial"')
            await admin.execute(f'CREATE DATABASE "{name}_partial"')
            partial = make_url(server).set(database=f"{name}_partial").render_as_string(False)
            await _seeded(partial, work_orders, schedules)
            await admin.execute(f'ALTER DATABASE "{name}_partial" RENAME TO "{name}"')
    finally:
        await admin.close()
    await _upgraded(make_url(server).set(database=name).render_as_string(False))
    return name


async def _seeded(url: str, work_orders: int, schedules: int) -> None:
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        await seed(db, work_orders, schedules)
    finally:
        await db.dispose()
    print("seeded")


async def _upgraded(url: str) -> None:
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
    finally:
        await db.dispose()


async def main(backend: str, work_orders: int, schedules: int) -> None:
    if backend == "sqlite":
        print(await sqlite_cache(work_orders, schedules))
    else:
        print(await postgres_cache(os.environ["BENCH_POSTGRES_URL"], work_orders, schedules))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
