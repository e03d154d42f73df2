"""SLA due times from the per-priority targets in wrench.yml, counted in the team's business hours."""

from datetime import datetime, timedelta

from models.enums import Priority
from services.organisation import business_time
from services.organisation.org import Organisation


def due_times(
    org: Organisation, priority: Priority, created_at: datetime, *, team: str, paused: timedelta = timedelta(0)
) -> tuple[datetime | None, datetime | None]:
    """(response due, resolution due) for `team`'s work created at `created_at`; None without a target.

    `paused` (time spent on hold, when that does not count) pushes the resolution due time on.
    """
    target = org.sla.get(priority)
    if target is None:
        return None, None
    respond = later(org, team=team, start=created_at, by=target.respond)
    resolve = later(org, team=team, start=created_at, by=target.resolve + paused)
    return respond, resolve


def later(org: Organisation, *, team: str, start: datetime, by: timedelta) -> datetime:
    """The moment `by` of `team`'s SLA time after `start`."""
    return business_time.add(start, by, org.team(team).business_hours, org.zone(), org.holidays)


def counted(org: Organisation, *, team: str, start: datetime, end: datetime) -> timedelta:
    """The time between `start` and `end` that counts for `team`'s SLA."""
    return business_time.between(start, end, org.team(team).business_hours, org.zone(), org.holidays)
