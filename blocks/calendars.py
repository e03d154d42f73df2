"""`/wo calendar`: the private calendar addresses a person has or manages, and a new one shown once."""

from datetime import datetime
from typing import Any

from blocks import text as t
from models.calendar_schemas import CalendarFeedRead

HOW_TO_SUBSCRIBE = (
    "Google Calendar: *Other calendars → From URL*. Outlook: *Add calendar → Subscribe from web*. "
    "Apple Calendar: *File → New Calendar Subscription*."
)


def calendar_usage() -> t.Mrkdwn:
    return t.Mrkdwn(
        "*Calendar feeds*\n"
        "`/wo calendar link` — a private address of your own open work's due dates, for your calendar app\n"
        "`/wo calendar link TEAM` — the team's planned maintenance and due work (the team's managers)\n"
        "`/wo calendar` — the addresses you have or manage · `/wo calendar revoke cal_XXXXXXXX` — stop one"
    )


def feed_made(feed: CalendarFeedRead, address: str, *, team_name: str | None, absolute: bool) -> dict[str, Any]:
    """The new address, shown this once (only its prefix is kept)."""
    what = (
        t.md("the *{}* team's planned maintenance and due work", team_name)
        if team_name
        else t.md("the due dates of the work assigned to you")
    )
    replaced = "" if team_name else " It replaces any personal address you had."
    lines = [
        t.md(":calendar: A private calendar address for {}.{}", what, replaced),
        t.md("`{}`", address),
        t.md(
            "Shown this once: keep it to yourself (anyone with it can read this calendar). "
            "Revoke it with `/wo calendar revoke {}`.",
            feed.shown_prefix,
        ),
        t.Mrkdwn(HOW_TO_SUBSCRIBE),
    ]
    if not absolute:
        lines.append(
            t.Mrkdwn(
                ":warning: Put the address people reach Wrench at in front of it: `portal.public_url` is not set "
                "in wrench.yml, so Wrench does not know it."
            )
        )
    blocks = [{"type": "section", "text": t.mrkdwn(t.clip(t.lines(lines), t.SECTION_TEXT))}]
    return t.message(t.md("A private calendar address: {}", address), blocks)


def feeds_list(feeds: list[CalendarFeedRead], team_names: dict[str, str]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": t.plain("Calendar feeds", t.HEADER_TEXT)}]
    if not feeds:
        blocks.append({"type": "section", "text": t.mrkdwn("You have no calendar addresses yet.")})
    for feed in feeds[: t.MESSAGE_BLOCKS - 3]:
        whose = t.md("{} team", team_names.get(feed.team, feed.team)) if feed.team else t.user(feed.person)
        line = t.md(
            "`{}` · {} · made {} · {}",
            feed.shown_prefix,
            whose,
            t.when(feed.created_at),
            _fetched(feed.last_used_at),
        )
        blocks.append({"type": "section", "text": t.mrkdwn(line)})
    blocks.append({"type": "context", "elements": [t.mrkdwn(calendar_usage())]})
    return t.message(t.md("Calendar feeds: {}", len(feeds)), blocks)


def _fetched(moment: datetime | None) -> t.Mrkdwn:
    return t.md("last fetched {}", t.when(moment)) if moment else t.Mrkdwn("not fetched yet")
