"""Asset meter readings (`/wo meter TAG VALUE [METER]`): kept as history, the latest one drives
usage-based PM schedules."""

import math
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.maintenance import AssetMeter, MeterReading
from services.errors import InvalidInput

DEFAULT_METER = "hours"
METER_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
LARGEST = 1e12


def meter_name(text: str) -> str:
    name = text.strip().lower()
    if not METER_NAME.match(name):
        raise InvalidInput(f"“{text[:40]}” is not a meter name: use a word like hours, cycles or km.")
    return name


def reading_value(text: str) -> float:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise InvalidInput(f"“{text[:40]}” is not a number.") from None
    if not math.isfinite(value) or abs(value) > LARGEST:
        raise InvalidInput(f"“{text[:40]}” is not a meter reading.")
    return value


async def record(
    session: AsyncSession, *, now: datetime, actor_id: str, asset_id: int, meter: str, value: float
) -> float | None:
    """Store a reading; returns the previous one (None for a meter's first)."""
    previous = await session.scalar(
        select(AssetMeter.value).where(AssetMeter.asset_id == asset_id, AssetMeter.name == meter)
    )
    session.add(MeterReading(asset_id=asset_id, name=meter, value=value, read_at=now, actor_id=actor_id))
    latest = dialect_insert(session, AssetMeter).values(asset_id=asset_id, name=meter, value=value, read_at=now)
    await session.execute(
        latest.on_conflict_do_update(index_elements=["asset_id", "name"], set_={"value": value, "read_at": now})
    )
    return previous
