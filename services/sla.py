"""SLA due times from the per-priority targets in wrench.yml, counted in the team's business hours."""

from datetime import datetime, timedelta

from models.enums import Priority
from services import business_time
from services.org import Organisation


def due_times(
    org: Organisation, priority: Priority, created_at: datetime, *, team: str, paused: timedelta = timedelta(0)
) -> tuple[datetime | None, datetime | None]:
    """(response due, resolution due) for `team`'s work created at `created_at`; None without a target.

    `paused` (time spent on hold, when that does not count) pushes the resolution due time on.
    """
    target = org.sla.get(priority)
    if target is None:
        return None, None
    hours, zone = org.team(team).business_hours, org.zone()
    respond = business_time.add(created_at, target.respond, hours, zone)
    resolve = business_time.add(created_at, target.resolve + paused, hours, zone)
    return respond, resolve


def counted(org: Organisation, *, team: str, start: datetime, end: datetime) -> timedelta:
    """The time between `start` and `end` that counts for `team`'s SLA."""
    return business_time.between(start, end, org.team(team).business_hours, org.zone())
