"""KPI records read from the database (labor, holds, reopens, PM due dates) and a team report over them.
The clock starts Monday 2 March 2026, 09:00 UTC."""

from functools import partial

from sqlalchemy import select

from models.db import Database
from models.enums import HoldReason, Repeat
from models.work_orders import WorkOrder
from services.maintenance import pm_generation, pm_schedules
from services.maintenance.pm_schedules import ScheduleInput
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from services.reporting import reports
from services.work_orders import assignment, lifecycle, work_log
from tests.conftest import FrozenClock
from tests.services.test_work_orders import act, new_work_order
from tests.support.org import CONFIG, MANAGER, STAFF, TECH_1

PRICED = CONFIG.replace(
    "    technicians: [U0TECH1, U0TECH2]\n", "    technicians: [U0TECH1, U0TECH2]\n    hourly_rate: 60\n"
)


async def test_work_records_and_a_team_report(db: Database, clock: FrozenClock) -> None:
    org = parse_organisation(PRICED + "currency: EUR\n")
    wo = (await new_work_order(db, org, clock)).work_order
    clock.advance(minutes=30)
    await act(db, org, clock, assignment.claim, wo.id, TECH_1)  # response after 30 min
    await act(db, org, clock, lifecycle.hold, wo.id, TECH_1, reason=HoldReason.PARTS)
    clock.advance(hours=2)
    await act(db, org, clock, lifecycle.resume, wo.id, TECH_1)
    clock.advance(hours=1, minutes=30)
    await act(db, org, clock, work_log.log_time, wo.id, TECH_1, minutes=90)
    await act(db, org, clock, lifecycle.complete, wo.id, TECH_1, resolution="New valve")
    await act(db, org, clock, lifecycle.reopen, wo.id, STAFF, reason="Still drips")
    await act(db, org, clock, lifecycle.complete, wo.id, TECH_1, resolution="Tightened")
    other = (await new_work_order(db, org, clock, title="Door")).work_order  # still open, no estimate

    async with db.unit_of_work() as session:
        records = await reports.load_work(session, select(WorkOrder).order_by(WorkOrder.number))
    first = records[0]
    assert (first.hold_seconds, first.reopened, first.labor_minutes, first.labor_cost) == (7200, True, 90, 90.0)
    assert records[1].number == other.number and records[1].completed_at is None

    report = await db.run(partial(reports.team_report, org=org, team="facilities", now=clock(), days=30))
    rows = dict(reports.report_rows(report))
    assert rows["Backlog (open work orders)"] == "1"
    assert rows["Response time, median"] == "30 min (n=1)"
    # elapsed 4 h from request to completion, 2 h of it on hold → 2 h; 90 min labor
    assert rows["MTTR, elapsed without holds"] == "2.0 h" and rows["MTTR, labor per repair"] == "90 min (n=1)"
    assert rows["First-time fix rate"] == "0% (0 of 1)"  # it was reopened
    assert rows["Cost, completed work"] == "90.00 EUR"  # 90 min at 60.00/h
    assert rows["SLA attainment, medium"] == "100% (1 of 1)"


async def test_pm_compliance_from_generated_work(db: Database, org: Organisation, clock: FrozenClock) -> None:
    data = ScheduleInput(title="Filters", team="facilities", starts_on=clock().date(), repeat=Repeat.MONTHS)
    await db.run(partial(pm_schedules.create, org=org, now=clock(), user_id=MANAGER, data=data))
    made = (await db.run(partial(pm_generation.check, org=org, now=clock()))).created[0]
    clock.advance(days=2)  # within 10% of a month (3 days)
    await act(db, org, clock, lifecycle.complete, made.id, TECH_1, resolution="Changed")
    report = await db.run(partial(reports.team_report, org=org, team="facilities", now=clock(), days=7))
    assert dict(reports.report_rows(report))["PM compliance"] == "100% (1 of 1)"
