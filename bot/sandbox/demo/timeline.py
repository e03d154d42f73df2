"""When the demo's history happens: working days back from now, and the stories told on them."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from models.enums import (
    Priority,
)
from services.organisation.org import Organisation

# -- when things happen -----------------------------------------------------------------------------


class Timeline:
    """Times of the history: working days counted back from `now`'s local date, at local times."""

    def __init__(self, org: Organisation, now: datetime) -> None:
        self.org, self.now, self.zone = org, now, org.zone()
        self.today = now.astimezone(self.zone).date()

    def workday(self, back: int) -> date:
        """The working day (Monday to Friday) `back` working days before today (0: today, if it is one)."""
        day = self.today
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        for _ in range(back):
            day -= timedelta(days=1)
            while day.weekday() >= 5:
                day -= timedelta(days=1)
        return day

    def at(self, back: int, clock: str) -> datetime:
        hours, minutes = (int(part) for part in clock.split(":"))
        moment = datetime.combine(self.workday(back), time(hours, minutes), tzinfo=self.zone)
        return moment.astimezone(self.now.tzinfo)

    def ago(self, minutes: int) -> datetime:
        return self.now - timedelta(minutes=minutes)


When = tuple[int, str] | int  # (working days back, "HH:MM" local), or minutes before now


@dataclass(frozen=True)
class Step:
    when: When
    actor: str
    verb: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    """One request and what happened to it."""

    key: str
    filed: When
    requester: str
    title: str
    category: str
    steps: tuple[Step, ...] = ()
    description: str = ""
    priority: Priority | None = None
    place: str | None = None  # a LOCATIONS key
    asset: str | None = None  # a tag
    fields: dict[str, Any] = field(default_factory=dict)
    asset_down: bool = False


def s(when: When, actor: str, verb: str, **args: Any) -> Step:
    return Step(when, actor, verb, args)
