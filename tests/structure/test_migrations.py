"""The Alembic migrations create exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from models.db import Database
from models.migrate import current_revision, head_revision
from models.tables import Base


async def test_migrated_database_matches_the_models(db: Database) -> None:
    def differences(connection):
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []
    assert await current_revision(db.engine) == head_revision()
