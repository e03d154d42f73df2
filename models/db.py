"""Engine, session factory and the unit of work (one transaction, committed once)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm.exc import StaleDataError

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_SECONDS = 30
POSTGRES_POOL_SIZE = 10  # connections each process keeps open (the scheduler's, the outbox's, the listeners')
POSTGRES_POOL_OVERFLOW = 10  # opened beyond those while a burst lasts, closed once returned


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine tuned for the backend: SQLite gets WAL, foreign keys and a busy timeout."""
    if make_url(url).get_backend_name() != "sqlite":
        # Connections are kept, not opened per burst: beyond `pool_size` a returned connection is closed, and
        # PostgreSQL starts a process for every new one (a burst of clicks would spend its CPU on that).
        pooled = {"pool_size": POSTGRES_POOL_SIZE, "max_overflow": POSTGRES_POOL_OVERFLOW} | kwargs
        return create_async_engine(url, pool_pre_ping=True, **pooled)
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
