"""Scratch databases for benchmarks: a SQLite file in a temporary folder, or a PostgreSQL database
created on the server named by BENCH_POSTGRES_URL and dropped afterwards."""

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url


@asynccontextmanager
async def sqlite_database() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"


@asynccontextmanager
async def postgres_database(server: str, *, template: str | None = None) -> AsyncIterator[str]:
    """A fresh database on `server` (postgresql+asyncpg://USER@HOST:PORT/postgres), a copy of the database
    `template` when given (nobody may be connected to it), dropped at the end."""
    name = f"wrench_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(make_url(server).set(drivername="postgresql").render_as_string(False))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        try:
            yield str(make_url(server).set(database=name).render_as_string(False))
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def sqlite_copy(path: str) -> AsyncIterator[str]:
    """A copy of the SQLite file at `path` in a temporary folder, removed at the end."""
    with tempfile.TemporaryDirectory(prefix="sched-") as folder:
        copy = Path(folder) / "bench.db"
        shutil.copyfile(path, copy)
        yield f"sqlite+aiosqlite:///{copy}"
