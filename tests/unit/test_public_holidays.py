"""Public holidays from the `holidays` library: a country and region's days off, plus added dates, less
removed ones; the plain list of dates as before; clear refusals of unknown places."""

import re
from datetime import date

import pytest
from pydantic import ValidationError

from services.organisation.public_holidays import AnyOf, Holidays

ENGLAND = Holidays(country="GB", subdivision="ENG")


def test_a_countrys_public_holidays_are_days_off() -> None:
    assert date(2027, 3, 26) in ENGLAND and ENGLAND.name(date(2027, 3, 26)) == "Good Friday"
    assert date(2027, 3, 29) in ENGLAND and ENGLAND.name(date(2027, 3, 29)) == "Easter Monday"
    assert date(2027, 3, 30) not in ENGLAND and ENGLAND.name(date(2027, 3, 30)) is None
    scotland = Holidays(country="GB", subdivision="SCT")
    assert date(2027, 1, 4) in scotland and date(2027, 1, 4) not in ENGLAND  # Scotland's 2 January, moved


def test_dates_added_and_removed() -> None:
    ours = Holidays.model_validate(
        {"country": "GB", "subdivision": "ENG", "add": ["2027-12-24"], "remove": ["2027-08-30"]}
    )
    assert date(2027, 8, 30) in ENGLAND and date(2027, 8, 30) not in ours  # the summer bank holiday is worked
    assert date(2027, 12, 24) in ours and ours.name(date(2027, 12, 24)) == "Holiday"
    assert date(2027, 12, 27) in ours  # the library's own days stay


def test_a_plain_list_is_the_days_off() -> None:
    listed = Holidays.model_validate(["2026-12-25", "2026-12-26"])
    assert (listed.country, listed.add) == (None, (date(2026, 12, 25), date(2026, 12, 26)))
    assert date(2026, 12, 25) in listed and date(2027, 12, 25) not in listed
    assert not Holidays() and listed and ENGLAND


def test_any_of_several_calendars() -> None:
    both = AnyOf(ENGLAND, Holidays(add=(date(2027, 6, 1),)))
    assert date(2027, 6, 1) in both and date(2027, 3, 29) in both and date(2027, 6, 2) not in both
    assert both.name(date(2027, 3, 29)) == "Easter Monday"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"country": "XX"}, "'XX' is not a country the holidays library knows"),
        ({"country": "GB", "subdivision": "YORKS"}, "'YORKS' is not a subdivision of GB (one of: ENG, NIR, SCT, WLS)"),
        ({"subdivision": "ENG"}, "a subdivision needs its country"),
        ({"remove": ["2027-08-30"]}, "remove takes days off a country's public holidays"),
        ({"country": "gb"}, "String should match pattern"),
        ({"add": ["2027-02-30"]}, "day value is outside expected range"),
    ],
)
def test_unknown_places_are_refused(values: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        Holidays.model_validate(values)
