"""The KPIs on a manager's Home tab: their teams' figures over the last 7 or 30 days (their choice).

Every card change refreshes the Home tabs of the team's managers, and a team report reads all of the
period's work: so each team's figures are computed at most once per `KpiCache.ttl` per replica and
shown with the time they were computed.
"""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.people import PersonSettings
from models.views import KPI_PERIODS, PersonWorkload, TeamKpis
from services.delivery import outbox
from services.errors import InvalidInput
from services.organisation.org import Organisation
from services.reporting import finding, reports
from services.reporting.workload import Workload

DEFAULT_DAYS = KPI_PERIODS[0]


class KpiCache:
    """Team figures by (team, days), recomputed once older than `ttl` (by the injected clock's time)."""

    def __init__(self, ttl: timedelta = timedelta(minutes=10)) -> None:
        self.ttl = ttl
        self._kept: dict[tuple[str, int], TeamKpis] = {}

    async def team(self, session: AsyncSession, *, org: Organisation, team: str, days: int, now: datetime) -> TeamKpis:
        kept = self._kept.get((team, days))
        if kept is not None and now - kept.as_of < self.ttl:
            return kept
        report = await reports.team_report(session, org=org, team=team, now=now, days=days)
        fresh = TeamKpis(  # the team-wide figures, and each person's workload beside them
            team=report.team,
            days=days,
            as_of=now,
            rows=tuple(reports.summary_rows(report)),
            workload=tuple(_with_ratings(load, report) for load in report.workload),
        )
        self._kept[(team, days)] = fresh
        return fresh


def _with_ratings(load: Workload, report: reports.TeamReport) -> PersonWorkload:
    person = PersonWorkload.model_validate(load, from_attributes=True)
    rated = dict(report.satisfaction.by_person).get(load.user_id)
    if rated is None:
        return person
    return person.model_copy(update={"ratings": rated.count, "rating_average": rated.average})


async def for_manager(
    session: AsyncSession, *, org: Organisation, user_id: str, now: datetime, cache: KpiCache
) -> tuple[TeamKpis, ...]:
    teams = finding.managed_teams(org, user_id)
    if not teams:
        return ()
    days = await period_of(session, user_id)
    return tuple([await cache.team(session, org=org, team=team, days=days, now=now) for team in teams])


async def period_of(session: AsyncSession, user_id: str) -> int:
    chosen = await session.scalar(select(PersonSettings.home_kpi_days).where(PersonSettings.user_id == user_id))
    return int(chosen) if chosen in KPI_PERIODS else DEFAULT_DAYS


async def choose_period(session: AsyncSession, *, user_id: str, days: int, now: datetime) -> None:
    if days not in KPI_PERIODS:
        raise InvalidInput(f"KPIs cover the last {' or '.join(map(str, KPI_PERIODS))} days.")
    statement = dialect_insert(session, PersonSettings).values(user_id=user_id, home_kpi_days=days, updated_at=now)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["user_id"], set_={"home_kpi_days": days, "updated_at": now})
    )
    outbox.homes(session, [user_id], now=now)  # the tab shows the chosen period
