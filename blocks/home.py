"""The App Home tab: what a person holds and what they asked for."""

from collections.abc import Sequence
from typing import Any

from blocks import text as t
from blocks.card import STATUS_BADGE
from models.schemas import WorkOrderRead


def home(*, assigned: Sequence[WorkOrderRead], requested: Sequence[WorkOrderRead]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": t.plain("Your work", t.HEADER_TEXT)},
        *_listing(assigned, empty="Nothing assigned to you. Claim a card in your team's channel."),
        {"type": "divider"},
        {"type": "header", "text": t.plain("Your requests", t.HEADER_TEXT)},
        *_listing(requested, empty="You have not filed any requests. Type `/request` anywhere to file one."),
        {"type": "context", "elements": [t.mrkdwn("`/request` files a request · `/wo 42` shows work order 42")]},
    ]
    return {"type": "home", "blocks": blocks}


def _listing(work_orders: Sequence[WorkOrderRead], *, empty: str) -> list[dict[str, Any]]:
    if not work_orders:
        return [{"type": "section", "text": t.mrkdwn(empty)}]
    return [{"type": "section", "text": t.mrkdwn(_line(wo))} for wo in work_orders]


def _line(wo: WorkOrderRead) -> str:
    due = f" · due {t.when(wo.resolution_due_at)}" if wo.resolution_due_at and not wo.completed_at else ""
    return t.clip(
        f"*{wo.ref}* {t.escape(wo.title)}\n{STATUS_BADGE[wo.status]} · {wo.priority.label}{due}", t.SECTION_TEXT
    )
