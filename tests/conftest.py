"""Fixtures: databases on SQLite (always) and PostgreSQL (with WRENCH_TEST_DATABASE_URL), the fake
Slack Web API, a frozen clock and the bot running in-process."""

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from models.db import Database
from services.organisation.org import Organisation
from tests.support import databases
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import FakeSlack
from tests.support.org import organisation

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if databases.postgres_server_url():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run the PostgreSQL tests: set {databases.POSTGRES_ENV}")
    skip = pytest.mark.skip(reason=f"PostgreSQL variant: set {databases.POSTGRES_ENV} to run it")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[databases.Templates]:
    made = databases.Templates(tmp_path_factory.mktemp("templates"))
    made.sqlite()  # built here, outside any event loop
    if databases.postgres_server_url():
        made.postgres()
    yield made
    made.drop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, templates: databases.Templates, tmp_path: Path) -> AsyncIterator[str]:
    """A freshly migrated database of its own for this test, dropped afterwards."""
    url, to_drop = await databases.clone(templates, backend, tmp_path)
    yield url
    if to_drop:
        await databases.drop(to_drop)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def org() -> Organisation:
    return organisation()


class FrozenClock:
    """A clock tests move by hand: nothing sleeps."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()
    if fake.refused:  # a builder made a payload Slack would refuse (tests.support.block_kit)
        pytest.fail("Slack would refuse these payloads:\n" + "\n".join(fake.refused), pytrace=False)


@pytest.fixture
async def bot(
    database_url: str,
    fake_slack: FakeSlack,
    org: Organisation,
    clock: FrozenClock,
) -> AsyncIterator[BotClient]:
    async with started_bot(database_url, fake_slack, org, clock=clock) as client:
        yield client
