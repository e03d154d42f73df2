"""Workload per person, pure: plain records in, figures out (like `services.reporting.kpis`). Reading the records
from the database is `services.workload_records`' job; the formulas are here, tested on fixtures with
answers worked out by hand in `tests/unit/test_workload.py`, and written out in docs/kpis.md.

Who is listed: every technician of the team (an idle one shows as free to take work), and anyone else
(a manager, an admin, someone no longer in wrench.yml) who holds the team's open work or completed
some of it in the period.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from models.enums import Status

ACTIVE = (Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD)
DONE = (Status.COMPLETED, Status.CLOSED)


@dataclass(frozen=True)
class Job:
    """One of the team's work orders as the workload sees it."""

    number: int
    status: Status
    assignee_id: str | None = None  # who holds it
    resolution_due_at: datetime | None = None
    estimated_minutes: int | None = None
    completed_by: str | None = None  # who pressed Complete (reopening clears it, and `completed_at`)
    completed_at: datetime | None = None


@dataclass(frozen=True)
class Workload:
    """What one person holds now, and what they completed in the period."""

    user_id: str
    open: int  # open work orders they hold (open, in progress, on hold)
    estimated_hours: float  # the sum of the estimates of those that have one
    without_estimate: int
    overdue: int  # held open work past its resolution due time now
    completed: int  # work they completed in the period (completed or closed since)


def workload(jobs: Iterable[Job], *, technicians: Sequence[str], since: datetime, now: datetime) -> list[Workload]:
    """Per person: open work held, its estimated hours (and how many have none), how much of it is past its
    resolution due time at `now`, and the work completed in [since, now]. Most open work first, then most
    overdue, then by user id."""
    held: dict[str, list[Job]] = {user_id: [] for user_id in technicians}
    completed: dict[str, int] = dict.fromkeys(technicians, 0)
    for job in jobs:
        if job.status in ACTIVE and job.assignee_id:
            held.setdefault(job.assignee_id, []).append(job)
        who = job.completed_by or job.assignee_id
        if job.status in DONE and job.completed_at is not None and since <= job.completed_at <= now and who:
            completed[who] = completed.get(who, 0) + 1
    found = []
    for user_id in {*held, *completed}:
        mine = held.get(user_id, [])
        estimates = [job.estimated_minutes for job in mine if job.estimated_minutes is not None]
        found.append(
            Workload(
                user_id=user_id,
                open=len(mine),
                estimated_hours=sum(estimates) / 60,
                without_estimate=len(mine) - len(estimates),
                overdue=sum(1 for job in mine if job.resolution_due_at is not None and job.resolution_due_at < now),
                completed=completed.get(user_id, 0),
            )
        )
    return sorted(found, key=lambda load: (-load.open, -load.overdue, load.user_id))


LABEL = "Workload, {}"  # one row per person, labelled by their Slack user id


def rows(loads: Iterable[Workload], days: int) -> list[tuple[str, str]]:
    """Each person's figures as a labelled row of `wrench report` (table and CSV)."""
    return [
        (
            LABEL.format(load.user_id),
            f"{load.open} open ({load.estimated_hours:.1f} h estimated, {load.without_estimate} without an estimate,"
            f" {load.overdue} overdue); {load.completed} completed in the last {days} days",
        )
        for load in loads
    ]
