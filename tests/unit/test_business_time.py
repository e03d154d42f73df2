"""SLA time maths: calendar time, business hours, holidays, time zones and daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.organisation.business_time import BusinessHours, add, between

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = BusinessHours(days=("mon", "tue", "wed", "thu", "fri"), start=time(8), end=time(18))


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone).astimezone(UTC)


def test_without_business_hours_time_is_calendar_time() -> None:
    start = datetime(2026, 3, 27, 17, tzinfo=UTC)
    assert add(start, timedelta(hours=4), None, LONDON) == start + timedelta(hours=4)
    assert between(start, start + timedelta(days=2), None, LONDON) == timedelta(days=2)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Friday 17:00 + 4 h: 1 h on Friday, 3 h on Monday from 08:00
        (local(LONDON, 2026, 3, 6, 17), 4, local(LONDON, 2026, 3, 9, 11)),
        # before opening: the clock starts at 08:00
        (local(LONDON, 2026, 3, 9, 6), 1, local(LONDON, 2026, 3, 9, 9)),
        # after closing: the next working day
        (local(LONDON, 2026, 3, 9, 20), 2, local(LONDON, 2026, 3, 10, 10)),
        # across the spring change (29 March 2026: 01:00 GMT becomes 02:00 BST): Monday 09:00 BST is 08:00 UTC
        (local(LONDON, 2026, 3, 27, 17), 2, datetime(2026, 3, 30, 8, tzinfo=UTC)),
        # across the autumn change (25 October 2026): Monday 09:00 GMT is 09:00 UTC
        (local(LONDON, 2026, 10, 23, 17), 2, datetime(2026, 10, 26, 9, tzinfo=UTC)),
        # exactly at closing time stays on the same day
        (local(LONDON, 2026, 3, 9, 16), 2, local(LONDON, 2026, 3, 9, 18)),
        # three working days of 10 h
        (local(LONDON, 2026, 3, 9, 8), 30, local(LONDON, 2026, 3, 11, 18)),
    ],
)
def test_business_hours_in_london(start: datetime, hours: int, expected: datetime) -> None:
    assert add(start, timedelta(hours=hours), OFFICE, LONDON) == expected
    assert between(start, expected, OFFICE, LONDON) == timedelta(hours=hours)


def test_holidays_are_skipped() -> None:
    christmas = BusinessHours(holidays=(date(2026, 12, 25),))
    start = local(LONDON, 2026, 12, 24, 17)  # Thursday
    assert add(start, timedelta(hours=2), christmas, LONDON) == local(LONDON, 2026, 12, 28, 9)


def test_the_same_hours_in_another_zone() -> None:
    start = datetime(2026, 3, 9, 12, tzinfo=UTC)  # 08:00 in New York (EDT since 8 March)
    assert add(start, timedelta(hours=10), OFFICE, NEW_YORK) == datetime(2026, 3, 9, 22, tzinfo=UTC)
    assert add(start, timedelta(hours=11), OFFICE, NEW_YORK) == datetime(2026, 3, 10, 13, tzinfo=UTC)


def test_weekend_shifts_only_count_their_own_days() -> None:
    weekend = BusinessHours(days=("sat", "sun"), start=time(10), end=time(14))
    friday = local(LONDON, 2026, 3, 6, 12)
    assert add(friday, timedelta(hours=5), weekend, LONDON) == local(LONDON, 2026, 3, 8, 11)
    assert between(friday, local(LONDON, 2026, 3, 9, 12), weekend, LONDON) == timedelta(hours=8)


def test_between_is_zero_backwards() -> None:
    start = local(LONDON, 2026, 3, 9, 9)
    assert between(start, start - timedelta(hours=1), OFFICE, LONDON) == timedelta(0)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"start": "18:00", "end": "08:00"}, "start must be before end"),
        ({"days": ["monday"]}, "'monday' is not a weekday"),
        ({"days": []}, "at least one weekday"),
    ],
)
def test_bad_business_hours_are_refused(values: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        BusinessHours.model_validate(values)


def test_no_working_day_at_all_is_an_error_not_a_hang() -> None:
    every_day_a_holiday = BusinessHours(
        days=("mon",), holidays=tuple(date(2026, 1, 5) + timedelta(weeks=n) for n in range(600))
    )
    with pytest.raises(ValueError, match="no opening hours"):
        add(local(LONDON, 2026, 1, 1, 9), timedelta(hours=1), every_day_a_holiday, LONDON)
