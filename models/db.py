"""Engine, session factory and the unit of work (one transaction, committed once)."""

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager, asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, exc, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm.exc import StaleDataError

T = TypeVar("T")
log = logging.getLogger("wrench.db")

SQLITE_BUSY_TIMEOUT_SECONDS = 30
POSTGRES_POOL_SIZE = 10  # connections each process keeps open (the scheduler's, the outbox's, the listeners')
POSTGRES_POOL_OVERFLOW = 10  # opened beyond those while a burst lasts, closed once returned
PING_AFTER_IDLE_SECONDS = 1.0  # a pooled connection resting longer is checked before it is handed out
# A unit of work cut off with its connection (a failover, a restart, a proxy) is run again on a fresh one,
# waiting 50 ms, 100 ms, 200 ms... (at most 1 s) between tries, for up to RECONNECT_SECONDS in all.
RECONNECT_SECONDS = 8.0
RECONNECT_FIRST_WAIT = 0.05
RECONNECT_MAX_WAIT = 1.0
# SQLSTATE of a connection that is gone or refused for now: class 08 (connection exception), 57P01 admin
# shutdown (pg_terminate_backend, a fast shutdown), 57P02 crash shutdown, 57P03 cannot connect now (starting up)
LOST_SQLSTATES = ("08", "57P01", "57P02", "57P03")
LOST_MESSAGES = ("connection is closed", "connection was closed", "terminating connection due to administrator command")
_give_up_at: ContextVar[float | None] = ContextVar("wrench_db_give_up_at", default=None)


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


def connection_lost(error: BaseException) -> bool:
    """True when `error` says the database connection was dropped or refused for now (not what the
    work did): SQLAlchemy invalidated the connection, or the driver's error in its chain is one of
    PostgreSQL's connection or shutdown errors, or the socket was refused or reset."""
    seen: set[int] = set()
    chain: list[BaseException] = [error]
    while chain:
        found = chain.pop()
        if id(found) in seen:
            continue
        seen.add(id(found))
        if isinstance(found, exc.DBAPIError) and found.connection_invalidated:
            return True
        if isinstance(found, exc.DisconnectionError | ConnectionError):
            return True
        sqlstate = getattr(found, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(LOST_SQLSTATES):
            return True
        from_driver = type(found).__module__.partition(".")[0] in ("asyncpg", "sqlalchemy")
        if from_driver and any(message in str(found) for message in LOST_MESSAGES):
            return True
        orig = getattr(found, "orig", None)
        chain += [e for e in (orig, found.__cause__, found.__context__) if isinstance(e, BaseException)]
    return False


def dialect_insert(session: AsyncSession, table: type) -> Any:
    """An INSERT in the dialect of the session's database, so it offers ON CONFLICT clauses."""
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


@contextlib.contextmanager
def _answer_within(seconds: float) -> Iterator[None]:
    token = _give_up_at.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _give_up_at.reset(token)


def _short(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".splitlines()[0][:300]


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
        """Run `work` in a unit of work, retrying when a concurrent writer changed the same row, and on a
        fresh connection when the connection was lost (`connection_lost`) for up to RECONNECT_SECONDS
        (less inside `answer_within`).

        A retry re-reads the row, so the domain rules see the winner's state and can refuse with a
        precise reason ("already claimed by ...") instead of overwriting it. A unit of work is one
        transaction, so one cut off is simply run again; one cut off during its COMMIT may have been
        committed, and runs again against that: work that must not happen twice checks for itself
        (a request filing for its `source_key`, a click for the card version it carries).
        """
        give_up_at = time.monotonic() + RECONNECT_SECONDS
        answer_by = _give_up_at.get()
        if answer_by is not None:
            give_up_at = min(give_up_at, answer_by)
        stale = lost = 0
        while True:
            try:
                async with self.unit_of_work() as session:
                    result = await work(session)
            except StaleDataError:
                stale += 1
                if stale >= attempts:
                    raise
                await asyncio.sleep(0)
                continue
            except Exception as error:
                if not connection_lost(error):
                    raise
                lost += 1
                wait = min(RECONNECT_MAX_WAIT, RECONNECT_FIRST_WAIT * 2 ** (lost - 1)) * random.uniform(0.75, 1.0)
                if time.monotonic() + wait >= give_up_at:
                    log.warning("database connection lost, given up after %d tries: %s", lost, _short(error))
                    raise
                log.warning("database connection lost, trying again on a fresh one (%d): %s", lost, _short(error))
                await asyncio.sleep(wait)
                continue
            for hook in self.after_commit:
                hook(session.info)
            return result

    @staticmethod
    def connection_lost(error: BaseException) -> bool:
        """`connection_lost` for those who cannot import this module (handlers)."""
        return connection_lost(error)

    def answer_within(self, seconds: float) -> AbstractContextManager[None]:
        """Units of work run inside stop trying a lost connection again after `seconds` from now (a form
        must be answered within Slack's 3 s, so it can still say it was not saved)."""
        return _answer_within(seconds)

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
