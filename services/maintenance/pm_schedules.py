"""PM schedules: what managers create, edit, pause and delete (from Slack or a CSV file), checked
against the organisation and turned into a `Recurrence` for the generator."""

from collections.abc import Container
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Anchor, NonWorking, Priority, Repeat
from models.maintenance import PmSchedule
from models.places import Asset, Location
from models.schemas import ChecklistItem, PmScheduleRead
from services.errors import Forbidden, InvalidFields, InvalidInput, NotFound
from services.inputs import MAX_LABOR_MINUTES
from services.maintenance.recurrence import MON_TO_FRI, Recurrence, RecurrenceError, next_due
from services.organisation.business_time import WEEKDAYS
from services.organisation.org import Organisation
from services.organisation.public_holidays import AnyOf
from services.work_orders import rules

MAX_LISTED = 40


class ScheduleInput(BaseModel):
    """A schedule as a person or a CSV row describes it; field names are the form's and the CSV's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, max_length=150)
    team: str
    category: str | None = None
    description: str = Field(default="", max_length=3000)
    priority: Priority = Priority.MEDIUM
    asset_id: int | None = None
    location_id: int | None = None
    checklist: tuple[ChecklistItem, ...] = Field(default=(), max_length=20)
    estimated_minutes: int | None = Field(default=None, ge=1, le=MAX_LABOR_MINUTES)
    repeat: Repeat | None = None
    every: int = Field(default=1, ge=1, le=999)
    weekdays: tuple[int, ...] = ()
    cron: str | None = Field(default=None, max_length=100)
    starts_on: date
    ends_on: date | None = None
    max_count: int | None = Field(default=None, ge=1, le=100_000)
    anchor: Anchor = Anchor.FIXED
    lead_days: int = Field(default=0, ge=0, le=365)
    non_working: NonWorking = NonWorking.KEEP
    meter: str | None = Field(default=None, max_length=40)
    meter_every: float | None = Field(default=None, gt=0)
    meter_threshold: float | None = None
    one_open: bool = True
    key: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _coherent(self) -> "ScheduleInput":
        errors = {}
        if self.repeat is None and not self.meter:
            errors["repeat"] = "Choose how often it repeats, or a meter that triggers it."
        if self.meter and self.meter_every is None and self.meter_threshold is None:
            errors["meter_every"] = "Give the units between services, a threshold, or both."
        if not self.meter and (self.meter_every is not None or self.meter_threshold is not None):
            errors["meter"] = "Name the meter (like hours) that these units count on."
        if self.meter and self.asset_id is None:
            errors["asset"] = "A meter-based schedule needs the asset whose meter it reads."
        if self.repeat is Repeat.CRON and not (self.cron or "").strip():
            errors["cron"] = "Write the cron expression, like `0 6 * * 1` for every Monday."
        if self.weekdays and self.repeat is not Repeat.WEEKS:
            errors["weekdays"] = "Weekdays apply to weekly schedules only."
        if self.anchor is Anchor.FLOATING and not self.one_open:
            errors["one_open"] = "A floating schedule counts from the last completion, so it waits for it."
        if any(not 0 <= day <= 6 for day in self.weekdays):
            errors["weekdays"] = "Weekdays run from 0 (Monday) to 6 (Sunday)."
        if not errors:
            try:
                recurrence(self)
            except RecurrenceError as error:
                field = "cron" if self.repeat is Repeat.CRON and "cron" in str(error) else "anchor"
                field = "ends_on" if "end date" in str(error) else field
                errors[field] = f"{str(error)[0].upper()}{str(error)[1:]}."
        if errors:
            raise ValueError(errors)
        return self


def input_errors(error: ValidationError) -> dict[str, str]:
    """A `ScheduleInput` validation error as {field: message}, for form errors and CSV lines."""
    found: dict[str, str] = {}
    for problem in error.errors():
        context = problem.get("ctx", {}).get("error")
        if isinstance(context, ValueError) and isinstance(context.args[0], dict):
            found.update(context.args[0])
        else:
            field = str(problem["loc"][0]) if problem["loc"] else "title"
            empty = (
                problem["type"] in ("missing", "string_too_short") and problem.get("ctx", {}).get("min_length", 1) <= 1
            )
            message = problem["msg"].removeprefix("Value error, ")
            if problem["type"].startswith("date_"):
                message = "Write dates as YYYY-MM-DD."
            found.setdefault(field, "This is required." if empty else message)
    return found


def recurrence(data: ScheduleInput | PmSchedule | PmScheduleRead, org: Organisation | None = None) -> Recurrence:
    """The schedule's dates; working days and holidays come from its team's business hours (Mon-Fri
    without them) and the organisation's `holidays`."""
    working: frozenset[int] = MON_TO_FRI
    holidays: Container[date] = frozenset()
    if org is not None:
        hours = org.team(data.team).business_hours
        if hours is not None:
            working = frozenset(WEEKDAYS.index(day) for day in hours.days)
            holidays = AnyOf(hours.holidays, org.holidays)
        else:
            holidays = org.holidays
    return Recurrence(
        starts_on=data.starts_on,
        repeat=data.repeat,
        every=data.every,
        weekdays=frozenset(data.weekdays),
        cron=data.cron,
        ends_on=data.ends_on,
        max_count=data.max_count,
        anchor=data.anchor,
        non_working=data.non_working,
        working_days=working,
        holidays=holidays,
    )


def check_org(org: Organisation, data: ScheduleInput, user_id: str | None) -> ScheduleInput:
    """Team and category exist and fit; the person may plan this team's maintenance. Returns the input
    with its category filled in (the team's first category when none was given)."""
    team = next((t for t in org.teams if t.key == data.team), None)
    if team is None:
        raise InvalidFields({"team": f"There is no team “{data.team}”."})
    if user_id is not None and not rules.may_plan_maintenance(user_id, team=team.key, org=org):
        raise Forbidden(f"Only {team.name} managers and admins can plan its preventive maintenance.")
    if data.category is None:
        first = next((c for c in org.categories if c.team == team.key), None)
        if first is None:
            raise InvalidFields({"category": f"{team.name} has no category in wrench.yml; pick one."})
        return data.model_copy(update={"category": first.key})
    if org.category(data.category) is None:
        raise InvalidFields({"category": f"There is no category “{data.category}”."})
    return data


def first_due(rule: Recurrence, today: date, last_due: date | None = None) -> date | None:
    """The next date to generate: on or after today, and after the last one generated."""
    after = today - timedelta(days=1)
    return next_due(rule, max(after, last_due) if last_due else after)


async def _places(session: AsyncSession, data: ScheduleInput) -> None:
    if data.asset_id is not None and await session.get(Asset, data.asset_id) is None:
        raise InvalidFields({"asset": "That asset no longer exists; pick another."})
    if data.location_id is not None and await session.get(Location, data.location_id) is None:
        raise InvalidFields({"location": "That location no longer exists; pick another."})


def _apply(schedule: PmSchedule, data: ScheduleInput, org: Organisation, today: date) -> None:
    for name, value in data.model_dump(exclude={"checklist", "weekdays"}).items():
        setattr(schedule, name, value)
    schedule.checklist = [item.model_dump(mode="json") for item in data.checklist]
    schedule.weekdays = sorted(data.weekdays)
    if schedule.open_work_order_id is not None and schedule.anchor is Anchor.FLOATING:
        schedule.plan(None)  # counted from the open one's completion
    else:
        schedule.plan(first_due(recurrence(schedule, org), today, schedule.last_due_on))


async def create(
    session: AsyncSession, *, org: Organisation, now: datetime, user_id: str | None, data: ScheduleInput
) -> PmScheduleRead:
    data = check_org(org, data, user_id)
    await _places(session, data)
    schedule = PmSchedule(created_by=user_id or "wrench", created_at=now, updated_at=now, generated_count=0, missed=0)
    _apply(schedule, data, org, org.local_date(now))
    session.add(schedule)
    await session.flush()
    return PmScheduleRead.model_validate(schedule)


async def update(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    user_id: str | None,
    schedule_id: int,
    data: ScheduleInput,
    seen_version: int | None = None,
) -> PmScheduleRead:
    schedule = await load(session, schedule_id)
    if user_id is not None:
        check_org(org, data.model_copy(update={"team": schedule.team}), user_id)
    if seen_version is not None and seen_version != schedule.version:
        raise InvalidInput(f"PM-{schedule.id} was changed by someone else since you opened it; open it again.")
    data = check_org(org, data, user_id)
    if data.key is None:  # an edit in Slack keeps the key a CSV import gave it
        data = data.model_copy(update={"key": schedule.key})
    await _places(session, data)
    _apply(schedule, data, org, org.local_date(now))
    schedule.updated_at = now
    await session.flush()
    return PmScheduleRead.model_validate(schedule)


async def set_paused(
    session: AsyncSession, *, org: Organisation, now: datetime, user_id: str, schedule_id: int, paused: bool
) -> PmScheduleRead:
    """Pause (nothing is generated) or resume (from the next date on or after today)."""
    schedule = await _managed(session, org, user_id, schedule_id)
    due = schedule.next_due_on
    if paused:
        schedule.paused_at, schedule.pause_reason = now, f"Paused by <@{user_id}>"
    else:
        schedule.paused_at, schedule.pause_reason = None, None
        if schedule.open_work_order_id is None or schedule.anchor is Anchor.FIXED:
            due = first_due(recurrence(schedule, org), org.local_date(now), schedule.last_due_on)
    schedule.plan(due)
    schedule.updated_at = now
    await session.flush()
    return PmScheduleRead.model_validate(schedule)


async def delete(session: AsyncSession, *, org: Organisation, now: datetime, user_id: str, schedule_id: int) -> str:
    """Delete a schedule (kept for the history of the work it generated); its open work stays open."""
    schedule = await _managed(session, org, user_id, schedule_id)
    schedule.deleted_at, schedule.updated_at = now, now
    schedule.plan(schedule.next_due_on)
    schedule.key = None  # free for a new schedule (a CSV import may reuse it)
    await session.flush()
    return f"PM-{schedule.id} · {schedule.title}"


async def _managed(session: AsyncSession, org: Organisation, user_id: str, schedule_id: int) -> PmSchedule:
    schedule = await load(session, schedule_id)
    if not rules.may_plan_maintenance(user_id, team=schedule.team, org=org):
        team = org.team(schedule.team).name
        raise Forbidden(f"Only {team} managers and admins can change PM-{schedule.id}.")
    return schedule


async def load(session: AsyncSession, schedule_id: int) -> PmSchedule:
    schedule = await session.get(PmSchedule, schedule_id, populate_existing=True)
    if schedule is None or schedule.deleted_at is not None:
        raise NotFound(f"There is no PM-{schedule_id}.")
    return schedule


async def get(session: AsyncSession, schedule_id: int) -> PmScheduleRead:
    return PmScheduleRead.model_validate(await load(session, schedule_id))


async def listing(
    session: AsyncSession, *, teams: tuple[str, ...] | None, limit: int = MAX_LISTED
) -> tuple[tuple[PmScheduleRead, ...], int]:
    """Schedules (of `teams`, or all), soonest due first, and how many there are in all."""
    query = select(PmSchedule).where(PmSchedule.deleted_at.is_(None))
    if teams is not None:
        query = query.where(PmSchedule.team.in_(teams))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(PmSchedule.next_due_on.is_(None), PmSchedule.next_due_on, PmSchedule.id).limit(limit)
    )
    return tuple(PmScheduleRead.model_validate(row) for row in rows.scalars()), int(total or 0)
