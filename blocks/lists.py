"""Compact lists of work orders: the answers to `/wo mine`, `/wo open` and `/wo search`."""

from typing import Any

from blocks import text as t
from blocks.card import STATUS_BADGE
from blocks.ids import Action, ref_value
from models.schemas import Listing, WorkOrderRead


def row(wo: WorkOrderRead) -> dict[str, Any]:
    """One work order in a line or two, with a button that shows the whole of it."""
    holder = t.md("held by {}", t.user(wo.assignee_id)) if wo.assignee_id else "_unclaimed_"
    due = t.md(" · due {}", t.when(wo.resolution_due_at)) if wo.resolution_due_at and not wo.completed_at else ""
    line = t.md("*{}* {}\n{} · {} · {}{}", wo.ref, wo.title, STATUS_BADGE[wo.status], wo.priority.label, holder, due)
    return {
        "type": "section",
        "text": t.mrkdwn(t.clip(line, t.SECTION_TEXT)),
        "accessory": {
            "type": "button",
            "action_id": Action.SHOW,
            "text": t.plain("Open", t.BUTTON_TEXT),
            "value": ref_value(wo.id),
        },
    }


def more(listing: Listing) -> list[dict[str, Any]]:
    hidden = listing.total - len(listing.rows)
    return [{"type": "context", "elements": [t.mrkdwn(t.md("…and {} more", hidden))]}] if hidden > 0 else []


def results(title: str, listing: Listing, *, empty: str) -> dict[str, Any]:
    """An ephemeral answer: a heading with the count, the rows, and how many more there are.
    `title` is plain text (it may hold what was searched for); `empty` may be mrkdwn."""
    heading = t.md("*{}* ({})", title, listing.total) if listing.total else empty
    blocks: list[dict[str, Any]] = [{"type": "section", "text": t.mrkdwn(heading)}]
    blocks += [row(wo) for wo in listing.rows]
    blocks += more(listing)
    return t.message(t.md("{}: {}", title, listing.total) if listing.total else empty, blocks)
