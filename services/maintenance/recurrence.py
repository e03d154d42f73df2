"""PM recurrence, pure date maths: when each occurrence of a schedule falls due.

Dates are local calendar dates of the organisation (a PM is due on a day, not at an instant), so
daylight-saving changes never move them. Time is passed in; nothing here reads a clock.
"""

import calendar
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from models.enums import Anchor, NonWorking, Repeat

MON_TO_FRI = frozenset(range(5))
SEARCH_LIMIT = 20_000  # nominal dates looked at before giving up (a cron that never fires, say)


class RecurrenceError(ValueError):
    """A recurrence that cannot work, in words for the person who wrote it."""


@dataclass(frozen=True)
class Recurrence:
    starts_on: date
    repeat: Repeat | None = None  # None: meter only
    every: int = 1
    weekdays: frozenset[int] = frozenset()  # weekly: 0 = Monday; empty: the start date's weekday
    cron: str | None = None
    ends_on: date | None = None
    max_count: int | None = None
    anchor: Anchor = Anchor.FIXED
    non_working: NonWorking = NonWorking.KEEP
    working_days: frozenset[int] = MON_TO_FRI
    holidays: Container[date] = field(default_factory=frozenset)  # days off: a set, or public holidays

    def __post_init__(self) -> None:
        if self.every < 1:
            raise RecurrenceError("every must be 1 or more")
        if self.repeat is Repeat.CRON:
            cron_trigger(self.cron or "")
        if self.anchor is Anchor.FLOATING and (self.repeat in (None, Repeat.CRON) or self.weekdays):
            raise RecurrenceError(
                "floating schedules repeat every N days, weeks, months or years (no weekdays, no cron)"
            )
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise RecurrenceError("the end date is before the start date")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays


def cron_trigger(expression: str) -> CronTrigger:
    """A five-field crontab (minute hour day month weekday); only its days matter for PM."""
    try:
        return CronTrigger.from_crontab(expression.strip(), timezone=UTC)
    except (ValueError, TypeError) as error:
        raise RecurrenceError(f"'{expression}' is not a cron expression like `0 6 * * 1` ({error})") from None


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, kept to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _nominal(rule: Recurrence, after: date | None) -> Iterator[date]:
    """The schedule's dates after `after` (from the start date when None), before non-working days."""
    first = rule.starts_on if after is None else max(rule.starts_on, after + timedelta(days=1))
    if rule.repeat is Repeat.DAYS:
        steps = -(-(first - rule.starts_on).days // rule.every)
        day = rule.starts_on + timedelta(days=steps * rule.every)
        while True:
            yield day
            day += timedelta(days=rule.every)
    elif rule.repeat is Repeat.WEEKS:
        days = rule.weekdays or frozenset({rule.starts_on.weekday()})
        week_zero = rule.starts_on - timedelta(days=rule.starts_on.weekday())
        day = first
        while True:
            if ((day - week_zero).days // 7) % rule.every == 0 and day.weekday() in days:
                yield day
            day += timedelta(days=1)
    elif rule.repeat in (Repeat.MONTHS, Repeat.YEARS):
        months = rule.every * (12 if rule.repeat is Repeat.YEARS else 1)
        step = max(0, ((first.year - rule.starts_on.year) * 12 + first.month - rule.starts_on.month) // months - 1)
        while True:
            day = add_months(rule.starts_on, step * months)
            if day >= first:
                yield day
            step += 1
    elif rule.repeat is Repeat.CRON:
        trigger = cron_trigger(rule.cron or "")
        moment = datetime.combine(first, datetime.min.time(), UTC)
        while True:
            fire = trigger.get_next_fire_time(None, moment)
            if fire is None:
                return
            yield fire.date()
            moment = datetime.combine(fire.date() + timedelta(days=1), datetime.min.time(), UTC)


def _working(rule: Recurrence, day: date) -> date | None:
    """`day` as the non-working-day policy has it: kept, dropped (None) or moved on."""
    if rule.non_working is NonWorking.KEEP or rule.is_working_day(day):
        return day
    if rule.non_working is NonWorking.SKIP:
        return None
    return _next_working_day(rule, day)


def _next_working_day(rule: Recurrence, day: date) -> date:
    for _ in range(366):
        if rule.is_working_day(day):
            return day
        day += timedelta(days=1)
    raise RecurrenceError("no working day within a year: check the working days and holidays")


def next_due(rule: Recurrence, after: date | None) -> date | None:
    """The first due date after `after` (the first of all when None); None when the schedule has ended
    (past its end date) or has no calendar part."""
    if rule.repeat is None:
        return None
    for looked, nominal in enumerate(_nominal(rule, after)):
        if (rule.ends_on is not None and nominal > rule.ends_on) or looked > SEARCH_LIMIT:
            return None
        day = _working(rule, nominal)
        if day is not None and (after is None or day > after):
            return day
    return None


def floating_due(rule: Recurrence, completed_on: date) -> date | None:
    """A floating schedule's next due date: one interval after the last completion (on a working day
    unless non-working days are kept)."""
    assert rule.repeat in (Repeat.DAYS, Repeat.WEEKS, Repeat.MONTHS, Repeat.YEARS)
    if rule.repeat is Repeat.DAYS:
        day = completed_on + timedelta(days=rule.every)
    elif rule.repeat is Repeat.WEEKS:
        day = completed_on + timedelta(weeks=rule.every)
    else:
        day = add_months(completed_on, rule.every * (12 if rule.repeat is Repeat.YEARS else 1))
    if rule.non_working is not NonWorking.KEEP:  # nothing to skip to: a floating date moves on
        day = _next_working_day(rule, day)
    if rule.ends_on is not None and day > rule.ends_on:
        return None
    return day


def catch_up(rule: Recurrence, due: date, *, today: date, lead_days: int) -> tuple[date, int]:
    """For a fixed schedule whose occurrence `due` is only now being generated: if it is already past
    and the next date's own time has come too, the missed date is skipped. Returns the date to
    generate and how many were skipped (so downtime or a late completion makes one work order)."""
    skipped = 0
    while due < today and skipped < SEARCH_LIMIT:
        following = next_due(rule, due)
        if following is None or following - timedelta(days=lead_days) > today:
            break
        due, skipped = following, skipped + 1
    return due, skipped


def describe(rule: Recurrence) -> str:
    """ "every 2 weeks on Mon, Thu", "every month", "cron `0 6 * * 1`" (no meter part)."""
    if rule.repeat is None:
        return ""
    if rule.repeat is Repeat.CRON:
        return f"cron `{rule.cron}`"
    unit = rule.repeat.value[:-1]
    text = f"every {unit}" if rule.every == 1 else f"every {rule.every} {rule.repeat.value}"
    if rule.repeat is Repeat.WEEKS and rule.weekdays:
        text += " on " + ", ".join(calendar.day_abbr[day] for day in sorted(rule.weekdays))
    if rule.anchor is Anchor.FLOATING:
        text += " after the last completion"
    return text
