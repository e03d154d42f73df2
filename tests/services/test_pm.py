"""PM schedules and their generator on a real database, with frozen time (2026-03-02 09:00 UTC, a Monday)."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select

from models.db import Database
from models.enums import Anchor, NonWorking, Repeat, WorkOrderType
from models.maintenance import PmOccurrence
from models.schemas import ChecklistItem, PmRun
from models.work_orders import WorkOrder
from services.errors import Forbidden, InvalidFields, InvalidInput
from services.inventory import places
from services.maintenance import checklists, meters, pm_generation, pm_schedules
from services.maintenance.pm_schedules import ScheduleInput
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from services.work_orders import assignment, lifecycle
from tests.conftest import FrozenClock
from tests.support.org import CONFIG, MANAGER, TECH_1


async def schedule(db: Database, org: Organisation, clock: FrozenClock, **values: Any) -> int:
    data = ScheduleInput(
        **{"title": "Inspect boiler", "team": "facilities", "starts_on": clock().date(), "repeat": Repeat.WEEKS}
        | values
    )
    created = await db.run(partial(pm_schedules.create, org=org, now=clock(), user_id=MANAGER, data=data))
    return created.id


async def tick(db: Database, org: Organisation, clock: FrozenClock, **kw: Any) -> PmRun:
    return await db.run(partial(pm_generation.check, org=org, now=clock(), **kw))


async def finish(db: Database, org: Organisation, clock: FrozenClock, work_order_id: int) -> None:
    await db.run(partial(assignment.claim, org=org, now=clock(), work_order_id=work_order_id, user_id=TECH_1))
    await db.run(
        partial(
            lifecycle.complete,
            org=org,
            now=clock(),
            work_order_id=work_order_id,
            user_id=TECH_1,
            resolution="Done",
        )
    )


async def test_a_weekly_schedule_generates_one_open_occurrence_at_a_time(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    asset_id = await db.run(
        partial(places.add_asset, tag="BLR-1", name="Boiler", location="HQ / Basement", now=clock())
    )
    items = checklists.parse("Check flue\nPressure [number bar 1..2]")
    pm_id = await schedule(db, org, clock, asset_id=asset_id, checklist=items, estimated_minutes=45)
    first = await tick(db, org, clock)
    assert len(first.created) == 1
    wo = first.created[0]
    assert (wo.type, wo.team, wo.asset_id, wo.pm_schedule_id, wo.estimated_minutes) == (
        WorkOrderType.PREVENTIVE,
        "facilities",
        asset_id,
        pm_id,
        45,
    )
    assert [item["label"] for item in wo.checklist] == ["Check flue", "Pressure"]
    assert wo.resolution_due_at is not None and wo.resolution_due_at.date() == date(2026, 3, 3)  # end of Mon (UTC=GMT)
    assert "due Mon 2 Mar 2026" in wo.description
    assert (await tick(db, org, clock)).created == ()  # same tick again: nothing new
    clock.advance(days=7)
    assert (await tick(db, org, clock)).created == ()  # the first is still open: the next waits
    await finish(db, org, clock, wo.id)
    second = await tick(db, org, clock)
    assert [w.description.count("due Mon 9 Mar") for w in second.created] == [1]


async def test_a_late_finish_skips_missed_dates_and_says_how_many(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    await schedule(db, org, clock)
    wo = (await tick(db, org, clock)).created[0]
    clock.advance(days=17)  # Thu 19 Mar: the 9th and 16th went by while WO-1 was open
    await finish(db, org, clock, wo.id)
    assert (await tick(db, org, clock)).created == ()  # next is Mon 23 Mar
    clock.advance(days=4)
    made = (await tick(db, org, clock)).created
    assert len(made) == 1
    assert "due Mon 23 Mar 2026" in made[0].description and "2 missed dates were skipped" in made[0].description


async def test_after_downtime_due_work_is_generated_once(db: Database, org: Organisation, clock: FrozenClock) -> None:
    await schedule(db, org, clock, repeat=Repeat.DAYS, starts_on=date(2026, 3, 3))
    clock.advance(days=5)  # the scheduler was down for the 3rd to the 7th
    made = (await tick(db, org, clock)).created
    assert len(made) == 1 and "due Sat 7 Mar 2026" in made[0].description
    assert "4 missed dates were skipped" in made[0].description


async def test_floating_counts_from_completion_and_lead_time_creates_early(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    await schedule(db, org, clock, repeat=Repeat.DAYS, every=10, anchor=Anchor.FLOATING, lead_days=2)
    wo = (await tick(db, org, clock)).created[0]
    clock.advance(days=3)
    await finish(db, org, clock, wo.id)  # completed Thu 5 Mar: next due Sun 15 Mar, created Fri 13 Mar
    clock.advance(days=7)  # Thu 12
    assert (await tick(db, org, clock)).created == ()
    clock.advance(days=1)  # Fri 13
    assert ["due Sun 15 Mar 2026" in w.description for w in (await tick(db, org, clock)).created] == [True]


async def test_weekends_move_to_the_next_working_day(db: Database, org: Organisation, clock: FrozenClock) -> None:
    await schedule(db, org, clock, starts_on=date(2026, 3, 7), non_working=NonWorking.NEXT_WORKING_DAY)
    clock.advance(days=6)  # Sun 8 Mar
    assert (await tick(db, org, clock)).created == ()
    clock.advance(days=1)
    assert ["due Mon 9 Mar 2026" in w.description for w in (await tick(db, org, clock)).created] == [True]


async def test_meter_every_n_hours_and_threshold_crossings(db: Database, org: Organisation, clock: FrozenClock) -> None:
    asset_id = await db.run(partial(places.add_asset, tag="CMP-2", name="Compressor", location=None, now=clock()))
    await schedule(db, org, clock, repeat=None, meter="hours", meter_every=500, asset_id=asset_id)
    await schedule(db, org, clock, title="Cool down", repeat=None, meter="temp", meter_threshold=90, asset_id=asset_id)

    async def read(meter: str, value: float) -> PmRun:
        await db.run(partial(meters.record, now=clock(), actor_id=TECH_1, asset_id=asset_id, meter=meter, value=value))
        return await tick(db, org, clock, asset_id=asset_id)

    assert (await read("hours", 1000)).created == ()  # the first reading sets the base
    assert (await read("hours", 1499)).created == ()
    service = (await read("hours", 1500)).created
    assert len(service) == 1 and "hours reading 1500" in service[0].description
    await finish(db, org, clock, service[0].id)
    assert (await read("hours", 1900)).created == ()  # counts from 1500 again
    assert len((await read("hours", 2000)).created) == 1

    assert len((await read("temp", 95)).created) == 1  # crossed 90
    hot = await db.run(partial(pm_schedules.listing, teams=None))
    cool = next(s for s in hot[0] if s.title == "Cool down")
    await finish(db, org, clock, cool.open_work_order_id)
    assert (await read("temp", 97)).created == ()  # still above: the same crossing
    assert (await read("temp", 70)).created == ()  # back under: armed again
    assert len((await read("temp", 91)).created) == 1


async def test_time_or_usage_whichever_comes_first(db: Database, org: Organisation, clock: FrozenClock) -> None:
    asset_id = await db.run(partial(places.add_asset, tag="GEN-1", name="Generator", location=None, now=clock()))
    await schedule(
        db,
        org,
        clock,
        repeat=Repeat.MONTHS,
        starts_on=date(2026, 4, 1),
        meter="hours",
        meter_every=100,
        asset_id=asset_id,
    )
    await db.run(partial(meters.record, now=clock(), actor_id=TECH_1, asset_id=asset_id, meter="hours", value=0))
    assert (await tick(db, org, clock)).created == ()
    clock.advance(days=10)
    await db.run(partial(meters.record, now=clock(), actor_id=TECH_1, asset_id=asset_id, meter="hours", value=120))
    by_use = (await tick(db, org, clock)).created
    assert len(by_use) == 1 and "hours reading 120" in by_use[0].description
    await finish(db, org, clock, by_use[0].id)
    clock.now = clock.now.replace(month=4, day=1)
    assert (await tick(db, org, clock)).created == ()  # the April date was served by usage
    clock.now = clock.now.replace(month=5, day=1)
    assert ["due Fri 1 May 2026" in w.description for w in (await tick(db, org, clock)).created] == [True]


async def test_an_end_count_stops_the_schedule(db: Database, org: Organisation, clock: FrozenClock) -> None:
    await schedule(db, org, clock, repeat=Repeat.DAYS, max_count=2, one_open=False)
    assert len((await tick(db, org, clock)).created) == 1
    clock.advance(days=1)
    assert len((await tick(db, org, clock)).created) == 1
    clock.advance(days=1)
    assert (await tick(db, org, clock)).created == ()
    listed, _ = await db.run(partial(pm_schedules.listing, teams=("facilities",)))
    assert listed[0].state == "ended"


async def test_five_untouched_work_orders_pause_the_schedule(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    await schedule(db, org, clock, repeat=Repeat.DAYS, one_open=False)
    for _ in range(5):
        assert len((await tick(db, org, clock)).created) == 1
        clock.advance(days=1)
    paused = await tick(db, org, clock)
    assert paused.created == () and len(paused.notices) == 1
    assert "paused itself" in paused.notices[0].text and paused.notices[0].team == "facilities"
    clock.advance(days=1)
    assert (await tick(db, org, clock)) == PmRun()


async def test_a_schedule_that_cannot_generate_pauses_without_stopping_the_others(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    await schedule(db, org, clock, title="Broken", category="plumbing")
    await schedule(db, org, clock, title="Fine", category="electrical")
    fewer = parse_organisation(
        CONFIG.replace("  - key: plumbing\n    name: Plumbing", "  - key: pipes\n    name: Pipes")
    )
    run = await tick(db, fewer, clock)
    assert [w.title for w in run.created] == ["Fine"]
    assert len(run.notices) == 1 and "*PM-1 · Broken* paused itself: its work order could not be created" in (
        run.notices[0].text
    )
    listed, _ = await db.run(partial(pm_schedules.listing, teams=None))
    assert {s.title: s.state for s in listed} == {"Broken": "paused", "Fine": "active"}


async def test_a_touched_work_order_keeps_the_schedule_running(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    await schedule(db, org, clock, repeat=Repeat.DAYS, one_open=False)
    for day in range(6):
        made = (await tick(db, org, clock)).created
        assert len(made) == 1
        if day == 2:
            await db.run(partial(assignment.claim, org=org, now=clock(), work_order_id=made[0].id, user_id=TECH_1))
        clock.advance(days=1)


async def test_only_managers_plan_and_bad_input_names_the_field(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    data = ScheduleInput(title="Check", team="facilities", starts_on=clock().date(), repeat=Repeat.WEEKS)
    with pytest.raises(Forbidden, match="Facilities managers"):
        await db.run(partial(pm_schedules.create, org=org, now=clock(), user_id=TECH_1, data=data))
    with pytest.raises(InvalidFields) as refused:
        await db.run(
            partial(
                pm_schedules.create, org=org, now=clock(), user_id=MANAGER, data=data.model_copy(update={"team": "x"})
            )
        )
    assert refused.value.errors == {"team": "There is no team “x”."}
    with pytest.raises(ValueError) as invalid:
        ScheduleInput(title="Check", team="facilities", starts_on=clock().date(), meter_every=5)
    assert pm_schedules.input_errors(invalid.value) == {  # type: ignore[arg-type]
        "repeat": "Choose how often it repeats, or a meter that triggers it.",
        "meter": "Name the meter (like hours) that these units count on.",
    }


async def test_pause_resume_edit_and_delete(db: Database, org: Organisation, clock: FrozenClock) -> None:
    pm_id = await schedule(db, org, clock, repeat=Repeat.DAYS)
    paused = await db.run(
        partial(pm_schedules.set_paused, org=org, now=clock(), user_id=MANAGER, schedule_id=pm_id, paused=True)
    )
    assert paused.state == "paused"
    assert (await tick(db, org, clock)).created == ()
    clock.advance(days=3)
    resumed = await db.run(
        partial(pm_schedules.set_paused, org=org, now=clock(), user_id=MANAGER, schedule_id=pm_id, paused=False)
    )
    assert resumed.next_due_on == date(2026, 3, 5)  # from today on, nothing back-filled
    edited = await db.run(
        partial(
            pm_schedules.update,
            org=org,
            now=clock(),
            user_id=MANAGER,
            schedule_id=pm_id,
            data=ScheduleInput(title="Inspect", team="facilities", starts_on=date(2026, 3, 2), repeat=Repeat.WEEKS),
            seen_version=resumed.version,
        )
    )
    assert (edited.title, edited.next_due_on) == ("Inspect", date(2026, 3, 9))
    with pytest.raises(InvalidInput, match="changed by someone else"):
        await db.run(
            partial(
                pm_schedules.update,
                org=org,
                now=clock(),
                user_id=MANAGER,
                schedule_id=pm_id,
                data=ScheduleInput(title="Old", team="facilities", starts_on=date(2026, 3, 2), repeat=Repeat.WEEKS),
                seen_version=resumed.version,
            )
        )
    await db.run(partial(pm_schedules.delete, org=org, now=clock(), user_id=MANAGER, schedule_id=pm_id))
    assert await db.run(partial(pm_schedules.listing, teams=None)) == ((), 0)


async def test_checklist_items_and_a_follow_up_from_a_failed_one(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    items = (ChecklistItem(label="Flue clear", kind="pass_fail"), ChecklistItem(label="Pressure", kind="number", max=2))
    await schedule(db, org, clock, checklist=items)
    wo = (await tick(db, org, clock)).created[0]
    mark = partial(checklists.mark, org=org, now=clock(), work_order_id=wo.id, user_id=TECH_1)
    passed = await db.run(partial(mark, seen_version=wo.version, index=0, result="pass"))
    assert passed.work_order.checklist[0]["result"] == "pass" and passed.work_order.assignee_id is None
    failed = await db.run(partial(mark, seen_version=passed.work_order.version, index=1, value=2.5))
    assert (failed.work_order.checklist[1]["result"], failed.work_order.checklist[1]["value"]) == ("fail", 2.5)
    with pytest.raises(InvalidInput, match="does not take a reading"):
        await db.run(partial(mark, seen_version=None, index=0, value=1))
    opened, inspection = await db.run(
        partial(
            checklists.follow_up,
            org=org,
            now=clock(),
            work_order_id=wo.id,
            seen_version=failed.work_order.version,
            user_id=TECH_1,
            index=1,
        )
    )
    assert opened.work_order.type == WorkOrderType.CORRECTIVE and opened.work_order.title == "Follow-up: Pressure"
    assert "reading 2.5" in opened.work_order.description and f"WO-{wo.number}" in opened.work_order.description
    assert inspection.work_order.checklist[1]["follow_up"] == opened.work_order.number
    with pytest.raises(InvalidInput, match="already has its follow-up"):
        await db.run(
            partial(
                checklists.follow_up,
                org=org,
                now=clock(),
                work_order_id=wo.id,
                seen_version=None,
                user_id=TECH_1,
                index=1,
            )
        )


async def test_upcoming_pm_for_the_digest(db: Database, org: Organisation, clock: FrozenClock) -> None:
    await schedule(db, org, clock, starts_on=date(2026, 3, 5))
    await schedule(db, org, clock, title="Later", starts_on=date(2026, 3, 20))
    due, total = await db.run(partial(pm_generation.upcoming, team="facilities", today=clock().date()))
    assert total == 1 and due[0].due_on == date(2026, 3, 5) and due[0].schedule.endswith("Inspect boiler")


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_two_schedulers_generate_each_occurrence_once(
    database_url: str, org: Organisation, clock: FrozenClock
) -> None:
    """Two replicas ticking at the same moment against one PostgreSQL database."""
    first, second = Database(database_url), Database(database_url)
    try:
        for n in range(30):
            await schedule(first, org, clock, title=f"PM {n}", repeat=Repeat.DAYS, one_open=False)
        for _ in range(3):
            runs = await asyncio.gather(tick(first, org, clock), tick(second, org, clock))
            assert sum(len(run.created) for run in runs) == 30
            clock.advance(days=1)
        async with first.unit_of_work() as session:
            made = await session.scalar(select(func.count()).select_from(WorkOrder))
            occurrences = await session.scalar(select(func.count()).select_from(PmOccurrence))
        assert (made, occurrences) == (90, 90)
    finally:
        await first.dispose()
        await second.dispose()


def test_next_due_skips_to_today_for_a_new_schedule() -> None:
    rule = pm_schedules.recurrence(ScheduleInput(title="x", team="t", starts_on=date(2026, 1, 5), repeat=Repeat.WEEKS))
    assert pm_schedules.first_due(rule, date(2026, 3, 4)) == date(2026, 3, 9)
    assert pm_schedules.first_due(rule, date(2026, 3, 4) - timedelta(days=2)) == date(2026, 3, 2)


async def test_due_dates_are_local_days_across_time_zones_and_clock_changes(db: Database, clock: FrozenClock) -> None:
    pacific = parse_organisation(CONFIG.replace("timezone: Europe/London", "timezone: America/Los_Angeles"))
    clock.now = datetime(2026, 3, 2, 7, tzinfo=UTC)  # still Sunday 1 March, 23:00 in Los Angeles
    await schedule(db, pacific, clock, starts_on=date(2026, 3, 2))
    assert (await tick(db, pacific, clock)).created == ()
    clock.advance(hours=1)  # Monday 00:00 local
    made = (await tick(db, pacific, clock)).created
    assert len(made) == 1 and made[0].resolution_due_at == datetime(2026, 3, 3, 8, tzinfo=UTC)  # end of Mon, PST

    london = parse_organisation(CONFIG)
    clock.now = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the day British Summer Time starts
    await schedule(db, london, clock, title="Clocks", repeat=Repeat.DAYS, starts_on=date(2026, 3, 29))
    made = (await tick(db, london, clock)).created
    clocks = next(w for w in made if w.title == "Clocks")
    assert clocks.resolution_due_at == datetime(2026, 3, 29, 23, tzinfo=UTC)  # midnight BST is 23:00 UTC


async def test_two_ticks_at_once_on_one_database_make_one_work_order(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    """Also on SQLite, which has no row locks: the schedule's version makes the later tick retry."""
    await schedule(db, org, clock)
    runs = await asyncio.gather(tick(db, org, clock), tick(db, org, clock))
    assert sorted(len(run.created) for run in runs) == [0, 1]
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(PmOccurrence)) == 1
