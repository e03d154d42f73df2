"""`/wo pm` (list, calendar, new, edit, pause, resume, delete), the schedule form, the list's menu, and
`/wo meter TAG VALUE [METER]`."""

import re
from functools import partial
from typing import Any

from pydantic import ValidationError
from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from blocks import pm as pm_blocks
from blocks.ids import Action, Callback, Unreadable, parse_choice, parse_id, parse_ref
from handlers import forms
from handlers.context import Ack, deps_of, run_as
from handlers.guard import guarded
from handlers.requests import ASSET_ID, LOCATION_ID, LOCATION_TEXT
from models.schemas import PmScheduleRead
from services.delivery import outbox
from services.errors import DomainError, Forbidden, InvalidFields, InvalidInput
from services.inventory import places
from services.maintenance import checklists, meters, pm_generation, pm_schedules
from services.maintenance.recurrence import describe
from services.ports import Deps
from services.reporting import calendar, finding
from services.work_orders import rules

CALENDAR_DAYS = 14  # `/wo pm calendar`: two weeks; the feeds go 90 days ahead
SCHEDULE_NUMBER = "Which schedule? Give its number, like `/wo pm edit 3`."
SCHEDULE_ID = re.compile(r"[0-9]{1,9}")  # ASCII digits, within what the id column holds


def register(app: AsyncApp) -> None:
    app.action(Action.PM_NEW)(guarded(new_from_list, opens_modal=True))
    app.action(Action.PM_MENU)(guarded(menu, opens_modal=True))
    app.action(Action.PM_DELETE)(guarded(confirm_delete))
    app.view(Callback.PM_MODAL)(guarded(save))


async def pm_command(deps: Deps, command: dict[str, Any], rest: str) -> None:
    user_id, url = command["user_id"], command["response_url"]
    verb, _, argument = rest.strip().partition(" ")
    verb = verb.lower() or "list"
    if verb == "list":
        await _list(deps, user_id, url, argument.strip())
    elif verb == "calendar":
        await _calendar(deps, user_id, url, argument.strip())
    elif verb == "new":
        await _open_form(deps, user_id, command["trigger_id"], None)
    elif verb in ("edit", "pause", "resume", "delete"):
        schedule_id = _number(argument)
        if verb == "edit":
            await _open_form(deps, user_id, command["trigger_id"], schedule_id)
        elif verb == "delete":
            schedule = await deps.db.run(partial(pm_schedules.get, schedule_id=schedule_id))
            shown = pm_blocks.delete_prompt(schedule)
            await deps.notifier.reply(url, shown["text"], shown["blocks"])
        else:
            await deps.notifier.reply(url, await _set_paused(deps, user_id, schedule_id, paused=verb == "pause"))
    else:
        await deps.notifier.reply(url, pm_blocks.pm_usage())


async def meter_command(deps: Deps, command: dict[str, Any], rest: str) -> None:
    """`/wo meter CMP-2 1520 [hours]`: store the reading, then generate what it makes due."""
    user_id, url = command["user_id"], command["response_url"]
    words = rest.split()
    if len(words) not in (2, 3):
        raise InvalidInput("Write `/wo meter TAG VALUE [METER]`, like `/wo meter CMP-2 1520 hours`.")
    if not finding.teams_of(deps.org, user_id) and user_id not in deps.org.admins:
        raise Forbidden("Only technicians, managers and admins can enter meter readings.")
    value = meters.reading_value(words[1])
    name = meters.meter_name(words[2]) if len(words) == 3 else meters.DEFAULT_METER
    asset = await deps.db.run(partial(places.asset_by_tag, tag=words[0]))
    now = deps.clock()
    previous = await deps.db.run(
        partial(meters.record, now=now, actor_id=user_id, asset_id=asset.id, meter=name, value=value)
    )
    run = await deps.db.run(partial(pm_generation.check, org=deps.org, now=now, asset_id=asset.id))
    was = f" (was {previous:g})" if previous is not None else ""
    text = f"Recorded {name} = {value:g} for {asset.tag} · {asset.name}{was}."
    if run.created:
        text += " Due now: " + ", ".join(f"{wo.ref} {wo.title}" for wo in run.created) + "."
    await deps.notifier.reply(url, text)


async def _list(deps: Deps, user_id: str, url: str, named: str) -> None:
    teams = finding.teams_asked(deps.org, named, user_id)
    schedules, total = await deps.db.run(partial(pm_schedules.listing, teams=teams))
    shown = pm_blocks.pm_list(
        schedules,
        total,
        title="PM schedules" + ("" if teams is None else " · " + ", ".join(deps.org.team(k).name for k in teams)),
        describe={s.id: _describe(deps, s) for s in schedules},
        can_plan=bool(_plannable(deps, user_id)),
    )
    await deps.notifier.reply(url, shown["text"], shown["blocks"])


async def _calendar(deps: Deps, user_id: str, url: str, named: str) -> None:
    """The next two weeks of PM: the named team's, else the person's teams', else every team's."""
    teams = finding.teams_asked(deps.org, named, user_id) or tuple(team.key for team in deps.org.teams)
    today = deps.org.local_date(deps.clock())
    days = await deps.db.run(partial(calendar.coming_days, org=deps.org, teams=teams, today=today, days=CALENDAR_DAYS))
    title = "PM calendar · " + ", ".join(deps.org.team(key).name for key in teams)
    shown = pm_blocks.pm_calendar(title, days, horizon_days=CALENDAR_DAYS)
    await deps.notifier.reply(url, shown["text"], shown["blocks"])


def _describe(deps: Deps, schedule: PmScheduleRead) -> str:
    parts = [describe(pm_schedules.recurrence(schedule))] if schedule.repeat else []
    if schedule.meter:
        every = f"every {schedule.meter_every:g} {schedule.meter}" if schedule.meter_every else ""
        at = f"at {schedule.meter_threshold:g} {schedule.meter}" if schedule.meter_threshold is not None else ""
        parts.append(" or ".join(p for p in (every, at) if p))
    return f"{deps.org.team(schedule.team).name} · " + " or ".join(parts)


def _plannable(deps: Deps, user_id: str) -> list[tuple[str, str]]:
    return [(t.key, t.name) for t in deps.org.teams if rules.may_plan_maintenance(user_id, team=t.key, org=deps.org)]


async def _open_form(deps: Deps, user_id: str, trigger_id: str, schedule_id: int | None) -> None:
    teams = _plannable(deps, user_id)
    if not teams:
        raise Forbidden("Only team managers and admins can plan preventive maintenance.")
    categories = [(c.key, f"{c.name} ({deps.org.team(c.team).name})") for c in deps.org.categories]
    if schedule_id is None:
        view = pm_blocks.pm_form(teams=teams, categories=categories)
    else:
        schedule = await deps.db.run(partial(pm_schedules.get, schedule_id=schedule_id))
        if not rules.may_plan_maintenance(user_id, team=schedule.team, org=deps.org):
            raise Forbidden(
                f"Only {deps.org.team(schedule.team).name} managers and admins can change PM-{schedule.id}."
            )
        asset = await deps.db.run(partial(places.asset_label, asset_id=schedule.asset_id))
        location = await deps.db.run(partial(places.location_label, location_id=schedule.location_id))
        view = pm_blocks.pm_form(
            teams=teams,
            categories=categories,
            schedule=schedule,
            checklist_text=checklists.as_text(schedule.checklist),
            asset_label=asset,
            location_label=location,
        )
    await deps.notifier.open_modal(trigger_id, view)


async def new_from_list(ack: Ack, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    await _open_form(deps_of(context), body["user"]["id"], body["trigger_id"], None)


async def menu(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    """A listed schedule's menu: Edit opens the form; Pause and Resume answer in place; Delete asks first."""
    await ack()
    deps, user_id = deps_of(context), body["user"]["id"]
    verb, number = parse_choice(action["selected_option"]["value"], MENU_VERBS)
    schedule_id = parse_id(number, "a PM schedule id")
    if verb == "edit":
        await _open_form(deps, user_id, body["trigger_id"], schedule_id)
    elif verb == "delete":
        schedule = await deps.db.run(partial(pm_schedules.get, schedule_id=schedule_id))
        shown = pm_blocks.delete_prompt(schedule)
        await deps.notifier.reply(body["response_url"], shown["text"], shown["blocks"])
    else:
        text = await _set_paused(deps, user_id, schedule_id, paused=verb == "pause")
        await deps.notifier.reply(body["response_url"], text)


async def confirm_delete(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    deps = deps_of(context)
    deleted = await run_as(
        deps, pm_schedules.delete, user_id=body["user"]["id"], schedule_id=parse_id(action["value"], "a PM schedule id")
    )
    await deps.notifier.replace(body["response_url"], f":wastebasket: Deleted {deleted}. Work it created stays.")


async def _set_paused(deps: Deps, user_id: str, schedule_id: int, *, paused: bool) -> str:
    schedule = await run_as(deps, pm_schedules.set_paused, user_id=user_id, schedule_id=schedule_id, paused=paused)
    if paused:
        return f":double_vertical_bar: Paused PM-{schedule.id} · {schedule.title}: it creates nothing until resumed."
    return f":arrow_forward: Resumed PM-{schedule.id} · {schedule.title}: {_next(schedule)}."


def _next(schedule: PmScheduleRead) -> str:
    if schedule.next_due_on is None:
        return "it runs by meter" if schedule.meter else "no date is left in it"
    return f"next due {schedule.next_due_on:%a %-d %b %Y}"


async def save(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    """Create or update the schedule; every wrong field is shown in the form at once."""
    deps, user_id = deps_of(context), body["user"]["id"]
    ref = forms.metadata_ref(view)
    edited = _edited(ref) if ref else None  # which schedule, before anything typed
    try:
        data = to_input(forms.state_values(view))
    except InvalidFields as error:
        await ack(response_action="errors", errors=error.errors)
        return
    now = deps.clock()
    if edited:
        schedule_id, version = edited
        call = partial(
            pm_schedules.update,
            org=deps.org,
            now=now,
            user_id=user_id,
            schedule_id=schedule_id,
            data=data,
            seen_version=version,
        )
    else:
        call = partial(pm_schedules.create, org=deps.org, now=now, user_id=user_id, data=data)
    verb = "Updated" if ref else "Created"

    async def save_and_tell(session: Any) -> None:
        """The confirmation DM is queued with the save: both happen, or neither."""
        schedule = await call(session)
        text = f":calendar: {verb} *PM-{schedule.id} · {schedule.title}*: {_next(schedule)}."
        outbox.message(session, user_id, text, now=now)

    try:
        await deps.db.run(save_and_tell)
    except InvalidFields as error:
        await ack(response_action="errors", errors=error.errors)
        return
    except DomainError as error:
        await forms.reject(ack, error, default_field="title")
        return
    await ack()


FORM_FIELDS = {"asset_id": "asset", "location_id": "location"}
MENU_VERBS = ("edit", "pause", "resume", "delete")  # a listed schedule's menu (blocks.pm)


def _edited(metadata: str) -> tuple[int, int]:
    """(schedule id, version seen) of an edit form's private_metadata ("12:3")."""
    schedule_id, version = parse_ref(metadata)
    if version is None:
        raise Unreadable("a PM schedule form", metadata)
    return schedule_id, version


def to_input(values: dict[str, Any]) -> pm_schedules.ScheduleInput:
    """The form's values as a `ScheduleInput`; `InvalidFields` keyed by the form's block ids."""
    errors: dict[str, str] = {}
    try:
        items = checklists.parse(values.get("checklist") or "")
    except InvalidInput as error:
        items, errors["checklist"] = (), str(error)
    location = values.get("location") or ""
    if location.startswith(LOCATION_TEXT):
        errors["location"] = "Pick a location from the list (schedules use known locations)."
    repeat = values.get("repeat")
    fields: dict[str, Any] = {
        "title": (values.get("title") or "").strip(),
        "team": values.get("team") or "",
        "category": values.get("category"),
        "description": (values.get("description") or "").strip(),
        "priority": values.get("priority") or "medium",
        "asset_id": _id(values.get("asset"), ASSET_ID, "asset"),
        "location_id": _id(location, LOCATION_ID, "location"),
        "checklist": items,
        "estimated_minutes": values.get("estimated_minutes") or None,
        "repeat": None if repeat in (None, pm_blocks.METER_ONLY) else repeat,  # ScheduleInput checks it
        "every": values.get("every") or 1,
        "weekdays": tuple(values.get("weekdays") or ()),
        "cron": (values.get("cron") or "").strip() or None,
        "starts_on": values.get("starts_on"),
        "ends_on": values.get("ends_on") or None,
        "max_count": values.get("max_count") or None,
        "anchor": values.get("anchor") or "fixed",
        "lead_days": values.get("lead_days") or 0,
        "non_working": values.get("non_working") or "keep",
        "one_open": pm_blocks.ON_TIME not in (values.get("one_open") or []),
        "meter": (values.get("meter") or "").strip().lower() or None,
        "meter_every": values.get("meter_every") or None,
        "meter_threshold": values.get("meter_threshold"),
    }
    try:
        data = pm_schedules.ScheduleInput(**fields)
    except ValidationError as error:
        found = {FORM_FIELDS.get(k, k): v for k, v in pm_schedules.input_errors(error).items()}
        raise InvalidFields({**found, **errors}) from None
    if errors:
        raise InvalidFields(errors)
    return data


def _id(value: str | None, prefix: str, block_id: str) -> int | None:
    try:
        return forms.option_id(value or "", prefix)
    except ValueError:
        raise InvalidFields({block_id: "Pick one of the options."}) from None


def _number(text: str) -> int:
    number = text.strip().removeprefix("PM-").removeprefix("pm-").removeprefix("#")
    if not SCHEDULE_ID.fullmatch(number):
        raise InvalidInput(SCHEDULE_NUMBER)
    return int(number)
