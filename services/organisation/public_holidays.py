"""Days off: a country's (and region's) public holidays, from the maintained `holidays` library, plus the
dates the organisation adds, less the public holidays it works.

In `wrench.yml` either a list of dates (the days off, as before) or a mapping:

    holidays: {country: GB, subdivision: ENG, add: [2026-12-24], remove: [2026-08-31]}
"""

from collections.abc import Container
from datetime import date
from functools import lru_cache
from typing import Any

import holidays as holiday_library
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

NAMES_LANGUAGE = "en_US"  # the language of holiday names where the library has it (else the country's own)


@lru_cache(maxsize=64)
def _public(country: str, subdivision: str | None) -> holiday_library.HolidayBase:
    """The library's calendar for a place; it works out each year's days the first time it is asked."""
    language = NAMES_LANGUAGE if NAMES_LANGUAGE in _languages(country) else None
    return holiday_library.country_holidays(country, subdiv=subdivision, language=language)


@lru_cache(maxsize=256)
def _languages(country: str) -> tuple[str, ...]:
    return tuple(holiday_library.country_holidays(country).supported_languages)


def countries() -> dict[str, list[str]]:
    """Country codes the library knows, each with its subdivision codes."""
    return holiday_library.list_supported_countries()


class Holidays(BaseModel):
    """The days off of a team or of the whole organisation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str | None = Field(default=None, pattern=r"^[A-Z]{2,3}$")  # ISO 3166-1: GB, US, DE
    subdivision: str | None = Field(default=None, min_length=1, max_length=10)  # ISO 3166-2: ENG, CA, BY
    add: tuple[date, ...] = Field(default=(), max_length=1000)  # days off besides the public holidays
    remove: tuple[date, ...] = Field(default=(), max_length=1000)  # public holidays that are worked
    _added: frozenset[date] = PrivateAttr(frozenset())
    _removed: frozenset[date] = PrivateAttr(frozenset())

    def model_post_init(self, context: Any) -> None:
        self._added, self._removed = frozenset(self.add), frozenset(self.remove)  # asked of every day

    @model_validator(mode="before")
    @classmethod
    def _dates_alone(cls, value: Any) -> Any:
        """A plain list of dates is the days off, as `holidays` was before it knew countries."""
        if isinstance(value, list | tuple):
            return {"add": value}
        return value

    @model_validator(mode="after")
    def _known_place(self) -> "Holidays":
        if self.country is None:
            if self.subdivision is not None:
                raise ValueError("a subdivision needs its country (country: GB, subdivision: ENG)")
            if self.remove:
                raise ValueError("remove takes days off a country's public holidays: give the country")
            return self
        known = countries()
        if self.country not in known:
            raise ValueError(f"'{self.country}' is not a country the holidays library knows (an ISO code: GB, US, DE)")
        subdivisions = known[self.country]
        if self.subdivision is not None and self.subdivision not in subdivisions:
            listed = ", ".join(subdivisions[:40]) + ("…" if len(subdivisions) > 40 else "")
            raise ValueError(f"'{self.subdivision}' is not a subdivision of {self.country} (one of: {listed})")
        return self

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if day in self._added:
            return True
        if self.country is None or day in self._removed:
            return False
        return day in _public(self.country, self.subdivision)

    def name(self, day: date) -> str | None:
        """What the day is called, when it is a day off ("Holiday" for a date added without a name)."""
        if day not in self:
            return None
        if self.country is not None and day not in self._removed:
            named = _public(self.country, self.subdivision).get(day)
            if named:
                return str(named)
        return "Holiday"

    def __bool__(self) -> bool:
        return self.country is not None or bool(self.add)


class AnyOf(Container[date]):
    """Days off in any of several calendars: a team's and the organisation's."""

    def __init__(self, *calendars: Container[date]) -> None:
        self.calendars = calendars

    def __contains__(self, day: object) -> bool:
        return any(day in calendar for calendar in self.calendars)

    def name(self, day: date) -> str | None:
        for calendar in self.calendars:
            if isinstance(calendar, Holidays) and (named := calendar.name(day)):
                return named
        return None
