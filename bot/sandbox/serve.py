"""`wrench sandbox`: pick the database and the organisation, seed the demo data, serve until stopped."""

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.sandbox import demo
from bot.sandbox.clock import MovableClock
from bot.sandbox.startup import sandbox
from models import migrate
from models.db import Database
from models.work_orders import WorkOrder
from services.organisation.config_file import load_organisation
from services.organisation.org import Organisation

SANDBOX_FILE = "wrench-sandbox.db"
BANNER = "Wrench sandbox on {url} (a local stand-in for Slack, not Slack)"
Seed = Callable[..., Awaitable[Any]]  # demo.seed(db, org, now=...)


def database_url(reset: bool) -> str:
    """DATABASE_URL if set, else the sandbox's own SQLite file here (deleted first with `reset`)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    path = Path.cwd() / SANDBOX_FILE
    if reset:
        path.unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


def organisation() -> tuple[Organisation, Seed | None]:
    """(organisation, seed): wrench.yml's when there is one (no demo data), else the demo's."""
    config = Path(os.environ.get("WRENCH_CONFIG") or "wrench.yml")
    if config.is_file():
        return load_organisation(config), None
    return demo.demo_organisation(), demo.seed


async def prepare(url: str, org: Organisation, seed: Seed | None, clock: MovableClock, *, empty: bool) -> None:
    """Migrate (SQLite and PostgreSQL alike), then seed the demo data into a database with no work orders."""
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        if seed is None or empty:
            return
        async with db.unit_of_work() as session:
            count = (await session.execute(select(func.count()).select_from(WorkOrder))).scalar_one()
        if not count:
            await seed(db, org, now=clock())
    finally:
        await db.dispose()


async def serve(*, host: str, port: int, empty: bool, reset: bool, rate_limits: bool, strict: bool) -> None:
    url = database_url(reset)
    org, seed = organisation()
    clock = MovableClock()
    await prepare(url, org, seed, clock, empty=empty)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with sandbox(org, url, host=host, port=port, clock=clock, rate_limits=rate_limits, strict=strict) as box:
        print(BANNER.format(url=box.url), flush=True)
        await stop.wait()
