"""Each KPI on a small fixture whose answer was worked out by hand (the working is in the comments)."""

from datetime import UTC, date, datetime, timedelta

from models.enums import Priority, SlaStatus, Status, WorkOrderType
from services.reporting import kpis
from services.reporting.kpis import Downtime, Work

T0 = datetime(2026, 3, 1, tzinfo=UTC)
C, P = WorkOrderType.CORRECTIVE, WorkOrderType.PREVENTIVE


def work(number: int, **values: object) -> Work:
    base: dict[str, object] = {"type": C, "priority": Priority.MEDIUM, "status": Status.OPEN, "requested_at": T0}
    return Work(number=number, **(base | values))  # type: ignore[arg-type]


def test_backlog_counts_estimates_and_ages_from_the_request() -> None:
    now = T0 + timedelta(days=10)
    items = [
        work(1, requested_at=now - timedelta(hours=2), estimated_minutes=90),  # < 1 day
        work(2, requested_at=now - timedelta(days=3), status=Status.IN_PROGRESS, estimated_minutes=30),  # 1-7
        work(3, requested_at=now - timedelta(days=40), status=Status.ON_HOLD),  # > 30, no estimate
        work(4, requested_at=now - timedelta(days=3), status=Status.COMPLETED, estimated_minutes=600),  # not open
    ]
    found = kpis.backlog(items, now)
    # open: 1, 2, 3 → 3; estimates 90 + 30 = 120 min = 2.0 h; one without
    assert found == kpis.Backlog(
        count=3, estimated_hours=2.0, without_estimate=1, ages=(("< 1 day", 1), ("1-7 days", 1), ("> 30 days", 1))
    )


def test_response_time_median_and_p90() -> None:
    # responses after 10, 20, 30, ..., 100 minutes: median (50+60)/2 = 55; p90 nearest rank ceil(9) = 9th = 90
    items = [work(n, first_response_at=T0 + timedelta(minutes=10 * n)) for n in range(1, 11)]
    items.append(work(11))  # not responded yet: not counted
    assert kpis.response_time(items) == kpis.Spread(median=55, p90=90, count=10)
    assert kpis.response_time([]) == kpis.Spread(None, None, 0)


def test_mttr_labor_and_elapsed_without_holds() -> None:
    items = [
        # 10 h from request to completion, 2 h of it on hold → 8 h; 120 min labor
        work(1, status=Status.COMPLETED, completed_at=T0 + timedelta(hours=10), hold_seconds=7200, labor_minutes=120),
        # closed after 4 h, no hold → 4 h; 60 min labor
        work(2, status=Status.CLOSED, completed_at=T0 + timedelta(hours=4), labor_minutes=60),
        work(3, type=P, status=Status.COMPLETED, completed_at=T0 + timedelta(hours=1), labor_minutes=999),  # PM
        work(4, status=Status.IN_PROGRESS, labor_minutes=500),  # not repaired yet
    ]
    # labor (120 + 60) / 2 = 90 min; elapsed (8 + 4) / 2 = 6 h
    assert kpis.mttr(items) == kpis.Repair(labor_minutes=90, elapsed_hours=6, count=2)


def test_mtbf_and_availability_per_asset() -> None:
    start, end = T0, T0 + timedelta(days=10)  # 240 h
    items = [
        work(1, asset_id=7, requested_at=T0 + timedelta(days=1)),
        work(2, asset_id=7, requested_at=T0 + timedelta(days=5)),
        work(3, asset_id=7, type=P, requested_at=T0 + timedelta(days=6)),  # PM is not a failure
        work(4, asset_id=7, requested_at=T0 - timedelta(days=1)),  # before the period
    ]
    downtime = [
        Downtime(7, T0 + timedelta(days=1), T0 + timedelta(days=1, hours=10)),  # 10 h
        Downtime(7, T0 + timedelta(days=1, hours=6), T0 + timedelta(days=1, hours=14)),  # overlaps: +4 h
        Downtime(7, end - timedelta(hours=6), None),  # still down: 6 h inside the period
        Downtime(8, T0 - timedelta(days=2), T0 + timedelta(hours=24)),  # clipped to 24 h
    ]
    seven, eight = kpis.reliability([7, 8], items, downtime, start, end)
    # asset 7: down 10 + 4 + 6 = 20 h; operating 220 h; 2 failures → MTBF 110 h; availability 220/240
    assert (seven.failures, seven.downtime_hours, seven.operating_hours, seven.mtbf_hours) == (2, 20, 220, 110)
    assert seven.availability == 220 / 240
    # asset 8: 24 h down, no failure: MTBF undefined, availability 216/240 = 0.9
    assert (eight.failures, eight.mtbf_hours, eight.availability) == (0, None, 0.9)


def test_pm_compliance_counts_within_ten_percent_of_the_interval() -> None:
    due = date(2026, 3, 10)
    items = [
        work(
            1,
            type=P,
            pm_due_on=due,
            pm_interval_days=30,
            status=Status.COMPLETED,
            completed_at=datetime(2026, 3, 13, 9, tzinfo=UTC),
        ),  # 3 days late ≤ 10% of 30 → on time
        work(
            2,
            type=P,
            pm_due_on=due,
            pm_interval_days=30,
            status=Status.CLOSED,
            completed_at=datetime(2026, 3, 14, 9, tzinfo=UTC),
        ),  # 4 days late → late
        work(3, type=P, pm_due_on=due, pm_interval_days=7, status=Status.OPEN),  # not done → not on time
        work(4, type=P, pm_due_on=date(2026, 4, 2), pm_interval_days=7),  # due after the period
    ]
    found = kpis.pm_compliance(items, date(2026, 3, 1), date(2026, 3, 31))
    assert (found.part, found.whole, found.value) == (1, 3, 1 / 3)


def test_planned_share_of_labor_hours() -> None:
    items = [work(1, type=P, labor_minutes=90), work(2, labor_minutes=30), work(3, type=P, labor_minutes=60)]
    # planned 150 min = 2.5 h of 180 min = 3 h
    assert kpis.planned_share(items).value == 2.5 / 3
    assert kpis.planned_share([]).value is None


def test_sla_attainment_per_priority() -> None:
    due = T0 + timedelta(days=1)  # each has a target (work with none: tests/unit/test_kpi_edges.py)
    items = [
        work(1, priority=Priority.HIGH, sla_resolution=SlaStatus.MET, resolution_due_at=due),
        work(2, priority=Priority.HIGH, sla_resolution=SlaStatus.BREACHED, resolution_due_at=due),
        work(3, priority=Priority.HIGH, sla_resolution=SlaStatus.MET, resolution_due_at=due),
        work(4, priority=Priority.LOW, sla_resolution=SlaStatus.ONGOING, resolution_due_at=due),  # not judged yet
        work(5, priority=Priority.URGENT, sla_resolution=SlaStatus.BREACHED, resolution_due_at=due),
    ]
    found = kpis.sla_attainment(items)
    assert {p: (r.part, r.whole) for p, r in found.items()} == {Priority.HIGH: (2, 3), Priority.URGENT: (0, 1)}


def test_first_time_fix_rate() -> None:
    done = T0 + timedelta(days=1)
    items = [
        work(1, asset_id=5, status=Status.CLOSED, completed_at=done),  # asset 5 fails again in 3 days → not fixed
        work(2, asset_id=5, requested_at=done + timedelta(days=3)),
        work(3, asset_id=6, status=Status.COMPLETED, completed_at=done, reopened=True),  # reopened → not fixed
        work(4, asset_id=9, status=Status.COMPLETED, completed_at=done),  # fixed (next failure after 8 days)
        work(5, asset_id=9, requested_at=done + timedelta(days=8)),
        work(6, status=Status.COMPLETED, completed_at=done),  # no asset, not reopened → fixed
    ]
    found = kpis.first_time_fix(items)
    assert (found.part, found.whole) == (2, 4)


def test_costs_per_work_order_asset_and_team() -> None:
    items = [
        work(1, team="facilities", asset_id=3, labor_cost=50, parts_cost=20.5, other_cost=4.5),  # 75
        work(2, team="facilities", asset_id=3, labor_cost=25),  # 25
        work(3, team="it", parts_cost=10),  # 10, no asset
    ]
    found = kpis.costs(items)
    assert found.total == 110
    assert found.by_work_order == {1: 75, 2: 25, 3: 10}
    assert found.by_asset == {3: 100}
    assert found.by_team == {"facilities": 100, "it": 10}
