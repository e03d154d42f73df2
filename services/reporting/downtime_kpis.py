"""Downtime KPIs, pure: downtime periods in, figures out (formulas in docs/kpis.md, each tested on a
hand-worked fixture in tests/unit/test_downtime_kpis.py). Reading the periods is `services.reporting.breakdowns`'.

An **event** is one stretch of time an asset was down inside the period: its periods clipped to the
period, those of one asset that overlap merged into one (so overlapping downtime is counted once).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

NO_LOCATION = "(no location)"


@dataclass(frozen=True)
class Period:
    """A stored downtime period (`downtimes`)."""

    asset_id: int
    start: datetime
    end: datetime | None  # None: still down


@dataclass(frozen=True)
class Event:
    """One outage of an asset within the period (clipped to it, overlapping periods merged)."""

    asset_id: int
    start: datetime
    end: datetime
    ongoing: bool  # still down at the period's end

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Summary:
    hours: float  # every event's hours added up
    events: int
    longest: Event | None
    by_asset: dict[int, float] = field(default_factory=dict)
    by_location: dict[str, float] = field(default_factory=dict)  # rolled up to every parent location


def events(periods: Iterable[Period], start: datetime, end: datetime) -> list[Event]:
    """The outages in [start, end): each period clipped to it (one still running ends at `end`), then the
    periods of one asset that overlap merged. Ordered by start, then asset."""
    spans: dict[int, list[tuple[datetime, datetime, bool]]] = defaultdict(list)
    for p in periods:
        begin, finish = max(p.start, start), min(p.end or end, end)
        if begin < finish:
            spans[p.asset_id].append((begin, finish, p.end is None or p.end > end))
    found = []
    for asset_id, parts in spans.items():
        parts.sort()
        begin, finish, ongoing = parts[0]
        for next_begin, next_finish, next_ongoing in parts[1:]:
            if next_begin < finish:  # overlaps the event so far: the same outage
                finish, ongoing = max(finish, next_finish), ongoing or next_ongoing
                continue
            found.append(Event(asset_id, begin, finish, ongoing))
            begin, finish, ongoing = next_begin, next_finish, next_ongoing
        found.append(Event(asset_id, begin, finish, ongoing))
    return sorted(found, key=lambda e: (e.start, e.asset_id))


def summary(
    periods: Iterable[Period], start: datetime, end: datetime, locations: Mapping[int, Sequence[str]]
) -> Summary:
    """Hours down in [start, end), in total, per asset and per location; the number of events and the
    longest one (the earliest of equally long ones). `locations` gives each asset's location with its
    parents, from the site down (its hours count for each of them); an asset without one counts under
    `NO_LOCATION`."""
    found = events(periods, start, end)
    by_asset: dict[int, float] = defaultdict(float)
    by_location: dict[str, float] = defaultdict(float)
    for event in found:
        by_asset[event.asset_id] += event.hours
        for path in locations.get(event.asset_id) or (NO_LOCATION,):
            by_location[path] += event.hours
    longest = max(found, key=lambda e: (e.hours, -e.start.timestamp()), default=None)
    return Summary(
        hours=sum(e.hours for e in found),
        events=len(found),
        longest=longest,
        by_asset=dict(by_asset),
        by_location=dict(by_location),
    )


def down_now(periods: Iterable[Period], now: datetime) -> dict[int, datetime]:
    """Assets down at `now` (a period begun and not ended by then), each since the start of the earliest
    such period."""
    since: dict[int, datetime] = {}
    for p in periods:
        if p.start <= now and (p.end is None or p.end > now):
            since[p.asset_id] = min(since.get(p.asset_id, p.start), p.start)
    return since
