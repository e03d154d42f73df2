"""Requester satisfaction as a KPI: the ratings given in a period to a team's work, their average and the
share rated 4 or 5, for the team and for each person who completed the work rated. The formulas are
pure (`figures`); `team_satisfaction` reads the ratings. Written out in docs/kpis.md."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.public import SatisfactionOut
from models.work_orders import WorkOrder
from services.reporting.kpis import Ratio

GOOD = 4  # a rating of 4 or 5 counts as satisfied
NOBODY = "nobody"  # rated work that nobody completed (it was closed without a Complete)


@dataclass(frozen=True)
class Rated:
    rating: int
    completed_by: str | None


@dataclass(frozen=True)
class Satisfaction:
    count: int
    average: float | None  # None: no ratings
    good: Ratio  # rated 4 or 5, of all ratings


@dataclass(frozen=True)
class SatisfactionReport:
    team: Satisfaction = field(default_factory=lambda: figures(()))
    by_person: tuple[tuple[str, Satisfaction], ...] = ()  # most ratings first, then by user id


def figures(ratings: Iterable[int]) -> Satisfaction:
    found = list(ratings)
    average = sum(found) / len(found) if found else None
    return Satisfaction(len(found), average, Ratio(sum(1 for r in found if r >= GOOD), len(found)))


def report(rated: Iterable[Rated]) -> SatisfactionReport:
    rated = list(rated)
    people: dict[str, list[int]] = {}
    for one in rated:
        people.setdefault(one.completed_by or NOBODY, []).append(one.rating)
    by_person = sorted(((who, figures(r)) for who, r in people.items()), key=lambda p: (-p[1].count, p[0]))
    return SatisfactionReport(figures(one.rating for one in rated), tuple(by_person))


async def team_satisfaction(session: AsyncSession, *, team: str, since: datetime, now: datetime) -> SatisfactionReport:
    """The ratings given to `team`'s work from `since` to `now`."""
    rows = await session.execute(
        select(WorkOrder.rating, WorkOrder.completed_by).where(
            WorkOrder.team == team,
            WorkOrder.rating.is_not(None),
            WorkOrder.rated_at >= since,
            WorkOrder.rated_at <= now,
        )
    )
    return report(Rated(rating, completed_by) for rating, completed_by in rows if rating is not None)


def _text(s: Satisfaction) -> str:
    if s.average is None:
        return "—"
    share = s.good.value or 0.0
    return f"{s.average:.1f} of 5 (n={s.count}), {share:.0%} rated 4 or 5"


def rows(found: SatisfactionReport) -> list[tuple[str, str]]:
    """The team's figure: in the summary (`wrench report`, the managers' Home tab)."""
    return [("Satisfaction (requesters' ratings)", _text(found.team))]


PERSON_LABEL = "Satisfaction, {}"  # one row per person who completed rated work, by Slack user id


def person_rows(found: SatisfactionReport) -> list[tuple[str, str]]:
    return [(PERSON_LABEL.format(who), _text(s)) for who, s in found.by_person]


def _out(s: Satisfaction) -> SatisfactionOut:
    return SatisfactionOut(count=s.count, average=s.average, rated_4_or_5=int(s.good.part), share_4_or_5=s.good.value)


def public(found: SatisfactionReport) -> dict[str, Any]:
    """The REST API's fields."""
    return {
        "satisfaction": _out(found.team),
        "satisfaction_by_person": {who: _out(s) for who, s in found.by_person},
    }
