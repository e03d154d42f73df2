"""The work-order card posted to the team channel, and its button-less twin for `/wo`."""

from typing import Any

from blocks import text as t
from blocks.ids import Action, Block
from models.enums import Priority, Status
from models.schemas import WorkOrderRead

PRIORITY_BADGE = {
    Priority.LOW: ":white_circle: Low",
    Priority.MEDIUM: ":large_blue_circle: Medium",
    Priority.HIGH: ":large_orange_circle: High",
    Priority.URGENT: ":red_circle: Urgent",
}
STATUS_BADGE = {
    Status.OPEN: ":new: Open",
    Status.IN_PROGRESS: ":hammer_and_wrench: In progress",
    Status.ON_HOLD: ":double_vertical_bar: On hold",
    Status.COMPLETED: ":white_check_mark: Completed",
    Status.CLOSED: ":lock: Closed",
    Status.CANCELLED: ":no_entry_sign: Cancelled",
}


def card(wo: WorkOrderRead, *, category_name: str, team_name: str) -> dict[str, Any]:
    """The channel card: facts, then the buttons this status allows."""
    blocks = _facts(wo, category_name=category_name, team_name=team_name)
    buttons = _buttons(wo)
    if buttons:
        blocks.append({"type": "actions", "block_id": Block.CARD_ACTIONS, "elements": buttons})
    return {"text": fallback(wo), "blocks": blocks}


def summary(wo: WorkOrderRead, *, category_name: str, team_name: str) -> dict[str, Any]:
    """The card without buttons, with where the card lives: the answer to `/wo 42`."""
    blocks = _facts(wo, category_name=category_name, team_name=team_name)
    if wo.card_channel:
        blocks.append({"type": "context", "elements": [t.mrkdwn(f"Card and history in <#{wo.card_channel}>")]})
    return {"text": fallback(wo), "blocks": blocks}


def fallback(wo: WorkOrderRead) -> str:
    """Notification and screen-reader text: every message carries one."""
    holder = f", held by <@{wo.assignee_id}>" if wo.assignee_id else ", unclaimed"
    return t.clip(f"{wo.ref} {wo.title}: {wo.status.label}, {wo.priority.value} priority{holder}", t.FALLBACK_TEXT)


def _facts(wo: WorkOrderRead, *, category_name: str, team_name: str) -> list[dict[str, Any]]:
    fields = [
        f"*Status*\n{STATUS_BADGE[wo.status]}",
        f"*Priority*\n{PRIORITY_BADGE[wo.priority]}",
        f"*Requester*\n{t.user(wo.requester_id)}",
        f"*Assignee*\n{t.user(wo.assignee_id, nobody='_Unclaimed_')}",
        f"*Location*\n{t.escape(wo.location) or '—'}",
        f"*Category*\n{t.escape(category_name)} · {t.escape(team_name)}",
        f"*Response due*\n{_due(wo.response_due_at, wo.first_response_at)}",
        f"*Resolution due*\n{_due(wo.resolution_due_at, wo.completed_at)}",
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": t.plain(f"{wo.ref} · {wo.title}", t.HEADER_TEXT)},
        {"type": "section", "fields": [t.mrkdwn(field, t.FIELD_TEXT) for field in fields]},
    ]
    if wo.description:
        blocks.append({"type": "section", "text": t.mrkdwn(t.escape(wo.description))})
    if wo.resolution:
        cause = f"\n*Cause:* {t.escape(wo.cause)}" if wo.cause else ""
        blocks.append({"type": "section", "text": t.mrkdwn(f"*Resolution:* {t.escape(wo.resolution)}{cause}")})
    blocks.append({"type": "context", "elements": [t.mrkdwn(_footer(wo))]})
    return blocks


def _due(due: Any, met_at: Any) -> str:
    if due is None:
        return "—"
    return f"{t.when(due)} :heavy_check_mark:" if met_at else t.when(due)


def _footer(wo: WorkOrderRead) -> str:
    footer = f"Filed {t.when(wo.created_at)}"
    if wo.completed_at:
        footer += f" · completed {t.when(wo.completed_at)} by {t.user(wo.completed_by)}"
    return footer


def _buttons(wo: WorkOrderRead) -> list[dict[str, Any]]:
    value = str(wo.id)
    buttons = []
    if wo.assignee_id is None and wo.status in (Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD):
        buttons.append(_button("Claim", Action.CLAIM, value, style="primary"))
    if wo.status is Status.OPEN:
        buttons.append(_button("Start", Action.START, value))
    if wo.status in (Status.OPEN, Status.IN_PROGRESS):
        buttons.append(_button("Complete", Action.COMPLETE, value))
    return buttons


def _button(label: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": t.plain(label, t.BUTTON_TEXT),
        "value": value,
    }
    if style:
        button["style"] = style
    return button
