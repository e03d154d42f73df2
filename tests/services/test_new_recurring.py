"""The digest's newly recurring failures read only what failed since the previous digest, count the
window for those alone in the database, and read the failures of the groups that became recurring: on
random histories (some work filed from requests made up to two days before it, so the window is counted
from the request), the answer is the one the whole window gives."""

import random
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import insert

from models.db import Database
from models.places import Asset, Location
from models.requests import ServiceRequest
from models.views import RecurringIssue
from models.work_orders import WorkOrder
from services.organisation.org import Organisation
from services.reporting import breakdowns, recurring
from tests.support.rows import work_order_row

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CATEGORIES = ("plumbing", "electrical", "hvac", *(f"retired-{n}" for n in range(17)))  # retired: in no wrench.yml


def work_order(number: int, rng: random.Random, assets: list[int], locations: list[int]) -> dict[str, Any]:
    created = NOW - timedelta(hours=rng.randint(1, 24 * 30))
    return work_order_row(
        number,
        created,
        type=rng.choice(("corrective", "corrective", "corrective", "preventive")),
        status=rng.choice(("open", "completed", "completed", "cancelled")),
        category=rng.choice(CATEGORIES),
        location_id=rng.choice([None, None, None, *locations]),
        asset_id=rng.choice([None, *assets]),
        resolution=rng.choice(("", "Fixed")),
        completed_at=created + timedelta(hours=2),
    )


async def seed(db: Database, rng: random.Random) -> None:
    async with db.unit_of_work() as session:
        locations = []
        for n in range(8):
            place = Location(name=f"L{n}", path=f"HQ / L{n}", created_at=NOW, updated_at=NOW)
            session.add(place)
            await session.flush()
            locations.append(place.id)
        assets = []
        for n in range(10):
            asset = Asset(tag=f"A-{n}", name=f"Asset {n}", location_id=rng.choice(locations))
            session.add(asset)
            await session.flush()
            assets.append(asset.id)
        rows = [work_order(n, rng, assets, locations) for n in range(1, 121)]
        for row in rows:
            if rng.random() < 0.3:  # approved from a request filed earlier
                filed = row["created_at"] - timedelta(hours=rng.randint(0, 48))
                request = ServiceRequest(
                    requester_id="U0STAFF",
                    category=row["category"],
                    title=row["title"],
                    priority="medium",
                    status="approved",
                    created_at=filed,
                    updated_at=filed,
                )
                session.add(request)
                await session.flush()
                row["request_id"] = request.id
        await session.execute(insert(WorkOrder), rows)


@pytest.mark.parametrize("seed_value", range(12))
async def test_what_became_recurring_is_what_the_whole_window_says(
    db: Database, org: Organisation, seed_value: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed_value)
    await seed(db, rng)
    config = org.recurring.model_copy(update={"threshold": rng.choice((2, 3)), "window_days": 14})
    org = org.model_copy(update={"recurring": config})
    window = timedelta(days=config.window_days)
    found_any = 0
    for hours_back in (1, 24, 24 * 3, 24 * 20):
        previous = NOW - timedelta(hours=hours_back)
        monkeypatch.setattr(breakdowns, "SINCE_NO_DIGEST", NOW - previous)  # no digest posted: since then

        async def whole_window(session: Any, previous: datetime = previous) -> tuple[RecurringIssue, ...]:
            query = breakdowns._corrective(previous - window).where(WorkOrder.team == "facilities")
            everything = await breakdowns._failures(session, org, query)
            found = recurring.new_since(
                everything, previous=previous, now=NOW, window=window, threshold=config.threshold
            )
            return tuple(breakdowns._issue(r, config.window_days) for r in found)

        expected = await db.run(whole_window)
        found = await db.run(partial(breakdowns.new_recurring, org=org, team="facilities", now=NOW))
        assert found == expected, hours_back
        found_any += len(found)
    assert found_any  # the histories do make some failures recurring
