"""The PostgreSQL pool checks a connection that rested before handing it out (not every checkout), and
`Database.run` runs a unit of work whose backend was terminated again on a fresh connection."""

from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import PING_AFTER_IDLE_SECONDS, Database
from models.outbox import OutboxEntry
from services.delivery import outbox

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"], indirect=True)]


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def backend_pid(db: Database) -> int:
    async with db.unit_of_work() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def cut_off(database_url: str, pid: int) -> None:
    """What a server restart or a firewall does to an idle connection."""
    admin = await asyncpg.connect(make_url(database_url).set(drivername="postgresql").render_as_string(False))
    try:
        await admin.execute("SELECT pg_terminate_backend($1, 5000)", pid)  # waits until it is gone
    finally:
        await admin.close()


def single_connection(database_url: str, clock: Monotonic) -> Database:
    return Database(database_url, pool_size=1, max_overflow=0, idle_clock=clock)


async def test_a_connection_cut_off_while_resting_is_replaced_before_it_is_handed_out(database_url: str) -> None:
    clock = Monotonic()
    db = single_connection(database_url, clock)
    try:
        first = await backend_pid(db)
        await cut_off(database_url, first)
        clock.now += PING_AFTER_IDLE_SECONDS + 0.1  # rested longer: checked, found dead, replaced
        assert await backend_pid(db) != first
    finally:
        await db.dispose()


async def test_a_connection_back_moments_ago_is_not_checked(database_url: str) -> None:
    """The other side of the bargain: no check (three round trips on asyncpg) for a connection in use
    moments ago, so one cut off in that moment fails its unit of work, and the pool is renewed."""
    clock = Monotonic()
    db = single_connection(database_url, clock)
    statements: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        first = await backend_pid(db)
        assert len(statements) == 1  # no check on a fresh connection either
        await backend_pid(db)
        assert len(statements) == 2
        await cut_off(database_url, first)
        clock.now += PING_AFTER_IDLE_SECONDS / 2
        with pytest.raises(DBAPIError) as failed:
            await backend_pid(db)
        assert failed.value.connection_invalidated
        assert await backend_pid(db) != first
    finally:
        await db.dispose()


async def test_a_unit_of_work_cut_off_mid_transaction_runs_again_on_a_fresh_connection(database_url: str) -> None:
    """A backend terminated while its transaction is open (a failover, a restart): the unit of work is
    run again on a fresh connection, and what it wrote is there once."""
    db = Database(database_url)
    pids: list[int] = []

    async def work(session: AsyncSession) -> None:
        pids.append(int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()))
        outbox.message(session, "C1", f"try {len(pids)}", now=datetime(2026, 3, 2, tzinfo=UTC))
        await session.flush()
        if len(pids) == 1:
            await cut_off(database_url, pids[0])
        await session.execute(text("SELECT 1"))

    try:
        await db.run(work)
        assert len(pids) == 2 and pids[1] != pids[0]
        async with db.unit_of_work() as session:
            texts = list(await session.scalars(select(OutboxEntry.payload)))
        assert [payload["text"] for payload in texts] == ["try 2"]
    finally:
        await db.dispose()


async def test_every_connection_cut_while_resting_is_ridden_out(database_url: str) -> None:
    """The pool's connections, returned moments ago (so not checked), all terminated at once: `run`
    fails on the dead one, SQLAlchemy renews the pool, and the retry works."""
    clock = Monotonic()
    db = single_connection(database_url, clock)
    try:
        first = await db.run(_pid)
        await cut_off(database_url, first)
        assert await db.run(_pid) != first
    finally:
        await db.dispose()


async def _pid(session: AsyncSession) -> int:
    return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())
