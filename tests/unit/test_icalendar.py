"""The iCalendar text a calendar app subscribes to, read back by the `icalendar` library: stable UIDs,
all-day PM dates, due moments in UTC, escaped text, lines folded at 75 octets with CRLF endings."""

from datetime import UTC, date, datetime

import icalendar

from models.views import Calendar, DueWork, PlannedPm
from services.reporting.icalendar import fold, render

NOW = datetime(2027, 3, 15, 9, tzinfo=UTC)
TRICKY = "Pump; valve, and “seal”\nsecond line \\ done — " + "ü" * 60


def sample() -> Calendar:
    return Calendar(
        name="Wrench · Facilities, HQ",
        planned=(
            PlannedPm(
                schedule_id=3,
                number=7,
                title=TRICKY,
                due_on=date(2027, 3, 30),
                asset="HQ-AHU-2",
                version=4,
                updated_at=datetime(2027, 3, 1, tzinfo=UTC),
            ),
        ),
        due=(
            DueWork(
                number=42,
                title="Leak <!channel>",
                due_at=datetime(2027, 3, 16, 14, 30, tzinfo=UTC),
                status="In progress",
                permalink="https://acme.slack.com/archives/C1/p1700000000000100",
                version=2,
                updated_at=datetime(2027, 3, 15, 8, tzinfo=UTC),
            ),
        ),
    )


def test_the_feed_reads_back_as_written() -> None:
    text = render(sample(), timezone="Europe/London", uid_suffix="ab12cd34", now=NOW)
    parsed = icalendar.Calendar.from_ical(text)
    # an X- property is TEXT (escaped as such); this library hands it back without unescaping
    assert str(parsed["X-WR-CALNAME"]) == "Wrench · Facilities\\, HQ"
    assert str(parsed["X-WR-TIMEZONE"]) == "Europe/London"
    pm, due = parsed.walk("VEVENT")
    assert str(pm["UID"]) == "pm-3-7-ab12cd34@wrench"
    assert pm.decoded("DTSTART") == date(2027, 3, 30)  # all day
    assert str(pm["SUMMARY"]) == f"PM-3 · {TRICKY} (HQ-AHU-2)"
    assert int(pm["SEQUENCE"]) == 4
    assert str(due["UID"]) == "wo-42-ab12cd34@wrench"
    assert due.decoded("DTSTART") == datetime(2027, 3, 16, 14, 30, tzinfo=UTC)
    assert str(due["SUMMARY"]) == "Due: WO-42 · Leak <!channel>"
    assert str(due["URL"]) == "https://acme.slack.com/archives/C1/p1700000000000100"


def test_lines_are_folded_and_end_in_crlf() -> None:
    text = render(sample(), timezone="UTC", uid_suffix="x", now=NOW)
    assert text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # the long summary was folded
    assert "\n" not in text.replace("\r\n", "")


def test_folding_never_splits_a_character() -> None:
    line = "SUMMARY:" + "€" * 100
    folded = fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))


def test_the_same_plan_gives_the_same_uids() -> None:
    first = render(sample(), timezone="UTC", uid_suffix="s", now=NOW)
    later = render(sample(), timezone="UTC", uid_suffix="s", now=datetime(2027, 3, 16, tzinfo=UTC))
    uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(first).walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in icalendar.Calendar.from_ical(later).walk("VEVENT")]
