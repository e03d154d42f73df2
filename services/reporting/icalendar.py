"""A `Calendar` as iCalendar text (RFC 5545) that Google Calendar, Outlook and Apple Calendar subscribe to.

Each event's UID is stable across fetches: a PM occurrence is its schedule and ordinal (`pm-3-12`), due
work its number; an edit bumps SEQUENCE and LAST-MODIFIED, so the calendar app updates the event in place
instead of adding another. PM occurrences are all-day events on their due date; due work is a moment
(UTC), shown in each reader's own time zone.
"""

from datetime import UTC, date, datetime

from models.views import Calendar, DueWork, PlannedPm

PRODUCT = "-//Wrench//Work orders//EN"
REFRESH = "PT1H"  # how often a subscriber should fetch again (clients may take longer)
LINE_OCTETS = 75


def escape(text: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma, and line breaks as `\\n`."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Lines longer than 75 octets are split, each continuation starting with a space; never inside a
    UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode())
        limit = LINE_OCTETS if not out else LINE_OCTETS - 1
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(day: date) -> str:
    return day.strftime("%Y%m%d")


def _pm_event(pm: PlannedPm, uid_suffix: str, now: datetime) -> list[str]:
    summary = f"PM-{pm.schedule_id} · {pm.title}" + (f" ({pm.asset})" if pm.asset else "")
    description = (
        f"Planned maintenance, occurrence {pm.number} of PM-{pm.schedule_id}. Its work order is made on "
        f"schedule; change the plan with /wo pm edit {pm.schedule_id}."
    )
    return [
        "BEGIN:VEVENT",
        f"UID:pm-{pm.schedule_id}-{pm.number}-{uid_suffix}@wrench",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART;VALUE=DATE:{_day(pm.due_on)}",
        f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(description)}",
        f"LAST-MODIFIED:{_stamp(pm.updated_at)}",
        f"SEQUENCE:{pm.version}",
        "TRANSP:TRANSPARENT",
        "CATEGORIES:Preventive maintenance",
        "END:VEVENT",
    ]


def _due_event(work: DueWork, uid_suffix: str, now: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:wo-{work.number}-{uid_suffix}@wrench",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(work.due_at)}",
        f"SUMMARY:{escape(f'Due: WO-{work.number} · {work.title}')}",
        f"DESCRIPTION:{escape(f'WO-{work.number} is {work.status.lower()}; resolution due.')}",
        f"LAST-MODIFIED:{_stamp(work.updated_at)}",
        f"SEQUENCE:{work.version}",
        "TRANSP:TRANSPARENT",
        "CATEGORIES:Work order due",
    ]
    if work.permalink:
        lines.append("URL:" + "".join(c for c in work.permalink if c.isprintable() and not c.isspace()))
    return [*lines, "END:VEVENT"]


def render(calendar: Calendar, *, timezone: str, uid_suffix: str, now: datetime) -> str:
    """The whole VCALENDAR, CRLF line endings, folded. `uid_suffix` tells this feed's events apart from
    another feed's (a team's and a person's calendar may show the same work order)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(calendar.name)}",
        f"X-WR-TIMEZONE:{timezone}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for pm in calendar.planned:
        lines += _pm_event(pm, uid_suffix, now)
    for work in calendar.due:
        lines += _due_event(work, uid_suffix, now)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
