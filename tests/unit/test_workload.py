"""Workload per person on a small fixture whose answer was worked out by hand (the working is in the comments)."""

from datetime import UTC, datetime, timedelta

from models.enums import Status
from services.reporting import workload
from services.reporting.workload import Job, Workload

NOW = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=7)
TECH_1, TECH_2, TECH_3, MANAGER, ADMIN = "U0TECH1", "U0TECH2", "U0TECH3", "U0MANAGER", "U0ADMIN"


def test_open_work_held_estimates_overdue_and_completed_per_person() -> None:
    hours = timedelta(hours=1)
    jobs = [
        Job(1, Status.OPEN, TECH_1, resolution_due_at=NOW - hours, estimated_minutes=90),  # overdue
        Job(2, Status.IN_PROGRESS, TECH_1, resolution_due_at=NOW + 24 * hours, estimated_minutes=60),
        Job(3, Status.ON_HOLD, TECH_1, resolution_due_at=NOW - 48 * hours),  # overdue, no estimate
        Job(4, Status.COMPLETED, TECH_1, completed_by=TECH_1, completed_at=NOW - 48 * hours),  # done in the period
        Job(5, Status.CLOSED, TECH_1, completed_by=TECH_1, completed_at=SINCE - hours),  # done before it
        # completed by tech 1 though tech 2 holds it: it counts for who completed it
        Job(6, Status.COMPLETED, TECH_2, completed_by=TECH_1, completed_at=NOW - 3 * hours),
        Job(7, Status.OPEN, TECH_2, resolution_due_at=NOW, estimated_minutes=30),  # due now: not past it yet
        Job(8, Status.OPEN, TECH_2, resolution_due_at=NOW + 48 * hours, estimated_minutes=120),  # reopened
        Job(9, Status.CANCELLED, TECH_2, resolution_due_at=NOW - 48 * hours, estimated_minutes=999),  # not open
        Job(10, Status.IN_PROGRESS, MANAGER),  # a manager holding work is listed; no estimate, no due time
        Job(11, Status.OPEN, None, resolution_due_at=NOW - 5 * 24 * hours),  # unclaimed: nobody's
        Job(12, Status.COMPLETED, ADMIN, completed_by=ADMIN, completed_at=NOW - 24 * hours),  # an admin's completion
    ]
    found = workload.workload(jobs, technicians=[TECH_1, TECH_2, TECH_3], since=SINCE, now=NOW)
    assert found == [
        # tech 1 holds 1, 2, 3: estimates 90 + 60 = 150 min = 2.5 h, 3 has none; 1 and 3 past due; completed 4, 6
        Workload(TECH_1, open=3, estimated_hours=2.5, without_estimate=1, overdue=2, completed=2),
        # tech 2 holds 7, 8: 30 + 120 = 150 min = 2.5 h; 7 is due at `now` exactly, which is not past it
        Workload(TECH_2, open=2, estimated_hours=2.5, without_estimate=0, overdue=0, completed=0),
        Workload(MANAGER, open=1, estimated_hours=0.0, without_estimate=1, overdue=0, completed=0),
        # nothing held: by user id, the admin (who completed 12) before tech 3 (listed as a technician, idle)
        Workload(ADMIN, open=0, estimated_hours=0.0, without_estimate=0, overdue=0, completed=1),
        Workload(TECH_3, open=0, estimated_hours=0.0, without_estimate=0, overdue=0, completed=0),
    ]


def test_a_completion_without_who_completed_counts_for_its_holder() -> None:
    jobs = [Job(1, Status.CLOSED, TECH_2, completed_at=NOW - timedelta(days=1))]  # completed_by unknown
    assert workload.workload(jobs, technicians=[], since=SINCE, now=NOW) == [Workload(TECH_2, 0, 0.0, 0, 0, 1)]


def test_report_rows_one_per_person_labelled_by_user_id() -> None:
    loads = [Workload(TECH_1, open=5, estimated_hours=12.5, without_estimate=1, overdue=2, completed=8)]
    assert workload.rows(loads, 7) == [
        (
            "Workload, U0TECH1",
            "5 open (12.5 h estimated, 1 without an estimate, 2 overdue); 8 completed in the last 7 days",
        )
    ]
