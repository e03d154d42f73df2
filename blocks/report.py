"""The managers' KPIs on the Home tab (the rows come from `services.reporting.reports.report_rows`)."""

from collections.abc import Sequence
from typing import Any

from blocks import text as t
from blocks import workload
from blocks.card import button
from blocks.ids import kpi_days_action
from models.views import KPI_PERIODS, TeamKpis

FIELDS_PER_SECTION = 10  # Slack's limit
SECTIONS_PER_TEAM = 3  # the team-wide figures (up to 30); per-asset, per-person... ones are in `wrench report`


def home_kpis(teams: Sequence[TeamKpis], days: int) -> list[dict[str, Any]]:
    """A header with the period's buttons (the chosen one highlighted), then each team's figures."""
    periods = [
        button(f"Last {n} days", kpi_days_action(n), str(n), style="primary" if n == days else None)
        for n in KPI_PERIODS
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        {"type": "header", "text": t.plain(f"KPIs · last {days} days", t.HEADER_TEXT)},
        {"type": "actions", "elements": periods},
    ]
    for team in teams:
        blocks += team_section(team)
    return blocks


def team_section(kpis: TeamKpis) -> list[dict[str, Any]]:
    facts = [t.md("*{}*\n{}", name, value) for name, value in kpis.rows]
    shown = facts[: FIELDS_PER_SECTION * SECTIONS_PER_TEAM]
    blocks: list[dict[str, Any]] = [{"type": "section", "text": t.mrkdwn(t.md("*{}*", kpis.team))}]
    for start in range(0, len(shown), FIELDS_PER_SECTION):
        chunk = shown[start : start + FIELDS_PER_SECTION]
        blocks.append({"type": "section", "fields": [t.mrkdwn(t.clip(fact, t.FIELD_TEXT)) for fact in chunk]})
    blocks += workload.workload_section(kpis)
    more = t.md(" · {} more figures in `wrench report`", len(facts) - len(shown)) if len(facts) > len(shown) else ""
    blocks.append({"type": "context", "elements": [t.mrkdwn(t.md("As of {}{}", t.when(kpis.as_of), more))]})
    return blocks
