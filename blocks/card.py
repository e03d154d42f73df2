"""The work-order card posted to the team channel, and its button-less twin for `/wo`."""

from collections.abc import Sequence
from typing import Any

from blocks import checklist, contractor
from blocks import text as t
from blocks.ids import Action, Block, MoreOption, ref_value
from models.enums import FieldType, JobState, Priority, SlaStatus, Status
from models.schemas import CardContext, WorkOrderRead

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
ACTIVE = (Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD)
# Two ⋯ menus, as Slack's overflow menu holds five entries: recording work, and changing the work order.
LOG_MENU = (MoreOption.NOTE, MoreOption.TIME, MoreOption.PARTS, MoreOption.COST)
MANAGE_MENU = (
    MoreOption.PLAN,
    MoreOption.ASSET_DOWN,
    MoreOption.CONTRACTOR,
    MoreOption.REVOKE_CONTRACTOR,
    MoreOption.CANCEL,
)
MORE_LABELS = {
    MoreOption.NOTE: "Add note",
    MoreOption.TIME: "Log time",
    MoreOption.PARTS: "Use parts",
    MoreOption.PLAN: "Change priority or due",
    MoreOption.CANCEL: "Cancel work order",
    MoreOption.ASSET_DOWN: "Asset is down",
    MoreOption.COST: "Add other cost",
    MoreOption.CONTRACTOR: "Send to contractor",
    MoreOption.REVOKE_CONTRACTOR: "Revoke contractor link",
}


def card(wo: WorkOrderRead, context: CardContext) -> dict[str, Any]:
    """The channel card: facts, then the controls this status allows."""
    blocks = _facts(wo, context)
    blocks.extend(checklist.checklist(wo, controls=wo.status in ACTIVE))
    blocks.append(
        {
            "type": "actions",
            "block_id": f"{Block.CARD_ACTIONS}:{ref_value(wo.id, wo.version)}",
            "elements": _controls(wo, context),
        }
    )
    return t.message(fallback(wo), blocks)


def summary(wo: WorkOrderRead, context: CardContext) -> dict[str, Any]:
    """The card without controls, with where the card lives: the answer to `/wo 42`."""
    blocks = _facts(wo, context)
    blocks.extend(checklist.checklist(wo, controls=False))
    if wo.card_channel:
        blocks.append(
            {"type": "context", "elements": [t.mrkdwn(t.md("Card and history in {}", t.channel(wo.card_channel)))]}
        )
    return t.message(fallback(wo), blocks)


def summary_modal(wo: WorkOrderRead, context: CardContext) -> dict[str, Any]:
    """The summary in a modal: how the Home tab's Open button shows a work order."""
    return {"type": "modal", "title": t.plain(wo.ref, t.MODAL_TITLE), "blocks": summary(wo, context)["blocks"]}


def fallback(wo: WorkOrderRead) -> t.Mrkdwn:
    """Notification and screen-reader text: every message carries one."""
    holder = t.md(", held by {}", t.user(wo.assignee_id)) if wo.assignee_id else ", unclaimed"
    return t.clip(
        t.md("{} {}: {}, {} priority{}", wo.ref, wo.title, wo.status.label, wo.priority.value, holder), t.FALLBACK_TEXT
    )


def _facts(wo: WorkOrderRead, context: CardContext) -> list[dict[str, Any]]:
    fields = [
        t.md("*Status*\n{}", STATUS_BADGE[wo.status]),
        t.md("*Priority*\n{}", PRIORITY_BADGE[wo.priority]),
        _requester(wo, context),
        t.md("*Assignee*\n{}", t.user(wo.assignee_id, nobody="_Unclaimed_")),
        t.md("*Location*\n{}", wo.location or "—"),
        t.md("*Category*\n{} · {}", context.category, context.team),
        t.md("*Response due*\n{}", _due(wo.response_due_at, wo.first_response_at, wo.sla_response)),
        t.md("*Resolution due*\n{}", _due(wo.resolution_due_at, wo.completed_at, wo.sla_resolution)),
    ]
    if context.asset:
        fields.insert(5, t.md("*Asset*\n{}", context.asset))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": t.plain(f"{wo.ref} · {wo.title}", t.HEADER_TEXT)},
        {"type": "section", "fields": [t.mrkdwn(field, t.FIELD_TEXT) for field in fields]},
    ]
    status_line = _status_line(wo, context)
    if status_line:
        blocks.append({"type": "section", "text": t.mrkdwn(status_line)})
    if wo.description:
        blocks.append({"type": "section", "text": t.mrkdwn(wo.description)})
    if context.contractor is not None and wo.status in ACTIVE:
        blocks.append(contractor.on_card(context.contractor))
    if context.fields:
        lines = t.lines(t.md("*{}:* {}", label, _value(value, kind)) for label, value, kind in context.fields)
        blocks.append({"type": "section", "text": t.mrkdwn(lines)})
    if wo.attachments:
        blocks.append({"type": "context", "elements": [t.mrkdwn(_files(wo.attachments))]})
    if wo.resolution:
        cause = t.md("\n*Cause:* {}", wo.cause) if wo.cause else ""
        blocks.append({"type": "section", "text": t.mrkdwn(t.md("*Resolution:* {}{}", wo.resolution, cause))})
    if context.timers and wo.status in ACTIVE:
        running = t.lines(
            (t.md("{} since {}", t.user(person), t.when(since)) for person, since in context.timers), ", "
        )
        blocks.append({"type": "context", "elements": [t.mrkdwn(t.md(":stopwatch: Timer running: {}", running))]})
    footer = _footer(wo)
    if context.cost:
        footer += t.md(" · cost {}", context.cost)
    blocks.append({"type": "context", "elements": [t.mrkdwn(footer)]})
    return blocks


def _requester(wo: WorkOrderRead, context: CardContext) -> t.Mrkdwn:
    """Preventive work is asked for by its schedule, not by a person; a portal request by its contact."""
    if wo.pm_schedule_id is not None:
        estimate = t.md(" · est. {} min", wo.estimated_minutes) if wo.estimated_minutes else ""
        return t.md("*Schedule*\n:calendar: PM-{}{}", wo.pm_schedule_id, estimate)
    if context.requester is not None:
        return t.md("*Requester* (web portal)\n{}", context.requester)
    return t.md("*Requester*\n{}", t.user(wo.requester_id))


def _value(value: str, kind: FieldType) -> t.Mrkdwn:
    return t.user(value) if kind is FieldType.USER else t.safe(value)


def _status_line(wo: WorkOrderRead, context: CardContext) -> t.Mrkdwn | None:
    """Why it is in its status (the hold reason, the cancellation or reopen reason), below its escalation:
    an escalated work order on hold still says what it waits for, and that its parts arrived."""
    reason = _reason(wo, context)
    if wo.escalation_level and wo.status in ACTIVE:
        seen = t.md(" · acknowledged by {}", t.user(wo.acknowledged_by)) if wo.acknowledged_by else ""
        escalated = t.md(
            ":rotating_light: *Escalated (level {})* {}{}", wo.escalation_level, t.when(wo.escalated_at), seen
        )
        return t.md("{}\n{}", escalated, reason) if reason else escalated
    return reason


def _reason(wo: WorkOrderRead, context: CardContext) -> t.Mrkdwn | None:
    note = t.md(" — {}", wo.status_note) if wo.status_note else ""
    if wo.status is Status.ON_HOLD:
        reason = wo.hold_reason.label if wo.hold_reason else "On hold"
        arrived = ""
        if context.parts_arrived:
            how = "all parts arrived" if context.parts_complete else "parts arrived"
            arrived = t.md(
                "\n:package: *{}* ({}): resume when ready.", how.capitalize(), ", ".join(context.parts_arrived)
            )
        return t.md(":double_vertical_bar: *{}*{}{}", reason, note, arrived)
    if wo.status is Status.CANCELLED and wo.status_note:
        return t.md(":no_entry_sign: *Cancelled*{}", note)
    if wo.status is Status.OPEN and wo.status_note:
        return t.md(":leftwards_arrow_with_hook: *Reopened*{}", note)
    return None


def _files(files: list[dict[str, Any]]) -> t.Mrkdwn:
    """Links to the files; a file shared in the card's thread (a portal photo) has no link, only its name."""
    names = [
        t.link(str(f["permalink"]), str(f.get("name") or "file"))
        if f.get("permalink")
        else t.md("{} (in the thread)", str(f["name"]))
        for f in files
        if f.get("permalink") or f.get("name")
    ]
    if not names:
        return t.Mrkdwn(":paperclip: files attached")
    return t.clip(t.md(":paperclip: {}", t.lines(names, ", ")), t.SECTION_TEXT)


def _due(due: Any, met_at: Any, status: SlaStatus) -> t.Mrkdwn:
    if due is None:
        return t.Mrkdwn("—")
    if status is SlaStatus.BREACHED:
        return t.md("{} :warning: missed", t.when(due))
    return t.md("{} :heavy_check_mark:", t.when(due)) if met_at else t.when(due)


def _footer(wo: WorkOrderRead) -> t.Mrkdwn:
    footer = t.md("Filed {}", t.when(wo.created_at))
    if wo.source_link:
        footer += t.md(" from {}", t.link(wo.source_link, "a message"))
    if wo.completed_at:
        footer += t.md(" · completed {} by {}", t.when(wo.completed_at), t.user(wo.completed_by))
    if wo.closed_at and wo.status is Status.CLOSED:
        footer += t.md(" · closed {}", t.when(wo.closed_at))
    return footer


def _controls(wo: WorkOrderRead, context: CardContext) -> list[dict[str, Any]]:
    value = ref_value(wo.id, wo.version)
    controls = []
    job = context.contractor
    if job is not None and job.state is JobState.DONE and wo.status in ACTIVE:
        controls.append(button("Confirm completion", Action.CONTRACTOR_CONFIRM, value, style="primary"))
    if wo.assignee_id is None and wo.status in ACTIVE:
        controls.append(button("Claim", Action.CLAIM, value, style="primary"))
    if wo.status is Status.OPEN:
        controls.append(button("Start", Action.START, value))
    if wo.status is Status.ON_HOLD:
        controls.append(button("Resume", Action.RESUME, value, style="primary"))
    if wo.status in (Status.OPEN, Status.IN_PROGRESS):
        controls.append(button("Hold", Action.HOLD, value))
        controls.append(button("Complete", Action.COMPLETE, value))
        controls.append(button(":stopwatch: Timer", Action.TIMER, value))
    if wo.assignee_id is not None and wo.status in ACTIVE:
        controls.append(button("Unassign", Action.UNASSIGN, value))
    if wo.status in ACTIVE:
        controls.append({"type": "users_select", "action_id": Action.ASSIGN, "placeholder": t.plain("Assign to…", 150)})
    controls.append(_menu(Action.MORE, LOG_MENU, value))
    if wo.status in ACTIVE:
        hidden = {
            MoreOption.ASSET_DOWN: wo.asset_id is None,
            MoreOption.CONTRACTOR: job is not None,
            MoreOption.REVOKE_CONTRACTOR: job is None,
        }
        manage = [o for o in MANAGE_MENU if not hidden.get(o, False)]
        controls.append(_menu(Action.MANAGE, manage, value))
    return controls


def _menu(action_id: str, options: Sequence[MoreOption], value: str) -> dict[str, Any]:
    """An overflow menu (Slack allows five entries in one)."""
    return {
        "type": "overflow",
        "action_id": action_id,
        "options": [
            {"text": t.plain(MORE_LABELS[option], t.OPTION_TEXT), "value": f"{option}|{value}"} for option in options
        ],
    }


def button(label: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": t.plain(label, t.BUTTON_TEXT),
        "value": value,
    }
    if style:
        element["style"] = style
    return element
