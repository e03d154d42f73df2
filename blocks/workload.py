"""A team's workload per person (docs/kpis.md): a line each, with a mention, beside the team's KPIs on a
manager's Home tab; and in the daily digest, who holds overdue work."""

from typing import Any

from blocks import text as t
from models.views import DigestData, PersonWorkload, TeamKpis

PEOPLE_SHOWN = 20  # lines on the Home tab per team; everyone is in `wrench report` and GET /kpis
HOLDERS_SHOWN = 20  # people named in the digest


def workload_section(kpis: TeamKpis) -> list[dict[str, Any]]:
    """One section: open work held now and work completed in the team's period, a line per person."""
    if not kpis.workload:
        return []
    lines = [_line(person, kpis.days) for person in kpis.workload[:PEOPLE_SHOWN]]
    if len(kpis.workload) > PEOPLE_SHOWN:
        lines.append(t.md("…and {} more in `wrench report`", len(kpis.workload) - PEOPLE_SHOWN))
    text = t.md("*Workload* · open work now, completed in the last {} days\n{}", kpis.days, t.lines(lines))
    return [{"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))}]


def _line(person: PersonWorkload, days: int) -> t.Mrkdwn:
    """A person's line, like "@tech — 5 open (12.5 h est., 2 overdue) · 8 completed in 7 days · ⭐ 4.5 (4
    rated)"."""
    unestimated = t.md(", {} without estimate", person.without_estimate) if person.without_estimate else ""
    rated = (
        t.md(" · :star: {:.1f} ({} rated)", person.rating_average, person.ratings)
        if person.rating_average is not None
        else ""
    )
    return t.md(
        "{} — {} open ({:.1f} h est.{}, {} overdue) · {} completed in {} days{}",
        t.user(person.user_id),
        person.open,
        person.estimated_hours,
        unestimated,
        person.overdue,
        person.completed,
        days,
        rated,
    )


def overdue_holders(data: DigestData) -> list[dict[str, Any]]:
    """The digest's line naming everyone who holds overdue work, and how much: "@a (3) · @b (1)"."""
    if not data.overdue_holders:
        return []
    named = [t.md("{} ({})", t.user(user_id), count) for user_id, count in data.overdue_holders[:HOLDERS_SHOWN]]
    if len(data.overdue_holders) > HOLDERS_SHOWN:
        named.append(t.md("{} more", len(data.overdue_holders) - HOLDERS_SHOWN))
    text = t.md("*Holding overdue work* {}", t.lines(named, " · "))
    return [{"type": "context", "elements": [t.mrkdwn(t.clip(text, t.SECTION_TEXT))]}]
