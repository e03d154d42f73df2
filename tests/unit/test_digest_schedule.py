"""When digests are due: local time, weekdays, daylight saving."""

from datetime import UTC, datetime

from services.organisation.config_file import parse_organisation
from services.reporting import digest
from tests.support.org import CONFIG

ORG = parse_organisation(CONFIG + "digests:\n  - {team: facilities, at: '07:30', weekdays: [mon, sat]}\n")


def due_at(*parts: int) -> list[str]:
    return [f"{d.key} {day}" for d, day in digest.due(ORG, datetime(*parts, tzinfo=UTC))]


def test_due_from_the_local_time_on_configured_days() -> None:
    assert due_at(2026, 3, 2, 7, 29) == []  # Monday 07:29 London (GMT)
    assert due_at(2026, 3, 2, 7, 30) == ["facilities@07:30 2026-03-02"]
    assert due_at(2026, 3, 3, 9, 0) == []  # Tuesday is not a digest day


def test_summer_time_moves_the_utc_moment() -> None:
    assert due_at(2026, 6, 1, 6, 29) == []  # Monday 07:29 BST
    assert due_at(2026, 6, 1, 6, 30) == ["facilities@07:30 2026-06-01"]


def test_late_in_the_day_is_still_that_days_digest() -> None:
    """After downtime the scheduler posts the day's digest once when it is back (the run is keyed by date)."""
    assert due_at(2026, 3, 7, 22, 0) == ["facilities@07:30 2026-03-07"]  # Saturday evening
