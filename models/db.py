"""Engine, session factory and the unit of work (one transaction, committed once)."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, exc, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm.exc import StaleDataError

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_SECONDS = 30
POSTGRES_POOL_SIZE = 10  # connections each process keeps open (the scheduler's, the outbox's, the listeners')
POSTGRES_POOL_OVERFLOW = 10  # opened beyond those while a burst lasts, closed once returned
PING_AFTER_IDLE_SECONDS = 1.0  # a pooled connection resting longer is checked before it is handed out


def make_engine(url: str, *, idle_clock: Callable[[], float] = time.monotonic, **kwargs: Any) -> AsyncEngine:
    """An engine tuned for the backend: SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL a
    kept pool whose connections are checked after a rest (`ping_when_idle`, timed by `idle_clock`)."""
    if make_url(url).get_backend_name() != "sqlite":
        # Connections are kept, not opened per burst: beyond `pool_size` a returned connection is closed, and
        # PostgreSQL starts a process for every new one (a burst of clicks would spend its CPU on that).
        pooled = {"pool_size": POSTGRES_POOL_SIZE, "max_overflow": POSTGRES_POOL_OVERFLOW} | kwargs
        engine = create_async_engine(url, **pooled)
        ping_when_idle(engine, PING_AFTER_IDLE_SECONDS, idle_clock)
        return engine
    engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # The driver would start a transaction only at the first write, so a SAVEPOINT before any write
        # would open (and its RELEASE commit) a transaction of its own: half a unit of work committed.
        # Wrench says BEGIN itself (below).
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only; searches lower the term in Python: make both the same
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if make_url(url).database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        # IMMEDIATE: take the write lock at the start (waiting up to the busy timeout), so a unit of
        # work that reads and then writes never fails half-way on a lock another writer took meanwhile.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def ping_when_idle(engine: AsyncEngine, idle_seconds: float, monotonic: Callable[[], float] = time.monotonic) -> None:
    """Check a pooled connection before handing it out if it rested more than `idle_seconds`.

    SQLAlchemy's `pool_pre_ping` checks every checkout, and on asyncpg a check is three round trips
    (BEGIN, a query, ROLLBACK): under load that was most of what a unit of work sent. A connection
    returned moments ago is as sure as a check. What the check is for (the server restarted, a
    firewall dropped an idle connection) happens to connections at rest; one cut off while in use fails
    its unit of work, and SQLAlchemy then replaces every connection of the pool.
    """
    returned_at = "wrench_returned_at"

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[returned_at] = monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_rested(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(returned_at)
        if returned is None or monotonic() - returned <= idle_seconds:  # new, or back moments ago
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool replaces it (and the others of its age) and hands out another
            raise exc.InvalidatePoolError(f"a pooled connection did not answer: {error}") from error


def dialect_insert(session: AsyncSession, table: type) -> Any:
    """An INSERT in the dialect of the session's database, so it offers ON CONFLICT clauses."""
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class Database:
    """Owns the engine; hands out units of work."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Called with `session.info` after each commit of `run` (the webhook worker wakes on a flag there).
        self.after_commit: list[Callable[[dict[Any, Any]], None]] = []
        # SQLite has one writer at a time and every unit of work begins IMMEDIATE. Writers of this process
        # queue here, in order, instead of in SQLite's busy handler, which polls with sleeps of up to
        # 100 ms and so leaves the lock idle under load. Other processes still meet the busy timeout.
        self._writers: asyncio.Lock | None = asyncio.Lock() if self.backend == "sqlite" else None

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None for PostgreSQL and in-memory SQLite."""
        database = self.engine.url.database
        if self.backend != "sqlite" or database in (None, "", ":memory:"):
            return None
        return Path(database).resolve()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed if the block succeeds, rolled back if it raises."""
        async with self._turn(), self.sessions() as session, session.begin():
            yield session

    def _turn(self) -> AbstractAsyncContextManager[Any]:
        return self._writers if self._writers is not None else contextlib.nullcontext()

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, attempts: int = 3) -> T:
        """Run `work` in a unit of work, retrying when a concurrent writer changed the same row.

        A retry re-reads the row, so the domain rules see the winner's state and can refuse with a
        precise reason ("already claimed by ...") instead of overwriting it.
        """
        for attempt in range(1, attempts + 1):
            try:
                async with self.unit_of_work() as session:
                    result = await work(session)
            except StaleDataError:
                if attempt == attempts:
                    raise
                await asyncio.sleep(0)
                continue
            for hook in self.after_commit:
                hook(session.info)
            return result
        raise AssertionError("unreachable")

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
