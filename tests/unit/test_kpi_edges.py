"""The KPI rules at their edges, each on a fixture worked out by hand (the working is in the comments):
what is left out of SLA attainment, which day a PM was done on, which later work breaks a first-time fix,
the bucket of an age exactly on a limit and the median of an even count."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from models.enums import Priority, SlaStatus, Status
from services.reporting import kpis
from tests.unit.test_kpis import T0, P, work

NEW_YORK = ZoneInfo("America/New_York")


def test_sla_attainment_leaves_out_work_with_no_target_although_it_is_recorded_as_met() -> None:
    due = T0 + timedelta(days=1)
    items = [
        work(1, priority=Priority.LOW, sla_resolution=SlaStatus.MET, resolution_due_at=due),  # met
        work(2, priority=Priority.LOW, sla_resolution=SlaStatus.BREACHED, resolution_due_at=due),  # breached
        work(3, priority=Priority.LOW, sla_resolution=SlaStatus.MET),  # no due time: no target → left out
        work(4, priority=Priority.LOW, sla_resolution=SlaStatus.MET),  # the same
        work(5, priority=Priority.URGENT, sla_resolution=SlaStatus.MET),  # the only urgent one has no target
    ]
    found = kpis.sla_attainment(items)
    # low: 1 met of (1 met + 1 breached) = 50%, not 3 of 4; urgent: nothing judged → no figure at all
    assert {p: (r.part, r.whole) for p, r in found.items()} == {Priority.LOW: (1, 2)}


def test_pm_on_time_is_by_the_local_calendar_day() -> None:
    due = date(2026, 3, 10)  # weekly: 10% of 7 days = 0.7 → no whole day of grace
    late_evening = datetime(2026, 3, 11, 2, tzinfo=UTC)  # 22:00 on 10 March in New York (UTC-4)
    next_morning = datetime(2026, 3, 11, 4, 30, tzinfo=UTC)  # 00:30 on 11 March in New York
    items = [
        work(1, type=P, pm_due_on=due, pm_interval_days=7, status=Status.COMPLETED, completed_at=late_evening),
        work(2, type=P, pm_due_on=due, pm_interval_days=7, status=Status.COMPLETED, completed_at=next_morning),
        # monthly: 10% of 30.44 days = 3.04 → 3 whole days, so the 13th local is the last day on time
        work(3, type=P, pm_due_on=due, pm_interval_days=30.44, status=Status.COMPLETED,
             completed_at=datetime(2026, 3, 14, 3, 59, tzinfo=UTC)),  # 23:59 on the 13th in New York
        work(4, type=P, pm_due_on=due, pm_interval_days=30.44, status=Status.COMPLETED,
             completed_at=datetime(2026, 3, 14, 4, 0, tzinfo=UTC)),  # 00:00 on the 14th → late
    ]  # fmt: skip
    found = kpis.pm_compliance(items, date(2026, 3, 1), date(2026, 3, 31), NEW_YORK)
    # on time: 1 (the due day, local) and 3 (the last day of grace, local) → 2 of 4
    assert (found.part, found.whole) == (2, 4)
    # in UTC (the organisation's zone is UTC) 1 was done on the 11th: late, and 3 on the 14th: late
    assert kpis.pm_compliance(items, date(2026, 3, 1), date(2026, 3, 31)).part == 0


def test_a_cancelled_work_order_on_the_asset_does_not_break_a_first_time_fix() -> None:
    done = T0 + timedelta(days=1)
    items = [
        work(1, asset_id=5, status=Status.COMPLETED, completed_at=done),  # fixed: its only follow-up was cancelled
        work(2, asset_id=5, requested_at=done + timedelta(days=2), status=Status.CANCELLED),  # a duplicate
        work(3, asset_id=6, status=Status.COMPLETED, completed_at=done),  # not fixed: asset 6 failed again
        work(4, asset_id=6, requested_at=done + timedelta(days=7)),  # exactly 7 days later: inside the window
        work(5, asset_id=7, status=Status.COMPLETED, completed_at=done),  # fixed: later work is preventive
        work(6, asset_id=7, type=P, requested_at=done + timedelta(days=1)),
    ]
    found = kpis.first_time_fix(items)
    # fixed: 1 and 5 of the completed corrective 1, 3, 5
    assert (found.part, found.whole) == (2, 3)


def test_an_age_exactly_on_a_limit_falls_in_the_older_bucket() -> None:
    now = T0 + timedelta(days=60)
    items = [work(n, requested_at=now - timedelta(days=age)) for n, age in enumerate((1, 7, 30, 0.5), start=1)]
    # age < 1 day → "< 1 day"; exactly 1 day → "1-7 days"; exactly 7 → "7-30 days"; exactly 30 → "> 30 days"
    assert kpis.backlog(items, now).ages == (("< 1 day", 1), ("1-7 days", 1), ("7-30 days", 1), ("> 30 days", 1))


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() -> None:
    # 10, 20, 30, 100: the middle two are 20 and 30 → 25; p90 nearest rank ceil(3.6) = 4th = 100
    assert kpis.spread([100, 10, 30, 20]) == kpis.Spread(median=25, p90=100, count=4)
