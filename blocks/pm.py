"""Preventive maintenance in Slack: the schedule form (new and edit), the `/wo pm` list, and its answers."""

import calendar
from datetime import date
from typing import Any

from blocks import text as t
from blocks.ids import INPUT_ACTION, Action, Callback
from blocks.modals import checkboxes, input_block, modal, option, picker, text_input
from models.enums import Anchor, NonWorking, Priority, Repeat
from models.schemas import PmScheduleRead
from models.views import PlannedPm

REPEATS = {
    Repeat.DAYS: "Every N days",
    Repeat.WEEKS: "Every N weeks",
    Repeat.MONTHS: "Every N months",
    Repeat.YEARS: "Every N years",
    Repeat.CRON: "Cron expression",
}
METER_ONLY = "meter"
NON_WORKING = {
    NonWorking.KEEP: "Keep them",
    NonWorking.SKIP: "Skip that occurrence",
    NonWorking.NEXT_WORKING_DAY: "Move to the next working day",
}
ANCHORS = {
    Anchor.FIXED: "Fixed: on the schedule's dates (late work skips missed dates)",
    Anchor.FLOATING: "Floating: counted from the last completion",
}
ON_TIME = "on_time"
STATE_BADGE = {"active": ":large_green_circle:", "paused": ":double_vertical_bar:", "ended": ":white_circle:"}


def pm_form(
    *,
    teams: list[tuple[str, str]],
    categories: list[tuple[str, str]],
    schedule: PmScheduleRead | None = None,
    checklist_text: str = "",
    asset_label: str | None = None,
    location_label: str | None = None,
) -> dict[str, Any]:
    """The schedule form: what each generated work order looks like, then when they come."""
    s = schedule
    repeat = (s.repeat or METER_ONLY) if s else Repeat.MONTHS
    blocks = [
        input_block("title", "Title", text_input(150, initial=s.title if s else "")),
        input_block("team", "Team", _select(teams, s.team if s else (teams[0][0] if len(teams) == 1 else None))),
        input_block(
            "category",
            "Category",
            _select(categories, s.category if s else None),
            optional=True,
            hint="Default: the team's first category.",
        ),
        input_block(
            "description",
            "Instructions",
            text_input(3000, multiline=True, initial=s.description if s else ""),
            optional=True,
        ),
        input_block(
            "asset",
            "Asset",
            picker(
                Action.PICK_ASSET,
                "Type an asset tag or name",
                _chosen(asset_label, "asset:", s.asset_id if s else None),
            ),
            optional=True,
        ),
        input_block(
            "location",
            "Location",
            picker(
                Action.PICK_LOCATION,
                "Type a building or room",
                _chosen(location_label, "loc:", s.location_id if s else None),
            ),
            optional=True,
            hint="Default: the asset's location.",
        ),
        input_block(
            "checklist",
            "Checklist",
            text_input(3000, multiline=True, initial=checklist_text),
            optional=True,
            hint="One item per line. Add [pass/fail], or [number UNIT MIN..MAX] for a reading, e.g. "
            "“Oil pressure [number psi 20..60]”.",
        ),
        input_block(
            "priority",
            "Priority",
            _select([(p.value, p.label) for p in Priority], (s.priority if s else Priority.MEDIUM)),
        ),
        input_block(
            "estimated_minutes", "Estimated minutes", _number(s.estimated_minutes if s else None, low=1), optional=True
        ),
        {"type": "divider"},
        input_block("repeat", "Repeats", _select([*REPEATS.items(), (METER_ONLY, "Only by meter")], repeat)),
        input_block(
            "every", "Every N", _number(s.every if s else 1, low=1), hint="How many days, weeks, months or years."
        ),
        input_block(
            "weekdays",
            "On weekdays",
            checkboxes([(str(d), calendar.day_abbr[d]) for d in range(7)], [str(d) for d in (s.weekdays if s else [])]),
            optional=True,
            hint="Weekly schedules only (default: the start date's weekday).",
        ),
        input_block(
            "cron",
            "Cron expression",
            text_input(100, initial=(s.cron or "") if s else ""),
            optional=True,
            hint="For “Cron expression”: minute hour day month weekday, e.g. 0 6 * * 1 for Mondays.",
        ),
        input_block("starts_on", "Starts on", _date(s.starts_on.isoformat() if s else None)),
        input_block(
            "ends_on",
            "Ends on",
            _date(s.ends_on.isoformat() if s and s.ends_on else None),
            optional=True,
            hint="Leave empty to repeat for ever.",
        ),
        input_block(
            "max_count", "Or ends after N work orders", _number(s.max_count if s else None, low=1), optional=True
        ),
        input_block("anchor", "Next due date", _radio(list(ANCHORS.items()), s.anchor if s else Anchor.FIXED)),
        input_block(
            "lead_days", "Create it N days before it is due", _number(s.lead_days if s else 0, low=0), optional=True
        ),
        input_block(
            "non_working",
            "Weekends and holidays",
            _select(list(NON_WORKING.items()), s.non_working if s else NonWorking.KEEP),
        ),
        input_block(
            "one_open",
            "While one is open",
            checkboxes(
                [(ON_TIME, "Create the next on time even if the last is still open")],
                [ON_TIME] if s and not s.one_open else [],
            ),
            optional=True,
        ),
        {"type": "divider"},
        input_block(
            "meter",
            "Meter",
            text_input(40, initial=(s.meter or "") if s else ""),
            optional=True,
            hint="Usage-based: the asset meter that counts (hours, cycles, km). Readings: /wo meter TAG VALUE.",
        ),
        input_block(
            "meter_every", "Every N units", _number(s.meter_every if s else None, decimals=True), optional=True
        ),
        input_block(
            "meter_threshold",
            "Or when a reading reaches",
            _number(s.meter_threshold if s else None, decimals=True),
            optional=True,
        ),
    ]
    title = f"Edit PM-{s.id}" if s else "New PM schedule"
    return modal(Callback.PM_MODAL, title, "Save", blocks, metadata=f"{s.id}:{s.version}" if s else "")


def _select(choices: list[tuple[str, str]], initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": INPUT_ACTION,
        "options": [option(label, value) for value, label in choices][:100],
    }
    chosen = next((option(label, value) for value, label in choices if value == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return element


def _radio(choices: list[tuple[str, str]], initial: str) -> dict[str, Any]:
    options = [option(label, value) for value, label in choices]
    return {
        "type": "radio_buttons",
        "action_id": INPUT_ACTION,
        "options": options,
        "initial_option": next(o for o in options if o["value"] == initial),
    }


def _number(initial: float | None, *, low: int | None = None, decimals: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "number_input", "action_id": INPUT_ACTION, "is_decimal_allowed": decimals}
    if low is not None:
        element["min_value"] = str(low)
    if initial is not None:
        element["initial_value"] = f"{initial:g}"
    return element


def _date(initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "datepicker", "action_id": INPUT_ACTION}
    if initial:
        element["initial_date"] = initial
    return element


def _chosen(label: str | None, prefix: str, chosen: int | None) -> dict[str, Any] | None:
    return option(label, f"{prefix}{chosen}") if label and chosen else None


def pm_list(
    schedules: tuple[PmScheduleRead, ...], total: int, *, title: str, describe: dict[int, str], can_plan: bool
) -> dict[str, Any]:
    """The schedules with their next date; each with a menu (edit, pause or resume, delete)."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": t.plain(title, t.HEADER_TEXT)}]
    if can_plan:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.PM_NEW,
                        "text": t.plain("New schedule", 75),
                        "style": "primary",
                        "value": "new",
                    }
                ],
            }
        )
    if not schedules:
        blocks.append({"type": "section", "text": t.mrkdwn("No PM schedules yet. Create one with `/wo pm new`.")})
    for s in schedules:
        next_due = f"next due {s.next_due_on:%a %-d %b %Y}" if s.next_due_on else "no date planned"
        state = t.md("{} {}", STATE_BADGE[s.state], s.state)
        if s.pause_reason:
            state += t.md(" ({})", t.service_text(s.pause_reason))
        line = t.md("*PM-{} · {}*\n{} · {} · {}", s.id, s.title, describe.get(s.id, ""), next_due, state)
        section: dict[str, Any] = {"type": "section", "text": t.mrkdwn(t.clip(line, t.SECTION_TEXT))}
        if can_plan:
            section["accessory"] = _menu(s)
        blocks.append(section)
    if total > len(schedules):
        more = total - len(schedules)
        narrow = t.md("…and {} more. `/wo pm list TEAM` narrows it.", more)
        blocks.append({"type": "context", "elements": [t.mrkdwn(narrow)]})
    return t.message(t.md("{}: {}", title, total), blocks[: t.MESSAGE_BLOCKS])


def _menu(s: PmScheduleRead) -> dict[str, Any]:
    pause = ("Resume", "resume") if s.paused_at else ("Pause", "pause")
    return {
        "type": "overflow",
        "action_id": Action.PM_MENU,
        "options": [option(label, f"{verb}|{s.id}") for label, verb in (("Edit", "edit"), pause, ("Delete", "delete"))],
    }


def delete_prompt(s: PmScheduleRead) -> dict[str, Any]:
    """Deleting asks once more (the schedule's past work stays; its open work stays open)."""
    return t.message(
        t.md("Delete PM-{}?", s.id),
        [
            {
                "type": "section",
                "text": t.mrkdwn(t.md("Delete *PM-{} · {}*? Work it already created stays.", s.id, s.title)),
                "accessory": {
                    "type": "button",
                    "action_id": Action.PM_DELETE,
                    "style": "danger",
                    "text": t.plain("Delete", 75),
                    "value": str(s.id),
                    "confirm": {
                        "title": t.plain("Delete this schedule?", 100),
                        "text": t.plain(f"PM-{s.id} will create no more work orders.", 300),
                        "confirm": t.plain("Delete", 30),
                        "deny": t.plain("Keep it", 30),
                        "style": "danger",
                    },
                },
            }
        ],
    )


def pm_usage() -> t.Mrkdwn:
    return t.Mrkdwn(
        "*Preventive maintenance*\n"
        "`/wo pm` or `/wo pm list [team]` — schedules and their next dates\n"
        "`/wo pm calendar [team]` — the PM due in the next two weeks, day by day\n"
        "`/wo pm new` — create a schedule (managers)\n"
        "`/wo pm edit N` · `/wo pm pause N` · `/wo pm resume N` · `/wo pm delete N`\n"
        "`/wo meter TAG VALUE [meter]` — enter a meter reading (default meter: hours)"
    )


def pm_calendar(
    title: str, days: list[tuple[date, list[PlannedPm], str | None]], *, horizon_days: int
) -> dict[str, Any]:
    """`/wo pm calendar`: the coming days that have PM due or are holidays, one line per occurrence."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": t.plain(title, t.HEADER_TEXT)}]
    shown = [(day, due, holiday) for day, due, holiday in days if due or holiday]
    if not any(due for _, due, _ in shown):
        blocks.append({"type": "section", "text": t.mrkdwn(t.md("No PM due in the next {} days.", horizon_days))})
    lines: list[t.Mrkdwn] = []
    for day, due, holiday in shown:
        heading = t.md("*{:%a %-d %b}*", day) + (t.md(" · _{} (holiday)_", holiday) if holiday else "")
        items = [
            t.md("• PM-{} · {}", pm.schedule_id, pm.title) + (t.md(" · {}", pm.asset) if pm.asset else "") for pm in due
        ]
        lines.append(t.lines([heading, *items]))
    for line in lines[: t.MESSAGE_BLOCKS - 3]:
        blocks.append({"type": "section", "text": t.mrkdwn(t.clip(line, t.SECTION_TEXT))})
    if len(lines) > t.MESSAGE_BLOCKS - 3:
        blocks.append({"type": "context", "elements": [t.mrkdwn("…and more days: `/wo pm calendar TEAM` narrows it.")]})
    hint = "Subscribe in your calendar app: `/wo calendar link TEAM` (managers) or `/wo calendar link` (your own work)."
    blocks.append({"type": "context", "elements": [t.mrkdwn(hint)]})
    count = sum(len(due) for _, due, _ in shown)
    return t.message(t.md("{}: {} PM due", title, count), blocks)
