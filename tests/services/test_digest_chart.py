"""The digest chart's series, worked out by hand (the clock starts Monday 2 March 2026, 09:00 London = UTC)."""

from datetime import date, timedelta
from functools import partial

from models.db import Database
from services.organisation.org import Organisation
from services.reporting import digest
from services.work_orders import assignment, lifecycle
from tests.conftest import FrozenClock
from tests.services.test_work_orders import act, new_work_order
from tests.support.org import STAFF, TECH_1, TECH_2


async def test_backlog_per_day_and_completions_per_person(db: Database, org: Organisation, clock: FrozenClock) -> None:
    first = (await new_work_order(db, org, clock)).work_order  # Mon 2 Mar
    clock.advance(days=1)
    second = (await new_work_order(db, org, clock)).work_order  # Tue 3 Mar
    third = (await new_work_order(db, org, clock)).work_order
    clock.advance(days=1)  # Wed 4 Mar: first completed by TECH_1, second cancelled
    await act(db, org, clock, assignment.claim, first.id, TECH_1)
    await act(db, org, clock, lifecycle.complete, first.id, TECH_1, resolution="Fixed")
    await act(db, org, clock, lifecycle.cancel, second.id, STAFF, reason="Duplicate")
    clock.advance(days=1)  # Thu 5 Mar: third completed by TECH_2
    await act(db, org, clock, lifecycle.complete, third.id, TECH_2, resolution="Done")
    (await new_work_order(db, org, clock, title="Door"))  # still open
    clock.advance(hours=2)

    chart = await db.run(partial(digest.chart_data, org=org, team="facilities", now=clock()))
    by_day = dict(chart.backlog)
    assert len(chart.backlog) == 14 and chart.backlog[-1][0] == date(2026, 3, 5)
    # end of Sun 1 Mar: 0 · Mon 2: 1 · Tue 3: 3 · Wed 4: 1 (third) · Thu 5, now: 1 (Door)
    assert [by_day[date(2026, 3, d)] for d in (1, 2, 3, 4, 5)] == [0, 1, 3, 1, 1]
    assert chart.backlog[0] == (date(2026, 3, 5) - timedelta(days=13), 0)
    assert chart.completions == ((TECH_1, 1), (TECH_2, 1))
    assert chart.team == "Facilities"


async def test_completions_count_from_the_first_days_local_midnight(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    clock.advance(hours=14)  # Mon 2 Mar 23:00: the day before the chart's first day
    before = (await new_work_order(db, org, clock)).work_order
    await act(db, org, clock, lifecycle.complete, before.id, TECH_1, resolution="Fixed")
    clock.advance(hours=1, minutes=30)  # Tue 3 Mar 00:30: the chart's first day
    inside = (await new_work_order(db, org, clock)).work_order
    await act(db, org, clock, lifecycle.complete, inside.id, TECH_2, resolution="Fixed")
    clock.advance(days=13, hours=9, minutes=30)  # Mon 16 Mar 10:00 (14 x 24 h after the first completion = 2 Mar 10:00)

    chart = await db.run(partial(digest.chart_data, org=org, team="facilities", now=clock()))
    assert chart.backlog[0] == (date(2026, 3, 3), 0) and chart.backlog[-1] == (date(2026, 3, 16), 0)
    assert chart.completions == ((TECH_2, 1),)


async def test_days_end_at_local_midnight_across_the_clock_change(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    clock.advance(days=26, hours=14, minutes=30)  # Sat 28 Mar 23:30 GMT
    early = (await new_work_order(db, org, clock)).work_order
    clock.advance(days=1)  # Sun 29 Mar 23:30 UTC = Mon 30 Mar 00:30 BST
    await new_work_order(db, org, clock)
    clock.advance(days=1)  # Mon 30 Mar 23:30 UTC = Tue 31 Mar 00:30 BST
    await act(db, org, clock, lifecycle.complete, early.id, TECH_1, resolution="Fixed")
    clock.advance(hours=9, minutes=30)  # Tue 31 Mar 10:00 BST

    chart = await db.run(partial(digest.chart_data, org=org, team="facilities", now=clock()))
    by_day = dict(chart.backlog)
    assert chart.backlog[-1][0] == date(2026, 3, 31)
    # end of Fri 27: 0 · Sat 28: 1 · Sun 29 (23:00 UTC): 1 · Mon 30 (23:00 UTC): 2 · Tue 31, now: 1
    assert [by_day[date(2026, 3, d)] for d in (27, 28, 29, 30, 31)] == [0, 1, 1, 2, 1]
    assert chart.completions == ((TECH_1, 1),)
