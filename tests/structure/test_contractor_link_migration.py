"""Upgrading a database whose contractor links were kept in plain: each open link keeps working, and only
its hash is left."""

import hashlib
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from models import migrate

KEY = "k" * 43


async def test_plain_link_keys_become_their_hashes(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'before.db'}")
    try:
        await migrate.upgrade(engine, "0031")
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO contractor_jobs (work_order_id, vendor_id, state, link_key, note, contact, currency,"
                    " sent_by, sent_at, updated_at) VALUES (1, 1, 'sent', :key, '', '', 'GBP', 'U1',"
                    " '2026-12-01 09:00:00', '2026-12-01 09:00:00')"
                ),
                {"key": KEY},
            )
        await migrate.upgrade(engine)
        async with engine.connect() as connection:
            columns = [row[1] for row in await connection.execute(text("PRAGMA table_info(contractor_jobs)"))]
            hashes = (await connection.execute(text("SELECT link_hash FROM contractor_jobs"))).scalars().all()
        assert "link_key" not in columns
        assert hashes == [hashlib.sha256(KEY.encode()).hexdigest()]
    finally:
        await engine.dispose()
