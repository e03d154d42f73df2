"""The daily backlog digest message: counts, then short lists linking to cards, under Slack's limits."""

from typing import Any

from blocks import recurring, workload
from blocks import text as t
from blocks.assets import expiry_note
from blocks.lists import more, row
from models.schemas import Listing
from models.views import DigestData

LISTED = 10  # vendors named in the digest; the rest are counted


def digest(data: DigestData) -> dict[str, Any]:
    title = f"{data.team} backlog · {data.local_date:%a %d %b}"
    summary = f"{data.open} open · {data.new_24h} new and {data.completed_24h} completed in the last 24 h"
    if data.quiet:
        return t.message(
            t.md("{}: nothing open, nothing new.", title),
            [{"type": "section", "text": t.mrkdwn(t.md("*{}*: nothing open, nothing new. :tada:", title))}],
        )
    facts = [
        t.md("*Open*\n{}", data.open),
        t.md("*New, 24 h*\n{}", data.new_24h),
        t.md("*Completed, 24 h*\n{}", data.completed_24h),
        t.md("*Overdue*\n{}", data.overdue.total),
        t.md("*Unassigned*\n{}", data.unassigned.total),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": t.plain(title, t.HEADER_TEXT)},
        {"type": "section", "fields": [t.mrkdwn(fact) for fact in facts]},
    ]
    if data.aging:
        ages = _counts(data.aging)
        blocks.append({"type": "context", "elements": [t.mrkdwn(t.md("*Age of open work* {}", ages))]})
    if data.on_hold:
        blocks.append({"type": "context", "elements": [t.mrkdwn(t.md("*On hold* {}", _counts(data.on_hold)))]})
    if data.top_assets:
        assets = _counts(data.top_assets)
        blocks.append({"type": "context", "elements": [t.mrkdwn(t.md("*Most open work* {}", assets))]})
    blocks += workload.overdue_holders(data)
    blocks += recurring.digest_section(data.recurring)
    blocks += _listed(":warning: Overdue", data.overdue)
    blocks += _listed(":inbox_tray: Unassigned", data.unassigned)
    blocks += _pm_due(data)
    blocks += _open_purchases(data)
    blocks += _vendor_expiries(data)
    blocks += _satisfaction(data)
    return t.message(t.md("{}: {}", title, summary), blocks[: t.MESSAGE_BLOCKS])


def _counts(pairs: Any) -> t.Mrkdwn:
    return t.lines((t.md("{}: {}", name, count) for name, count in pairs), " · ")


def _listed(heading: str, listing: Listing) -> list[dict[str, Any]]:
    if not listing.total:
        return []
    return [
        {"type": "section", "text": t.mrkdwn(t.md("*{}* ({})", heading, listing.total))},
        *(row(wo) for wo in listing.rows),
        *more(listing),
    ]


def _pm_due(data: DigestData) -> list[dict[str, Any]]:
    if not data.pm_due_total:
        return []
    lines = [  # due in the next 7 days: a date is always there
        t.md("• {:%a %d %b} · {}{}", day.due_on, day.schedule, t.md(" · {}", day.asset) if day.asset else "")
        for day in data.pm_due
    ]
    if data.pm_due_total > len(data.pm_due):
        lines.append(t.md("…and {} more (`/wo pm`)", data.pm_due_total - len(data.pm_due)))
    text = t.md("*:calendar: PM due in the next 7 days* ({})\n{}", data.pm_due_total, t.lines(lines))
    return [{"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))}]


def _open_purchases(data: DigestData) -> list[dict[str, Any]]:
    """The team's purchase orders still to arrive, oldest first, with how long they have been open."""
    if not data.open_purchases_total:
        return []
    lines = [
        t.md("• {} · {} · {} · {} · {} day{}", o.ref, o.vendor, o.total, o.status, o.days, "" if o.days == 1 else "s")
        for o in data.open_purchases
    ]
    if data.open_purchases_total > len(data.open_purchases):
        lines.append(t.md("…and {} more (`/wo po`)", data.open_purchases_total - len(data.open_purchases)))
    text = t.md("*:package: Open purchase orders* ({})\n{}", data.open_purchases_total, t.lines(lines))
    return [{"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))}]


def _vendor_expiries(data: DigestData) -> list[dict[str, Any]]:
    """A line for each vendor of the team's trades whose insurance or contract has run out or soon will."""
    if not data.vendor_expiries:
        return []
    lines = [t.md("• {}: {}", vendor.name, expiry_note(vendor) or "") for vendor in data.vendor_expiries[:LISTED]]
    if len(data.vendor_expiries) > LISTED:
        lines.append(t.md("…and {} more (`wrench vendors list`)", len(data.vendor_expiries) - LISTED))
    text = t.md("*:handshake: Vendors* ({})\n{}", len(data.vendor_expiries), t.lines(lines))
    return [{"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))}]


def _satisfaction(data: DigestData) -> list[dict[str, Any]]:
    """The week's ratings in a line, and each low rating of the last day with what the requester said."""
    if not data.ratings_7d and not data.low_ratings_24h:
        return []
    average = f"{data.rating_average_7d:.1f} of 5" if data.rating_average_7d is not None else "—"
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "elements": [t.mrkdwn(t.md("*:star: Satisfaction, 7 days* {} from {} ratings", average, data.ratings_7d))],
        }
    ]
    if data.low_ratings_24h:
        lines = [
            t.md("• {}: {} of 5{}", ref, rating, t.md(" “{}”", comment) if comment else "")
            for ref, rating, comment in data.low_ratings_24h
        ]
        text = t.md("*:warning: Low ratings, 24 h* ({})\n{}", len(lines), t.lines(lines))
        blocks.append({"type": "section", "text": t.mrkdwn(t.clip(text, t.SECTION_TEXT))})
    return blocks


def as_text(message: dict[str, Any]) -> str:
    """The digest as plain lines, for `wrench digest --dry-run` in a terminal."""
    lines = []
    for block in message["blocks"]:
        if block.get("text"):
            lines.append(block["text"]["text"])
        lines += [field["text"].replace("\n", ": ") for field in block.get("fields", [])]
        lines += [element["text"] for element in block.get("elements", []) if element.get("type") == "mrkdwn"]
    return "\n".join(lines)
