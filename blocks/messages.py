"""Short messages: card-thread lines, DMs about a work order, and ephemeral answers."""

from datetime import datetime
from typing import Any

from blocks import contractor
from blocks import text as t
from blocks.card import button
from blocks.ids import Action, ref_value
from blocks.satisfaction import stars
from models.enums import EventKind, HoldReason, Priority, Status
from models.schemas import EventRead, TimerPress, WorkOrderRead


def thread_line(event: EventRead) -> t.Mrkdwn | None:
    """The line an event writes into the card's thread; None for events that need none (the card
    itself, or a note that came from the thread)."""
    if event.kind in contractor.KINDS:
        return contractor.thread_line(event)
    who, data = t.user(event.actor_id), event.data
    if event.kind == EventKind.ASSIGNED:
        assignee = data.get("assignee_id")
        return (
            t.md("{} claimed this.", who)
            if assignee == event.actor_id
            else t.md("{} assigned this to {}.", who, t.user(assignee))
        )
    if event.kind == EventKind.UNASSIGNED:
        previous = data.get("previous_assignee_id")
        if previous == event.actor_id:
            return t.md("{} put this back in the queue.", who)
        return t.md("{} took this off {}; it is back in the queue.", who, t.user(previous))
    if event.kind == EventKind.LABOR_LOGGED:
        worker = data.get("user_id") or event.actor_id
        if data.get("timer"):
            return t.md(":stopwatch: {}'s timer stopped: {} min logged.", t.user(worker), data.get("minutes"))
        by = t.md("") if worker == event.actor_id else t.md(" for {}", t.user(worker))
        return t.md("{} logged {} min{}.", who, data.get("minutes"), by)
    if event.kind == EventKind.NOTE_ADDED:
        return (
            None
            if data.get("source") == "thread"
            else t.clip(t.md("{} noted: {}", who, data.get("text", "")), t.SECTION_TEXT)
        )
    if event.kind == EventKind.PARTS_USED:
        if "parts" in data:  # recorded as free text before the parts register
            return t.clip(t.md("{} used parts:\n{}", who, data["parts"]), t.SECTION_TEXT)
        part = t.md("{} {}", data.get("sku"), data.get("name", ""))
        return t.md("{} used {:g} {} of {}.", who, data.get("quantity", 0), data.get("unit", ""), part)
    if event.kind == EventKind.PRIORITY_CHANGED:
        return t.md("{} changed the priority from {} to {}.", who, _label(data.get("from")), _label(data.get("to")))
    if event.kind == EventKind.DUE_CHANGED:
        return t.md("{} set the resolution due date to {}.", who, t.when(_moment(data.get("to"))))
    if event.kind == EventKind.STATUS_CHANGED:
        return _status_line(event, who)
    if event.kind == EventKind.SLA_WARNING:
        return t.md(":warning: {}% of the time to resolve this has passed.", int(data.get("at_fraction", 0.75) * 100))
    if event.kind == EventKind.SLA_REMINDER:
        return t.md(
            ":bell: Still unclaimed and unacknowledged after a level {} escalation: reminded.", data.get("level")
        )
    if event.kind == EventKind.ACKNOWLEDGED:
        return t.md("{} acknowledged the escalation.", who)
    if event.kind == EventKind.RATED:
        said = t.md(": “{}”", data["comment"]) if data.get("comment") else t.md("")
        return t.clip(
            t.md("{} {} rated this {} of 5{}", stars(data.get("rating")), who, data.get("rating"), said), t.SECTION_TEXT
        )
    if event.kind == EventKind.CHECKLIST_ITEM:
        return _checklist_line(event, who)
    if event.kind == EventKind.FOLLOW_UP_OPENED:
        return t.md(
            "{} opened follow-up WO-{} for the failed item “{}”.", who, data.get("follow_up"), data.get("label", "")
        )
    if event.kind == EventKind.ASSET_DOWN:
        return t.clip(
            t.md(":red_circle: {} reported {} down: {}", who, data.get("asset", ""), data.get("reason", "")),
            t.SECTION_TEXT,
        )
    if event.kind == EventKind.COST_ADDED:
        amount = f"{data.get('amount_cents', 0) / 100:,.2f} {data.get('currency', '')}".strip()
        return t.clip(t.md("{} added a cost of {}: {}", who, amount, data.get("description", "")), t.SECTION_TEXT)
    if event.kind == EventKind.ASSET_UP:
        return t.md(
            ":large_green_circle: {} is running again (down {:g} h).", data.get("asset", ""), data.get("down_hours", 0)
        )
    if event.kind == EventKind.TIMER_STOPPED and not data.get("logged") and event.actor_id != data.get("user_id"):
        owner = t.user(data.get("user_id"))
        return t.md(
            ":stopwatch: {}'s timer ran over a day and was stopped without logging; log the time worked with Log time.",
            owner,
        )
    if event.kind == EventKind.PARTS_ARRIVED:
        arrived = t.lines(
            (
                t.md("{:g} {} of {} {}", a.get("quantity", 0), a.get("unit", ""), a.get("sku"), a.get("name", ""))
                for a in data.get("lines") or []
            ),
            ", ",
        )
        rest = " Everything ordered is here." if data.get("complete") else " More is still to come."
        return t.clip(
            t.md(":package: Parts arrived ({}): {}.{}", data.get("purchase_order"), arrived, rest), t.SECTION_TEXT
        )
    if event.kind == EventKind.ESCALATED:
        missed = " and ".join(data.get("targets") or ["resolution"])
        return t.md(":rotating_light: Escalated to level {}: the {} target was missed.", data.get("level"), missed)
    return None


def low_stock_alert(event: EventRead) -> t.Mrkdwn:
    """To the team channel, once each time a part falls to its reorder point."""
    data = event.data
    return t.md(
        ":warning: *Low stock:* {} {} — {:g} {} left (reorder point {:g}).",
        data.get("sku"),
        data.get("name", ""),
        data.get("left", 0),
        data.get("unit", ""),
        data.get("reorder_point", 0),
    )


def _checklist_line(event: EventRead, who: t.Mrkdwn) -> t.Mrkdwn:
    data = event.data
    label = t.md("“{}”", data.get("label", ""))
    if data.get("value") is not None:
        unit = t.md(" {}", data["unit"]) if data.get("unit") else ""
        return t.md("{} recorded {:g}{} for {}: {}.", who, data["value"], unit, label, data.get("result"))
    if data.get("result") is None:
        return t.md("{} cleared {}.", who, label)
    return t.md("{} marked {} {}.", who, label, data["result"])


def _status_line(event: EventRead, who: t.Mrkdwn) -> t.Mrkdwn | None:
    data, target = event.data, event.to_status
    reason = t.md(": {}", data["reason"]) if data.get("reason") else ""
    if target is Status.IN_PROGRESS:
        return t.md("{} resumed work." if event.from_status is Status.ON_HOLD else "{} started work.", who)
    if target is Status.ON_HOLD:
        note = t.md(" — {}", data["note"]) if data.get("note") else ""
        return t.md("{} put this on hold: {}{}.", who, HoldReason(data.get("reason", "other")).label, note)
    if target is Status.COMPLETED:
        cause = t.md("\n*Cause:* {}", data["cause"]) if data.get("cause") else ""
        return t.clip(
            t.md("{} completed this.\n*Resolution:* {}{}", who, data.get("resolution", ""), cause), t.SECTION_TEXT
        )
    if target is Status.CANCELLED:
        return t.clip(t.md("{} cancelled this{}", who, reason), t.SECTION_TEXT)
    if target is Status.OPEN and event.from_status is Status.COMPLETED:
        return t.clip(t.md("{} reopened this{}", who, reason), t.SECTION_TEXT)
    if target is Status.CLOSED:
        if data.get("auto_closed_after_days"):
            return t.md(
                "Closed automatically: nobody confirmed or reopened it in {} days.", data["auto_closed_after_days"]
            )
        return t.md("{} confirmed the work is done; closed.", who)
    return t.md("{} moved this to {}.", who, target.label.lower()) if target else None


def _label(priority: Any) -> str:
    return Priority(priority).label if priority else "—"


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _link(permalink: str | None) -> t.Mrkdwn:
    return t.md(" {}.", t.link(permalink, "See the card")) if permalink else t.md("")


def _named(wo: WorkOrderRead) -> t.Mrkdwn:
    return t.md("*{} · {}*", wo.ref, wo.title)


def filed_dm(wo: WorkOrderRead, *, team_name: str, permalink: str | None) -> t.Mrkdwn:
    return t.md("Your request {} is filed with {}.{}", _named(wo), team_name, _link(permalink))


def claimed_dm(wo: WorkOrderRead, *, permalink: str | None) -> t.Mrkdwn:
    return t.md(":raising_hand: {} is on your request {}.{}", t.user(wo.assignee_id), _named(wo), _link(permalink))


def on_hold_dm(wo: WorkOrderRead, *, permalink: str | None) -> t.Mrkdwn:
    reason = wo.hold_reason.label if wo.hold_reason else "On hold"
    note = t.md(" — {}", wo.status_note) if wo.status_note else ""
    return t.clip(
        t.md(":double_vertical_bar: {} is on hold: {}{}.{}", _named(wo), reason, note, _link(permalink)), t.SECTION_TEXT
    )


def completed_dm(wo: WorkOrderRead, *, permalink: str | None) -> dict[str, Any]:
    """Tell the requester it is done and ask them to confirm (closes it) or reopen it."""
    text = t.clip(
        t.md(
            ":white_check_mark: {} was completed by {}: {}{}",
            _named(wo),
            t.user(wo.completed_by),
            wo.resolution or "",
            _link(permalink),
        ),
        t.SECTION_TEXT,
    )
    value = ref_value(wo.id)
    return t.message(
        text,
        [
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
    )


def settled_dm(wo: WorkOrderRead, *, by: str) -> t.Mrkdwn:
    """What the requester's completion DM turns into once confirmed or reopened."""
    if wo.status is Status.CLOSED:
        return t.md(":lock: {} is closed. Thank you, {}.", _named(wo), t.user(by))
    holder = t.user(wo.assignee_id, nobody="the team")
    return t.md(":leftwards_arrow_with_hook: {} is reopened; {} is told.", _named(wo), holder)


def cancelled_dm(wo: WorkOrderRead, *, by: str, permalink: str | None) -> t.Mrkdwn:
    reason = t.md(": {}", wo.status_note) if wo.status_note else "."
    return t.clip(
        t.md(":no_entry_sign: {} cancelled {}{}{}", t.user(by), _named(wo), reason, _link(permalink)), t.SECTION_TEXT
    )


def reopened_dm(wo: WorkOrderRead, *, by: str, permalink: str | None) -> t.Mrkdwn:
    return t.clip(
        t.md(
            ":leftwards_arrow_with_hook: {} reopened {}: {}. It is still yours.{}",
            t.user(by),
            _named(wo),
            wo.status_note or "",
            _link(permalink),
        ),
        t.SECTION_TEXT,
    )


def assigned_dm(wo: WorkOrderRead, *, by: str, permalink: str | None) -> t.Mrkdwn:
    return t.md(":inbox_tray: {} assigned {} to you.{}", t.user(by), _named(wo), _link(permalink))


def sla_warning_dm(wo: WorkOrderRead, *, permalink: str | None) -> t.Mrkdwn:
    return t.md(":warning: {} is due {}.{}", _named(wo), t.when(wo.resolution_due_at), _link(permalink))


def escalation_message(
    wo: WorkOrderRead, *, level: int, team_name: str, permalink: str | None, reminder: bool = False
) -> dict[str, Any]:
    """What managers, the escalation channel (and, at level 2, admins) are told, with Acknowledge."""
    holder = t.md("held by {}", t.user(wo.assignee_id)) if wo.assignee_id else "nobody has claimed it"
    opening = ":bell: Reminder, level" if reminder else ":rotating_light: Level"
    text = t.clip(
        t.md(
            "{} {} escalation, {}: {} ({}, {}) was due {}.{}",
            opening,
            level,
            team_name,
            _named(wo),
            wo.priority.label,
            holder,
            t.when(wo.resolution_due_at),
            _link(permalink),
        ),
        t.SECTION_TEXT,
    )
    blocks: list[dict[str, Any]] = [{"type": "section", "text": t.mrkdwn(text)}]
    if wo.acknowledged_by is None:
        blocks.append({"type": "actions", "elements": [button("Acknowledge", Action.ACKNOWLEDGE, ref_value(wo.id))]})
    return t.message(text, blocks)


def acknowledged(wo: WorkOrderRead) -> t.Mrkdwn:
    """What an escalation message becomes once someone acknowledged it."""
    return t.md(":white_check_mark: {} acknowledged the escalation of {}.", t.user(wo.acknowledged_by), _named(wo))


def intake_reply(wo: WorkOrderRead, *, permalink: str | None) -> t.Mrkdwn:
    """The reply in the thread of the message a work order was filed from."""
    return t.md(":ticket: Filed as {}.{}", _named(wo), _link(permalink))


def wo_usage() -> t.Mrkdwn:
    return t.Mrkdwn(
        "Usage: `/wo 42` shows work order 42 · `/wo mine` your open work · "
        "`/wo open [team]` open work · `/wo search TEXT` finds work orders · `/wo asset TAG` an asset's history · "
        "`/wo pm` preventive maintenance schedules · `/wo meter TAG VALUE [METER]` records a meter reading · "
        "`/wo calendar` calendar feeds for your calendar app · "
        "`/wo parts [TEXT]` parts and their stock, to order more · `/wo po` open purchase orders."
    )


def timer_started(press: TimerPress) -> t.Mrkdwn:
    return t.md(":stopwatch: Your timer on {} is running. Press *Timer* on the card again to stop it.", press.ref)


def timer_running(press: TimerPress, *, too_long: bool) -> dict[str, Any]:
    """To the person whose timer runs: stop it and log the time, or discard it (only that, past a day)."""
    timer = press.timer
    if too_long:
        text = t.md(
            ":stopwatch: Your timer on {} has run since {}, longer than a day. "
            "Discard it and log what you worked with Log time.",
            press.ref,
            t.when(timer.started_at),
        )
        controls = [_discard(timer.id)]
    else:
        text = t.md(
            ":stopwatch: Your timer on {} has run {} min (since {}).",
            press.ref,
            press.minutes,
            t.when(timer.started_at),
        )
        stop = button(f"Stop and log {press.minutes} min", Action.TIMER_STOP, str(timer.id), style="primary")
        controls = [stop, _discard(timer.id)]
    return t.message(text, [{"type": "section", "text": t.mrkdwn(text)}, {"type": "actions", "elements": controls}])


def timer_stopped(ref: str, *, minutes: int, logged: bool) -> t.Mrkdwn:
    if logged:
        return t.md(":stopwatch: Timer stopped: {} min logged on {}.", minutes, ref)
    return t.md(":stopwatch: Timer on {} discarded; nothing was logged.", ref)


def _discard(timer_id: int) -> dict[str, Any]:
    return button("Discard", Action.TIMER_DISCARD, str(timer_id), style="danger")
