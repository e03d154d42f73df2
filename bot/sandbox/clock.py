"""The sandbox's clock: wall time plus an offset the time-travel buttons move, and the steps they take."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from services.organisation.org import Organisation

STEPS = {"h": "hours", "d": "days", "m": "minutes", "w": "weeks"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SandboxError(Exception):
    """What the person is told: their action did not go through."""


@dataclass
class MovableClock:
    """Wall time plus an offset the sandbox moves forward: the bot's clock."""

    offset: timedelta = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def parse_step(advance: str, org: Organisation, now: datetime) -> timedelta:
    """ "1h", "30m", "2d", "1w", or "digest": up to the next digest time of the organisation."""
    if advance == "digest":
        due = next_digest(org, now)
        if due is None:
            raise SandboxError("This organisation has no digest")
        return due - now + timedelta(seconds=1)
    matched = re.fullmatch(r"(\d{1,4})([mhdw])", advance.strip())
    if not matched:
        raise SandboxError(f"Cannot move the clock by {advance!r}: use 1h, 1d or digest")
    return timedelta(**{STEPS[matched.group(2)]: int(matched.group(1))})


def next_digest(org: Organisation, now: datetime) -> datetime | None:
    zone = org.zone()
    local = now.astimezone(zone)
    times = []
    for digest in org.digests:
        for days in range(8):
            day = local.date() + timedelta(days=days)
            at = datetime.combine(day, digest.at, tzinfo=zone)
            if at > local and WEEKDAYS[day.weekday()] in digest.weekdays:
                times.append(at)
                break
    return min(times).astimezone(UTC) if times else None
