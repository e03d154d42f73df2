"""Throwaway databases: a migrated template per backend, cloned for every test that needs one.

SQLite always; PostgreSQL when WRENCH_TEST_DATABASE_URL points at a server (any database on it:
the tests create their own databases there and drop them afterwards).
"""

import asyncio
import os
import shutil
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from models import migrate
from models.db import Database

POSTGRES_ENV = "WRENCH_TEST_DATABASE_URL"


def postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(sql: str) -> None:
    server = postgres_server_url()
    assert server is not None
    connection = await asyncpg.connect(_asyncpg_dsn(server))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def _migrate(url: str) -> None:
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
    finally:
        await db.dispose()


class Templates:
    """One migrated template per backend per test session."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.tag = uuid.uuid4().hex[:8]
        self._sqlite: Path | None = None
        self._postgres: str | None = None

    def sqlite(self) -> Path:
        if self._sqlite is None:
            path = self.workdir / "template.db"
            asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
            self._sqlite = path
        return self._sqlite

    def postgres(self) -> str:
        if self._postgres is None:
            name = f"wrench_template_{self.tag}"
            asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
            self._postgres = name
            asyncio.run(_migrate(_with_database(postgres_server_url() or "", name)))
        return self._postgres

    def drop(self) -> None:
        if self._postgres is not None:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{self._postgres}" WITH (FORCE)'))


async def clone(templates: Templates, backend: str, workdir: Path) -> tuple[str, str | None]:
    """A fresh migrated database: (url, postgres database name to drop or None)."""
    if backend == "sqlite":
        path = workdir / f"wrench-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(templates.sqlite(), path)
        return f"sqlite+aiosqlite:///{path}", None
    name = f"wrench_test_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{templates.postgres()}"')
    return _with_database(postgres_server_url() or "", name), name


async def drop(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
