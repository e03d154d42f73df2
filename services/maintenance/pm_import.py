"""`wrench import pm FILE.csv`: PM schedules from a spreadsheet (see `csv_import` for the rules every
import follows); a row with a `key` that exists updates that schedule."""

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.maintenance import PmSchedule
from services import csv_import
from services.errors import DomainError, InvalidFields
from services.inventory import places
from services.maintenance import checklists, pm_schedules
from services.organisation.business_time import WEEKDAYS
from services.organisation.org import Organisation

COLUMNS = (
    "key",
    "title",
    "team",
    "category",
    "description",
    "priority",
    "asset",
    "location",
    "checklist",
    "estimated_minutes",
    "repeat",
    "every",
    "weekdays",
    "cron",
    "starts_on",
    "ends_on",
    "max_count",
    "anchor",
    "lead_days",
    "non_working",
    "one_open",
    "meter",
    "meter_every",
    "meter_threshold",
)
REQUIRED = ("title", "team", "starts_on")
EXAMPLE = {
    "key": "boiler-weekly",
    "title": "Inspect boiler",
    "team": "facilities",
    "priority": "high",
    "asset": "BLR-1",
    "checklist": "Check flue | Burner flame [pass/fail] | Pressure [number bar 1..2]",
    "estimated_minutes": "45",
    "repeat": "weeks",
    "every": "1",
    "weekdays": "mon,thu",
    "starts_on": "2026-03-02",
    "non_working": "next_working_day",
}
TRUE, FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0", ""}


async def upsert(
    session: AsyncSession, org: Organisation, now: datetime, cells: dict[str, str]
) -> tuple[csv_import.Outcome, str]:
    """A row: a new schedule, or (its `key` exists) that schedule updated."""
    data = await _row_input(session, cells)
    existing = await _by_key(session, data.key)
    if existing is None:
        made = await pm_schedules.create(session, org=org, now=now, user_id=None, data=data)
        return csv_import.Outcome.CREATED, f"PM-{made.id} {made.title}"
    changed = await pm_schedules.update(session, org=org, now=now, user_id=None, schedule_id=existing, data=data)
    return csv_import.Outcome.UPDATED, f"PM-{changed.id} {changed.title}"


PM = csv_import.Kind(name="pm", columns=COLUMNS, required=REQUIRED, key="key", example=EXAMPLE, upsert=upsert)


async def _by_key(session: AsyncSession, key: str | None) -> int | None:
    if not key:
        return None
    return await session.scalar(select(PmSchedule.id).where(PmSchedule.key == key, PmSchedule.deleted_at.is_(None)))


async def _row_input(session: AsyncSession, cells: dict[str, str]) -> pm_schedules.ScheduleInput:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {name: cells.get(name) or None for name in COLUMNS}
    values.pop("asset"), values.pop("location")
    values.update(
        title=cells.get("title") or "", team=cells.get("team") or "", description=cells.get("description") or ""
    )
    try:
        values["checklist"] = checklists.parse("\n".join((cells.get("checklist") or "").split("|")))
    except DomainError as error:
        errors["checklist"] = str(error)
        values["checklist"] = ()
    if cells.get("asset"):
        try:
            values["asset_id"] = (await places.asset_by_tag(session, cells["asset"])).id
        except DomainError as error:
            errors["asset"] = str(error)
    if cells.get("location"):
        values["location_id"] = None
        try:
            values["location_id"] = await places.existing_location(session, cells["location"])
        except DomainError as error:
            errors["location"] = str(error)
    days = [day.strip().lower()[:3] for day in (cells.get("weekdays") or "").split(",") if day.strip()]
    if any(day not in WEEKDAYS for day in days):
        errors["weekdays"] = f"use {', '.join(WEEKDAYS)}"
    values["weekdays"] = tuple(WEEKDAYS.index(day) for day in days if day in WEEKDAYS)
    one_open = (cells.get("one_open") or "").lower()
    if one_open not in TRUE | FALSE:
        errors["one_open"] = "write true or false"
    values["one_open"] = one_open in TRUE or one_open == ""
    for name in ("priority", "anchor", "non_working", "every", "lead_days"):
        if values[name] is None:
            values.pop(name)
    if values.get("repeat") == "meter":
        values["repeat"] = None
    try:
        data = pm_schedules.ScheduleInput(
            **{k: v for k, v in values.items() if k in pm_schedules.ScheduleInput.model_fields}
        )
    except ValidationError as error:
        found = pm_schedules.input_errors(error)
        renamed = {{"asset_id": "asset", "location_id": "location"}.get(k, k): v for k, v in found.items()}
        raise InvalidFields({**renamed, **errors}) from None
    if errors:
        raise InvalidFields(errors)
    return data
