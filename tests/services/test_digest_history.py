"""The digest's chart reads the backlog as three ranges of the team's rows (not ended, completed since,
closed without completion since): on random histories, with every mix of completion and closing times,
each day's count is what the definition gives over every row."""

import random
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import insert

from models.db import Database
from models.work_orders import WorkOrder
from services.organisation.org import Organisation
from services.reporting import digest
from tests.support.rows import work_order_row

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)


def work_order(number: int, rng: random.Random) -> dict[str, Any]:
    created = NOW - timedelta(hours=rng.randint(-5, 24 * 30))  # a few after now: left out
    later = [None, created + timedelta(hours=rng.randint(0, 24 * 30))]
    return work_order_row(
        number,
        created,
        status=rng.choice(("open", "completed", "closed", "cancelled")),
        team=rng.choice(("facilities", "facilities", "it")),
        completed_at=rng.choice(later),
        completed_by=rng.choice(("U0TECH1", "U0TECH2", None)),
        closed_at=rng.choice(later),
    )


@pytest.mark.parametrize("seed_value", range(6))
async def test_the_backlog_per_day_is_the_definitions_over_every_row(
    db: Database, org: Organisation, seed_value: int
) -> None:
    rng = random.Random(seed_value)
    rows = [work_order(n, rng) for n in range(1, 301)]
    async with db.unit_of_work() as session:
        await session.execute(insert(WorkOrder), rows)

    chart = await db.run(partial(digest.chart_data, org=org, team="facilities", now=NOW))

    zone = org.zone()
    bounds = [datetime.combine(day + timedelta(days=1), datetime.min.time(), zone) for day, _ in chart.backlog]
    bounds[-1] = NOW
    expected = []
    for (day, _), bound in zip(chart.backlog, bounds, strict=True):
        count = 0
        for row in rows:
            ended = row["completed_at"] or row["closed_at"]
            if row["team"] == "facilities" and row["created_at"] < min(bound, NOW):
                count += ended is None or ended >= bound
        expected.append((day, count))
    assert chart.backlog == tuple(expected)
    assert sum(count for _, count in expected)  # the history does fill the chart
