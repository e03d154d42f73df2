"""The demo's PM schedules and their checklists: the weekly fire alarm test, the air handler's filters, the
generator by its running hours, the monthly boiler inspection, the server room's UPS."""

from collections.abc import Mapping
from datetime import date, timedelta

from models.enums import ChecklistKind, NonWorking, Repeat
from models.schemas import ChecklistItem
from services.maintenance.pm_schedules import ScheduleInput


def schedules(
    start: date, tomorrow: date, *, location_ids: Mapping[str, int], asset_ids: Mapping[str, int]
) -> list[ScheduleInput]:
    """The schedules, starting on `start` (the boiler's on `tomorrow`), on the registers' rows by key."""
    return [
        ScheduleInput(
            key="fire-alarm-weekly",
            title="Weekly fire alarm test",
            team="facilities",
            category="electrical",
            location_id=location_ids["reception"],
            checklist=(
                check("Test a call point (rotate zones)"),
                check("Sounders heard in every zone"),
                pass_fail("Panel shows no faults"),
                check("Log the test in the fire book"),
            ),
            estimated_minutes=30,
            repeat=Repeat.WEEKS,
            weekdays=(0,),  # Mondays
            starts_on=start,
            non_working=NonWorking.NEXT_WORKING_DAY,
        ),
        ScheduleInput(
            key="ahu-filters",
            title="Change the AHU-1 filters",
            team="facilities",
            category="hvac",
            asset_id=asset_ids["HQ-AHU-1"],
            checklist=(
                reading("Filter pressure drop before", "Pa", 0, 250),
                check("Fit new bag filters"),
                check("Check the fan belt tension"),
            ),
            estimated_minutes=60,
            repeat=Repeat.WEEKS,
            every=2,
            starts_on=start + timedelta(days=2),
            non_working=NonWorking.NEXT_WORKING_DAY,
        ),
        ScheduleInput(
            key="generator-hours",
            title="Standby generator service",
            team="facilities",
            category="electrical",
            asset_id=asset_ids["HQ-GEN-1"],
            checklist=(
                check("Change oil and oil filter"),
                reading("Battery voltage", "V", 12.4, 14.8),
                pass_fail("Load test for 30 minutes"),
            ),
            estimated_minutes=120,
            meter="hours",
            meter_every=50,
            starts_on=start,
        ),
        ScheduleInput(
            key="boiler-inspection",
            title="Monthly boiler inspection",
            team="facilities",
            category="hvac",
            asset_id=asset_ids["HQ-BLR-1"],
            checklist=(
                reading("Flow temperature", "°C", 60, 80),
                reading("System pressure", "bar", 1.0, 2.0),
                pass_fail("Flue and burner visual check"),
                check("Check the pump for leaks"),
            ),
            estimated_minutes=45,
            repeat=Repeat.MONTHS,
            starts_on=tomorrow,  # due tomorrow: moving the clock a day creates it
        ),
        ScheduleInput(
            key="ups-check",
            title="Server room UPS check",
            team="it",
            category="hardware",
            asset_id=asset_ids["HQ-UPS-1"],
            checklist=(
                reading("Battery charge", "%", 95, 100),
                reading("Load", "%", 0, 80),
                pass_fail("Self-test"),
            ),
            estimated_minutes=20,
            repeat=Repeat.WEEKS,
            every=2,
            weekdays=(2,),  # Wednesdays
            starts_on=start,
            non_working=NonWorking.NEXT_WORKING_DAY,
        ),
    ]


def check(label: str) -> ChecklistItem:
    return ChecklistItem(label=label)


def reading(label: str, unit: str, low: float, high: float) -> ChecklistItem:
    return ChecklistItem(label=label, kind=ChecklistKind.NUMBER, unit=unit, min=low, max=high)


def pass_fail(label: str) -> ChecklistItem:
    return ChecklistItem(label=label, kind=ChecklistKind.PASS_FAIL)
