"""Short messages: card-thread lines, DMs about a work order, and ephemeral answers."""

from datetime import datetime
from typing import Any

from blocks import text as t
from blocks.card import button
from blocks.ids import Action, ref_value
from models.enums import EventKind, HoldReason, Priority, Status
from models.schemas import EventRead, TimerPress, WorkOrderRead


def thread_line(event: EventRead) -> str | None:
    """The line an event writes into the card's thread; None for events that need none (the card
    itself, or a note that came from the thread)."""
    who, data = t.user(event.actor_id), event.data
    if event.kind == EventKind.ASSIGNED:
        assignee = data.get("assignee_id")
        return f"{who} claimed this." if assignee == event.actor_id else f"{who} assigned this to {t.user(assignee)}."
    if event.kind == EventKind.UNASSIGNED:
        previous = data.get("previous_assignee_id")
        if previous == event.actor_id:
            return f"{who} put this back in the queue."
        return f"{who} took this off {t.user(previous)}; it is back in the queue."
    if event.kind == EventKind.LABOR_LOGGED:
        worker = data.get("user_id") or event.actor_id
        if data.get("timer"):
            return f":stopwatch: {t.user(worker)}'s timer stopped: {data.get('minutes')} min logged."
        by = "" if worker == event.actor_id else f" for {t.user(worker)}"
        return f"{who} logged {data.get('minutes')} min{by}."
    if event.kind == EventKind.NOTE_ADDED:
        return (
            None
            if data.get("source") == "thread"
            else t.clip(f"{who} noted: {t.escape(data.get('text', ''))}", t.SECTION_TEXT)
        )
    if event.kind == EventKind.PARTS_USED:
        if "parts" in data:  # recorded as free text before the parts register
            return t.clip(f"{who} used parts:\n{t.escape(data['parts'])}", t.SECTION_TEXT)
        part = f"{data.get('sku')} {t.escape(data.get('name', ''))}"
        return f"{who} used {data.get('quantity', 0):g} {t.escape(data.get('unit', ''))} of {part}."
    if event.kind == EventKind.PRIORITY_CHANGED:
        return f"{who} changed the priority from {_label(data.get('from'))} to {_label(data.get('to'))}."
    if event.kind == EventKind.DUE_CHANGED:
        return f"{who} set the resolution due date to {t.when(_moment(data.get('to')))}."
    if event.kind == EventKind.STATUS_CHANGED:
        return _status_line(event, who)
    if event.kind == EventKind.SLA_WARNING:
        return f":warning: {int(data.get('at_fraction', 0.75) * 100)}% of the time to resolve this has passed."
    if event.kind == EventKind.SLA_REMINDER:
        return f":bell: Still unclaimed and unacknowledged after a level {data.get('level')} escalation: reminded."
    if event.kind == EventKind.ACKNOWLEDGED:
        return f"{who} acknowledged the escalation."
    if event.kind == EventKind.CHECKLIST_ITEM:
        return _checklist_line(event, who)
    if event.kind == EventKind.FOLLOW_UP_OPENED:
        label = t.escape(data.get("label", ""))
        return f"{who} opened follow-up WO-{data.get('follow_up')} for the failed item “{label}”."
    if event.kind == EventKind.ASSET_DOWN:
        return t.clip(
            f":red_circle: {who} reported {t.escape(data.get('asset', ''))} down: {t.escape(data.get('reason', ''))}",
            t.SECTION_TEXT,
        )
    if event.kind == EventKind.COST_ADDED:
        amount = f"{data.get('amount_cents', 0) / 100:,.2f} {data.get('currency', '')}".strip()
        return t.clip(f"{who} added a cost of {amount}: {t.escape(data.get('description', ''))}", t.SECTION_TEXT)
    if event.kind == EventKind.ASSET_UP:
        asset, hours = t.escape(data.get("asset", "")), data.get("down_hours", 0)
        return f":large_green_circle: {asset} is running again (down {hours:g} h)."
    if event.kind == EventKind.TIMER_STOPPED and not data.get("logged") and event.actor_id != data.get("user_id"):
        owner = t.user(data.get("user_id"))
        return (
            f":stopwatch: {owner}'s timer ran over a day and was stopped without logging; "
            "log the time worked with Log time."
        )
    if event.kind == EventKind.ESCALATED:
        missed = " and ".join(data.get("targets") or ["resolution"])
        return f":rotating_light: Escalated to level {data.get('level')}: the {missed} target was missed."
    return None


def low_stock_alert(event: EventRead) -> str:
    """To the team channel, once each time a part falls to its reorder point."""
    data = event.data
    return (
        f":warning: *Low stock:* {data.get('sku')} {t.escape(data.get('name', ''))} — {data.get('left', 0):g} "
        f"{t.escape(data.get('unit', ''))} left (reorder point {data.get('reorder_point', 0):g})."
    )


def _checklist_line(event: EventRead, who: str) -> str:
    data = event.data
    label = f"“{t.escape(data.get('label', ''))}”"
    if data.get("value") is not None:
        unit = f" {t.escape(data['unit'])}" if data.get("unit") else ""
        return f"{who} recorded {data['value']:g}{unit} for {label}: {data.get('result')}."
    if data.get("result") is None:
        return f"{who} cleared {label}."
    return f"{who} marked {label} {data['result']}."


def _status_line(event: EventRead, who: str) -> str | None:
    data, target = event.data, event.to_status
    reason = f": {t.escape(data['reason'])}" if data.get("reason") else ""
    if target is Status.IN_PROGRESS:
        return f"{who} resumed work." if event.from_status is Status.ON_HOLD else f"{who} started work."
    if target is Status.ON_HOLD:
        note = f" — {t.escape(data['note'])}" if data.get("note") else ""
        return f"{who} put this on hold: {HoldReason(data.get('reason', 'other')).label}{note}."
    if target is Status.COMPLETED:
        cause = f"\n*Cause:* {t.escape(data['cause'])}" if data.get("cause") else ""
        return t.clip(
            f"{who} completed this.\n*Resolution:* {t.escape(data.get('resolution', ''))}{cause}", t.SECTION_TEXT
        )
    if target is Status.CANCELLED:
        return t.clip(f"{who} cancelled this{reason}", t.SECTION_TEXT)
    if target is Status.OPEN and event.from_status is Status.COMPLETED:
        return t.clip(f"{who} reopened this{reason}", t.SECTION_TEXT)
    if target is Status.CLOSED:
        if data.get("auto_closed_after_days"):
            return f"Closed automatically: nobody confirmed or reopened it in {data['auto_closed_after_days']} days."
        return f"{who} confirmed the work is done; closed."
    return f"{who} moved this to {target.label.lower()}." if target else None


def _label(priority: Any) -> str:
    return Priority(priority).label if priority else "—"


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _link(permalink: str | None) -> str:
    return f" <{permalink}|See the card>." if permalink else ""


def _named(wo: WorkOrderRead) -> str:
    return f"*{wo.ref} · {t.escape(wo.title)}*"


def filed_dm(wo: WorkOrderRead, *, team_name: str, permalink: str | None) -> str:
    return f"Your request {_named(wo)} is filed with {t.escape(team_name)}.{_link(permalink)}"


def claimed_dm(wo: WorkOrderRead, *, permalink: str | None) -> str:
    return f":raising_hand: {t.user(wo.assignee_id)} is on your request {_named(wo)}.{_link(permalink)}"


def on_hold_dm(wo: WorkOrderRead, *, permalink: str | None) -> str:
    reason = wo.hold_reason.label if wo.hold_reason else "On hold"
    note = f" — {t.escape(wo.status_note)}" if wo.status_note else ""
    return t.clip(f":double_vertical_bar: {_named(wo)} is on hold: {reason}{note}.{_link(permalink)}", t.SECTION_TEXT)


def completed_dm(wo: WorkOrderRead, *, permalink: str | None) -> dict[str, Any]:
    """Tell the requester it is done and ask them to confirm (closes it) or reopen it."""
    text = t.clip(
        f":white_check_mark: {_named(wo)} was completed by {t.user(wo.completed_by)}: "
        f"{t.escape(wo.resolution or '')}{_link(permalink)}",
        t.SECTION_TEXT,
    )
    value = ref_value(wo.id)
    return {
        "text": text,
        "blocks": [
            {"type": "section", "text": t.mrkdwn(text)},
            {
                "type": "actions",
                "elements": [
                    button("Confirm, it's fixed", Action.CONFIRM, value, style="primary"),
                    button("Reopen", Action.REOPEN, value),
                ],
            },
            {"type": "context", "elements": [t.mrkdwn("If you do nothing it closes itself in a few days.")]},
        ],
    }


def settled_dm(wo: WorkOrderRead, *, by: str) -> str:
    """What the requester's completion DM turns into once confirmed or reopened."""
    if wo.status is Status.CLOSED:
        return f":lock: {_named(wo)} is closed. Thank you, {t.user(by)}."
    return f":leftwards_arrow_with_hook: {_named(wo)} is reopened; {t.user(wo.assignee_id, nobody='the team')} is told."


def cancelled_dm(wo: WorkOrderRead, *, by: str, permalink: str | None) -> str:
    reason = f": {t.escape(wo.status_note)}" if wo.status_note else "."
    return t.clip(f":no_entry_sign: {t.user(by)} cancelled {_named(wo)}{reason}{_link(permalink)}", t.SECTION_TEXT)


def reopened_dm(wo: WorkOrderRead, *, by: str, permalink: str | None) -> str:
    reason = t.escape(wo.status_note or "")
    return t.clip(
        f":leftwards_arrow_with_hook: {t.user(by)} reopened {_named(wo)}: {reason}. "
        f"It is still yours.{_link(permalink)}",
        t.SECTION_TEXT,
    )


def assigned_dm(wo: WorkOrderRead, *, by: str, permalink: str | None) -> str:
    return f":inbox_tray: {t.user(by)} assigned {_named(wo)} to you.{_link(permalink)}"


def sla_warning_dm(wo: WorkOrderRead, *, permalink: str | None) -> str:
    return f":warning: {_named(wo)} is due {t.when(wo.resolution_due_at)}.{_link(permalink)}"


def escalation_message(
    wo: WorkOrderRead, *, level: int, team_name: str, permalink: str | None, reminder: bool = False
) -> dict[str, Any]:
    """What managers, the escalation channel (and, at level 2, admins) are told, with Acknowledge."""
    holder = f"held by {t.user(wo.assignee_id)}" if wo.assignee_id else "nobody has claimed it"
    opening = ":bell: Reminder, level" if reminder else ":rotating_light: Level"
    text = t.clip(
        f"{opening} {level} escalation, {t.escape(team_name)}: {_named(wo)} "
        f"({wo.priority.label}, {holder}) was due {t.when(wo.resolution_due_at)}.{_link(permalink)}",
        t.SECTION_TEXT,
    )
    blocks: list[dict[str, Any]] = [{"type": "section", "text": t.mrkdwn(text)}]
    if wo.acknowledged_by is None:
        blocks.append({"type": "actions", "elements": [button("Acknowledge", Action.ACKNOWLEDGE, ref_value(wo.id))]})
    return {"text": text, "blocks": blocks}


def acknowledged(wo: WorkOrderRead) -> str:
    """What an escalation message becomes once someone acknowledged it."""
    return f":white_check_mark: {t.user(wo.acknowledged_by)} acknowledged the escalation of {_named(wo)}."


def intake_reply(wo: WorkOrderRead, *, permalink: str | None) -> str:
    """The reply in the thread of the message a work order was filed from."""
    return f":ticket: Filed as {_named(wo)}.{_link(permalink)}"


def wo_usage() -> str:
    return (
        "Usage: `/wo 42` shows work order 42 · `/wo mine` your open work · "
        "`/wo open [team]` open work · `/wo search TEXT` finds work orders · `/wo asset TAG` an asset's history · "
        "`/wo pm` preventive maintenance schedules · `/wo meter TAG VALUE [METER]` records a meter reading."
    )


def timer_started(press: TimerPress) -> str:
    return f":stopwatch: Your timer on {press.ref} is running. Press *Timer* on the card again to stop it."


def timer_running(press: TimerPress, *, too_long: bool) -> dict[str, Any]:
    """To the person whose timer runs: stop it and log the time, or discard it (only that, past a day)."""
    timer = press.timer
    if too_long:
        text = (
            f":stopwatch: Your timer on {press.ref} has run since {t.when(timer.started_at)}, longer than a day. "
            "Discard it and log what you worked with Log time."
        )
        controls = [_discard(timer.id)]
    else:
        text = f":stopwatch: Your timer on {press.ref} has run {press.minutes} min (since {t.when(timer.started_at)})."
        stop = button(f"Stop and log {press.minutes} min", Action.TIMER_STOP, str(timer.id), style="primary")
        controls = [stop, _discard(timer.id)]
    return {
        "text": text,
        "blocks": [{"type": "section", "text": t.mrkdwn(text)}, {"type": "actions", "elements": controls}],
    }


def timer_stopped(ref: str, *, minutes: int, logged: bool) -> str:
    if logged:
        return f":stopwatch: Timer stopped: {minutes} min logged on {ref}."
    return f":stopwatch: Timer on {ref} discarded; nothing was logged."


def _discard(timer_id: int) -> dict[str, Any]:
    return button("Discard", Action.TIMER_DISCARD, str(timer_id), style="danger")
