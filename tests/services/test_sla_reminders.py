"""The SLA watch's reminders read the escalations' partial index (`escalated_at IS NOT NULL`, which every
escalated work order has: escalating sets it with the level, reopening clears both): on random states of
escalation, claim, acknowledgement and reminder, the work reminded about is exactly what the rule says."""

import random
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import insert

from models.db import Database
from models.work_orders import WorkOrder
from services.organisation.org import Organisation
from services.sla import watch
from tests.support.rows import work_order_row

NOW = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)


def work_order(number: int, rng: random.Random) -> dict[str, Any]:
    created = NOW - timedelta(days=rng.randint(1, 30))
    level = rng.choice((0, 0, 1, 2))
    escalated_at = NOW - timedelta(minutes=rng.randint(0, 600)) if level else None
    reminded_at = rng.choice((None, NOW - timedelta(minutes=rng.randint(0, 600)))) if level else None
    return work_order_row(
        number,
        created,
        status=rng.choice(("open", "in_progress", "on_hold", "completed", "closed", "cancelled")),
        assignee_id=rng.choice((None, None, "U0TECH1")),
        acknowledged_by=rng.choice((None, None, "U0TECH2")),
        resolution_due_at=created + timedelta(days=3),
        escalation_level=level,
        escalated_at=escalated_at,
        reminded_at=reminded_at,
    )


@pytest.mark.parametrize("seed_value", range(4))
async def test_reminded_work_is_what_the_rule_says(db: Database, org: Organisation, seed_value: int) -> None:
    rng = random.Random(seed_value)
    rows = [work_order(n, rng) for n in range(1, 201)]
    async with db.unit_of_work() as session:
        await session.execute(insert(WorkOrder), rows)
    watched = {s.value for s in watch.rules.ACTIVE} - ({"on_hold"} if org.pause_sla_on_hold else set())
    cutoff = NOW - org.escalation.remind_every
    expected = {
        row["number"]
        for row in rows
        if row["status"] in watched
        and row["escalation_level"] > 0
        and row["assignee_id"] is None
        and row["acknowledged_by"] is None
        and (row["reminded_at"] or row["escalated_at"]) <= cutoff
    }

    async def remind(session: Any) -> list[Any]:
        return await watch._remind(session, org=org, now=NOW, batch=1_000, watched=watch._watched(org))

    found = await db.run(remind)
    assert {change.work_order.number for change in found} == expected
    assert expected  # the states do call for some reminders
    again = await db.run(partial(watch._remind, org=org, now=NOW, batch=1_000, watched=watch._watched(org)))
    assert again == []  # reminded once per `remind_every`
