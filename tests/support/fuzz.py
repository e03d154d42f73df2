"""What the end-to-end fuzz tests share: their settings, and a snapshot of the database to show that a
refused input changed nothing."""

from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from models.db import Database
from models.tables import Base

# One bot and one database per test on purpose (starting them per example would be far too slow): each
# property compares the database before and after its own example, so examples do not depend on each other.
E2E = settings(
    derandomize=True,
    deadline=None,
    max_examples=20,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


async def row_counts(db: Database) -> dict[str, int]:
    """The number of rows in every table, in one query."""
    tables = Base.metadata.sorted_tables
    counts = select(*(select(func.count()).select_from(table).scalar_subquery().label(table.name) for table in tables))
    async with db.unit_of_work() as session:
        row = (await session.execute(counts)).one()
    return {table.name: int(count) for table, count in zip(tables, row, strict=True)}
