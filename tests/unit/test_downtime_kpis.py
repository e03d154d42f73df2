"""Downtime figures on a small fixture whose answers were worked out by hand (the working is in the
comments); the formulas are in docs/kpis.md, Downtime."""

from datetime import UTC, datetime, timedelta

from services.reporting import downtime_kpis
from services.reporting.downtime_kpis import NO_LOCATION, Event, Period

T0 = datetime(2026, 3, 1, tzinfo=UTC)  # the period is [T0, T0 + 10 days)
END = T0 + timedelta(days=10)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


PERIODS = [
    # asset 1: 10 h before the period → 4 h in it (clipped at T0), then two periods overlapping by 2 h:
    # hours 24-30 and 28-33 → one event 24-33 = 9 h; then 33-34, which only touches it: a second event, 1 h
    Period(1, at(-10), at(4)),
    Period(1, at(24), at(30)),
    Period(1, at(28), at(33)),
    Period(1, at(33), at(34)),  # starts as the previous ends: a second event, 1 h
    # asset 2: down since hour 230 and still down → 10 h to the period's end (240 h)
    Period(2, at(230), None),
    # asset 3: entirely before the period, and one after it: not counted
    Period(3, at(-50), at(-40)),
    Period(3, at(245), at(250)),
    # asset 4: 12 h, in no location
    Period(4, at(100), at(112)),
]
# asset 1 is in HQ / Plant room, asset 2 in HQ / Roof, asset 4 nowhere
LOCATIONS = {1: ["HQ", "HQ / Plant room"], 2: ["HQ", "HQ / Roof"], 3: ["HQ"]}


def test_events_are_clipped_to_the_period_and_overlaps_of_one_asset_merged() -> None:
    assert downtime_kpis.events(PERIODS, T0, END) == [
        Event(1, T0, at(4), ongoing=False),
        Event(1, at(24), at(33), ongoing=False),  # 24-30 and 28-33 merged: 9 h, the 2 h overlap once
        Event(1, at(33), at(34), ongoing=False),  # touching is not overlapping
        Event(4, at(100), at(112), ongoing=False),
        Event(2, at(230), END, ongoing=True),
    ]


def test_hours_events_longest_and_per_asset_and_location() -> None:
    found = downtime_kpis.summary(PERIODS, T0, END, LOCATIONS)
    # asset 1: 4 + 9 + 1 = 14 h in 3 events; asset 2: 10 h; asset 4: 12 h → 36 h in 5 events
    assert found.hours == 36 and found.events == 5
    # longest: asset 4's 12 h (asset 2 has 10 h, asset 1's longest 9 h)
    assert found.longest == Event(4, at(100), at(112), ongoing=False) and found.longest.hours == 12
    assert found.by_asset == {1: 14, 2: 10, 4: 12}
    # HQ rolls up its rooms: 14 + 10 = 24; the rooms 14 and 10; asset 4 has no location: 12
    assert found.by_location == {"HQ": 24, "HQ / Plant room": 14, "HQ / Roof": 10, NO_LOCATION: 12}


def test_the_earliest_of_equally_long_events_is_the_longest() -> None:
    same = [Period(5, at(50), at(52)), Period(6, at(10), at(12))]
    assert downtime_kpis.summary(same, T0, END, {}).longest == Event(6, at(10), at(12), ongoing=False)


def test_no_downtime() -> None:
    assert downtime_kpis.summary([], T0, END, {}) == downtime_kpis.Summary(hours=0, events=0, longest=None)


def test_assets_down_now_since_their_earliest_open_period() -> None:
    now = at(240)
    periods = [
        *PERIODS,
        Period(2, at(235), None),  # a second open period of asset 2: still since 230
        Period(7, at(239), at(241)),  # ends after now: down now, since 239
        Period(8, at(241), None),  # starts after now: not down now
    ]
    # asset 2 since hour 230; asset 7 since 239; asset 1's periods are all over
    assert downtime_kpis.down_now(periods, now) == {2: at(230), 7: at(239)}
