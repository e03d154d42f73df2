"""A team's KPIs on the managers' Home tab (the rows come from `services.reports.report_rows`)."""

from typing import Any

from blocks import text as t


def home_section(team: str, days: int, rows: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The Home tab's KPI block for one team: its first ten figures as two columns of facts."""
    facts = [f"*{t.escape(name)}*\n{t.escape(value)}" for name, value in rows[:10]]
    return [
        {"type": "section", "text": t.mrkdwn(f"*{t.escape(team)}* KPIs · last {days} days")},
        {"type": "section", "fields": [t.mrkdwn(t.clip(fact, t.FIELD_TEXT)) for fact in facts]},
    ]
