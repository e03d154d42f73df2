"""Recurring failures in Slack: the digest's section of those that became recurring since the previous
digest, and the asset card's line saying the asset keeps failing, each with the last fixes."""

from collections.abc import Sequence
from typing import Any

from blocks import text as t
from models.views import RecurringFix, RecurringIssue

LISTED = 5  # recurring failures named in a digest
KIND = {"asset": "Asset", "location": "Location", "category": "Category"}


def digest_section(issues: Sequence[RecurringIssue]) -> list[dict[str, Any]]:
    """One section: each failure that reached the threshold since the previous digest, with its last fix."""
    if not issues:
        return []
    lines = [
        t.md(
            "• {} *{}*: {} corrective work orders in {} days{}",
            KIND.get(issue.kind, issue.kind),
            issue.name,
            issue.count,
            issue.window_days,
            t.md(" · last: {}", _fix_text(issue.last[0])) if issue.last else "",
        )
        for issue in issues[:LISTED]
    ]
    if len(issues) > LISTED:
        lines.append(t.md("…and {} more (`wrench report`)", len(issues) - LISTED))
    text = t.md("*:repeat: Newly recurring failures* ({})\n{}", len(issues), t.lines(lines))
    return [{"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))}]


def card_section(issue: RecurringIssue | None) -> list[dict[str, Any]]:
    """The asset card's warning: how often it failed in the window, and how it was fixed the last times."""
    if issue is None:
        return []
    head = t.md(
        ":repeat: *Recurring failure*: {} corrective work orders in the last {} days", issue.count, issue.window_days
    )
    fixes = [t.md("• {}", _fix_text(fix)) for fix in issue.last]
    text = t.lines([head, *fixes]) if fixes else t.md("{}\nNo resolution recorded yet.", head)
    return [{"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))}]


def _fix_text(fix: RecurringFix) -> t.Mrkdwn:
    cause = t.md(" (cause: {})", fix.cause) if fix.cause else ""
    return t.md("*{}* {:%d %b} · {}{}", fix.ref, fix.completed_at, fix.resolution or "—", cause)
