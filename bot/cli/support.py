"""What every `wrench` command shares: how it fails, what time it is, and one transaction on the database."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import NoReturn, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import CoreSettings, SettingsError, load_settings
from bot.server import StartupError, prepare_database
from models.db import Database
from services.errors import DomainError
from services.organisation.config_file import OrgConfigError, load_organisation
from services.organisation.org import Organisation

T = TypeVar("T")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `message` to stderr, `wrench: ` before each of its lines (a config file can have several
    problems, one a line), and exit with `code`."""
    typer.echo("\n".join(f"wrench: {line}" for line in message.splitlines() or [""]), err=True)
    raise typer.Exit(code)


def organisation() -> Organisation:
    """The organisation of WRENCH_CONFIG; a missing or invalid file exits 2."""
    try:
        return load_organisation(load_settings(CoreSettings).wrench_config)
    except (SettingsError, OrgConfigError) as error:
        fail(str(error))


def now() -> datetime:
    return datetime.now(UTC)


async def in_database(settings: CoreSettings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work(session)` in one transaction on DATABASE_URL (SQLite migrated first), then let go of it."""
    db = Database(settings.database_url)
    try:
        await prepare_database(db)
        return await db.run(work)
    finally:
        await db.dispose()


def run_in_database(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """A command's one transaction: settings and start-up problems exit 2, a refusal exits 1."""
    try:
        return asyncio.run(in_database(load_settings(CoreSettings), work))
    except (SettingsError, StartupError) as error:
        fail(str(error))
    except DomainError as error:
        fail(str(error), code=1)
