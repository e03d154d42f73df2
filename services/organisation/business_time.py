"""Time that counts for an SLA: all of it, or only a team's business hours (weekdays, opening hours,
holidays) in the organisation's time zone. Pure functions; daylight-saving changes are handled by
building each day's opening hours as local wall-clock times and converting them to UTC."""

from collections.abc import Container, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, model_validator

from services.organisation.public_holidays import Holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS = 3660  # ten years: a target longer than that is a configuration error, not a loop


class BusinessHours(BaseModel):
    """When a team works: `days` of the week from `start` to `end` local time, except `holidays`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    start: time = time(8, 0)
    end: time = time(18, 0)
    holidays: Holidays = Holidays()

    @model_validator(mode="after")
    def _sensible(self) -> "BusinessHours":
        unknown = [day for day in self.days if day not in WEEKDAYS]
        if unknown:
            raise ValueError(f"'{unknown[0]}' is not a weekday: use {', '.join(WEEKDAYS)}")
        if not self.days:
            raise ValueError("days must name at least one weekday")
        if self.start >= self.end:
            raise ValueError("start must be before end (opening hours within one day)")
        return self

    def windows(
        self, since: datetime, zone: ZoneInfo, also_off: Container[date] = ()
    ) -> Iterator[tuple[datetime, datetime]]:
        """Opening hours as UTC (open, close) pairs, from the day `since` falls on, in order; days in
        `holidays` or `also_off` (the organisation's) have none."""
        day = since.astimezone(zone).date()
        for _ in range(MAX_DAYS):
            if WEEKDAYS[day.weekday()] in self.days and day not in self.holidays and day not in also_off:
                opens = datetime.combine(day, self.start, zone).astimezone(UTC)
                closes = datetime.combine(day, self.end, zone).astimezone(UTC)
                yield opens, closes
            day += timedelta(days=1)
        raise ValueError("no opening hours within ten years")


def add(
    start: datetime, duration: timedelta, hours: BusinessHours | None, zone: ZoneInfo, also_off: Container[date] = ()
) -> datetime:
    """The moment `duration` of counted time after `start` (calendar time without business hours)."""
    if hours is None:
        return start + duration
    left = duration
    for opens, closes in hours.windows(start, zone, also_off):
        begin = max(opens, start)
        if begin >= closes:
            continue
        if begin + left <= closes:
            return begin + left
        left -= closes - begin
    raise AssertionError("unreachable: windows() raises first")


def between(
    start: datetime, end: datetime, hours: BusinessHours | None, zone: ZoneInfo, also_off: Container[date] = ()
) -> timedelta:
    """Counted time from `start` to `end` (zero when `end` is not after `start`)."""
    if end <= start:
        return timedelta(0)
    if hours is None:
        return end - start
    counted = timedelta(0)
    for opens, closes in hours.windows(start, zone, also_off):
        if opens >= end:
            break
        counted += max(timedelta(0), min(closes, end) - max(opens, start))
    return counted
