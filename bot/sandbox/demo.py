"""The demo organisation of `wrench sandbox` and its data.

`demo_organisation()` is `demo.yml` (a wrench.yml like any other, with a `people:` section);
`people_of(org)` names the people of any organisation (from its `people:`, else generated names).
`seed(db, org, now=...)` fills an empty database with six weeks of a plausible Facilities and IT desk,
made through the services exactly as clicks and the scheduler would make it, at the times it would have
happened: locations, assets with meters, parts, PM schedules with checklists, and work requested, claimed,
put on hold, completed, confirmed, escalated, with parts, labor and downtime. The same `now` always gives
the same data (no randomness but a seeded one).

What Slack is told: the history is not replayed. The notices the services queued on the way (weeks of
cards, thread lines, DMs, warnings, escalations) are marked delivered without a Slack call, and only what
a person would still act on is queued afresh: a card for every work order not closed or cancelled (drawn
as it stands now, with the requester's DM), the requester's "please confirm" DM for work completed and
awaiting confirmation, and the approvers' DM for the request awaiting approval. Closed history is in the
database (reports, Home, digest, `/wo asset`) but has no card.
"""

import heapq
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import resources
from itertools import count
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import Database
from models.enums import (
    AssetStatus,
    ChecklistKind,
    Criticality,
    EventKind,
    HoldReason,
    NonWorking,
    Priority,
    Repeat,
    RequestStatus,
    Status,
    WorkOrderType,
)
from models.maintenance import PmSchedule
from models.parts import Part
from models.places import Asset, Downtime, Location
from models.requests import ServiceRequest
from models.schemas import Change, ChecklistItem, RequestCreate
from models.work_orders import WorkOrder
from services import (
    assignment,
    checklists,
    downtime,
    lifecycle,
    meters,
    outbox,
    parts,
    places,
    pm_generation,
    pm_schedules,
    requests,
    sla_watch,
    work_log,
    work_orders,
)
from services.org import Organisation, Person, parse_organisation
from services.pm_schedules import ScheduleInput

DEMO_FILE = "demo.yml"
HISTORY_WORKDAYS = 30  # six weeks of working days before `now`

# who is who in demo.yml
ADMIN = "U0ADMIN"
APPROVER = "U0APPROVER"
F_MANAGER = "U0FMANAGER"
SAM, JO, MATEO = "U0FTECH1", "U0FTECH2", "U0FTECH3"
IT_MANAGER = "U0ITMANAGER"
LIN, OMAR = "U0ITTECH1", "U0ITTECH2"
ANA, BEN, CHLOE, DAVID = "U0STAFF1", "U0STAFF2", "U0STAFF3", "U0STAFF4"
REQUESTERS = (ANA, BEN, CHLOE, DAVID)


# -- the organisation and its people ----------------------------------------------------------------


def demo_text() -> str:
    """demo.yml as packaged."""
    return resources.files("bot.sandbox").joinpath(DEMO_FILE).read_text(encoding="utf-8")


def demo_organisation() -> Organisation:
    return parse_organisation(demo_text(), source=f"bot/sandbox/{DEMO_FILE}")


def demo_people() -> dict[str, Person]:
    return dict(demo_organisation().people)


def people_of(org: Organisation) -> dict[str, Person]:
    """Everyone the organisation names, by user id: named from its `people:` section, the others with
    generated names by role ("Technician 1", "Manager 1", "Approver 1", "Admin 1"), in the order the file
    names them. People listed under `people:` only are included too."""
    found: dict[str, Person] = {}
    numbers: dict[str, int] = {}

    def add(user_id: str, role: str, title: str) -> None:
        if user_id in found:
            return
        named = org.people.get(user_id)
        if named is not None:
            found[user_id] = named
            return
        numbers[role] = numbers.get(role, 0) + 1
        found[user_id] = Person(name=f"{role} {numbers[role]}", title=title)

    for user_id in org.admins:
        add(user_id, "Admin", "Admin")
    for team in org.teams:
        for user_id in team.managers:
            add(user_id, "Manager", f"{team.name} manager")
        for user_id in team.technicians:
            add(user_id, "Technician", f"{team.name} technician")
    for category in org.categories:
        for user_id in category.approvers:
            add(user_id, "Approver", f"Approves {category.name}")
    for user_id in org.hourly_rates:
        add(user_id, "Person", "Technician")
    for user_id, person in org.people.items():
        found.setdefault(user_id, person)
    return found


# -- what seed() made -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedSummary:
    locations: int
    assets: int
    meter_readings: int
    parts: int
    pm_schedules: int
    work_orders: int
    by_status: dict[str, int]  # work orders per status
    pm_work_orders: int
    requests_pending: int
    downtime_periods: int
    assets_down: int
    escalated: int  # work orders escalated (at least level 1), any status
    notices_skipped: int  # history notices marked delivered without a Slack call
    notices_queued: int  # cards and DMs queued for what is still open


# -- the registers ----------------------------------------------------------------------------------

SITE = "Northwind HQ"
NORTH, SOUTH = f"{SITE} / North Building", f"{SITE} / South Building"
LOCATIONS = {
    "reception": f"{NORTH} / Ground floor / Reception",
    "toilets": f"{NORTH} / Ground floor / Toilets",
    "kitchen": f"{NORTH} / 1st floor / Kitchen",
    "open_plan": f"{NORTH} / 1st floor / Open plan",
    "meeting": f"{NORTH} / 2nd floor / Meeting room 2.04",
    "print_room": f"{NORTH} / 2nd floor / Print room",
    "north_roof": f"{NORTH} / Roof",
    "plant": f"{NORTH} / Basement / Plant room",
    "lab": f"{SOUTH} / Ground floor / Lab 1",
    "server": f"{SOUTH} / Ground floor / Server room",
    "south_3": f"{SOUTH} / 3rd floor / Open plan",
    "south_roof": f"{SOUTH} / Roof",
    "car_park": f"{SITE} / Car park",
}

# tag, name, location, category, parent, manufacturer, model, criticality, installed years ago
ASSETS: tuple[tuple[str, str, str, str, str, str, str, Criticality, int], ...] = (
    ("HQ-AHU-1", "Air handling unit 1", "north_roof", "HVAC", "", "Daikin", "D-AHU 12", Criticality.HIGH, 6),
    ("HQ-AHU-2", "Air handling unit 2", "south_roof", "HVAC", "", "Daikin", "D-AHU 12", Criticality.HIGH, 9),
    ("HQ-BLR-1", "Gas boiler 1", "plant", "Heating", "", "Viessmann", "Vitocrossal 300", Criticality.CRITICAL, 7),
    (
        "HQ-BLR-1-P1",
        "Boiler circulation pump",
        "plant",
        "Heating",
        "HQ-BLR-1",
        "Grundfos",
        "Magna3",
        Criticality.HIGH,
        4,
    ),
    ("HQ-GEN-1", "Standby generator", "car_park", "Power", "", "Cummins", "C150D5", Criticality.CRITICAL, 10),
    ("HQ-LIFT-1", "Passenger lift", "reception", "Lifts", "", "Otis", "Gen2", Criticality.HIGH, 12),
    ("HQ-UPS-1", "Server room UPS", "server", "IT", "", "APC", "Smart-UPS SRT 10k", Criticality.CRITICAL, 3),
    ("HQ-SW-CORE", "Core network switch", "server", "IT", "", "Aruba", "CX 6300", Criticality.CRITICAL, 2),
    ("HQ-PRN-2F", "Second-floor printer", "print_room", "IT", "", "HP", "LaserJet M507", Criticality.LOW, 5),
    ("HQ-WAP-3S", "Wi-Fi access point, south 3rd floor", "south_3", "IT", "", "Aruba", "AP-515", Criticality.MEDIUM, 2),
)

# sku, name, unit, unit cost, on hand, reorder point, store
PARTS: tuple[tuple[str, str, str, float, float, float, str], ...] = (
    ("FLT-AHU-592", "AHU bag filter 592x592", "each", 18.50, 16, 4, "Plant room shelf A"),
    ("BELT-SPA1250", "AHU fan belt SPA1250", "each", 14.00, 5, 2, "Plant room shelf A"),
    ("VLV-15MM", "15 mm isolation valve", "each", 6.20, 20, 5, "Plant room shelf B"),
    ("WSH-TAP", "Tap washer set", "pack", 3.10, 12, 3, "Plant room shelf B"),
    ("LED-T8-1500", "LED tube T8 1500 mm", "each", 7.90, 30, 10, "Store room"),
    ("FUSE-13A", "13 A fuse", "each", 0.40, 100, 20, "Store room"),
    ("SEAL-MAGNA3", "Pump seal kit, Magna3", "kit", 42.00, 3, 1, "Plant room shelf B"),
    ("TNR-59X", "Toner cartridge 59X", "each", 120.00, 6, 2, "IT store"),
    ("ROLLER-M507", "Printer pickup roller kit", "kit", 35.00, 3, 1, "IT store"),
    ("CAT6-2M", "Cat6 patch cable 2 m", "each", 3.00, 40, 10, "IT store"),
    ("USBC-65W", "USB-C charger 65 W", "each", 29.00, 5, 2, "IT store"),
)


def _check(label: str) -> ChecklistItem:
    return ChecklistItem(label=label)


def _reading(label: str, unit: str, low: float, high: float) -> ChecklistItem:
    return ChecklistItem(label=label, kind=ChecklistKind.NUMBER, unit=unit, min=low, max=high)


def _pass_fail(label: str) -> ChecklistItem:
    return ChecklistItem(label=label, kind=ChecklistKind.PASS_FAIL)


# -- when things happen -----------------------------------------------------------------------------


class Timeline:
    """Times of the history: working days counted back from `now`'s local date, at local times."""

    def __init__(self, org: Organisation, now: datetime) -> None:
        self.org, self.now, self.zone = org, now, org.zone()
        self.today = now.astimezone(self.zone).date()

    def workday(self, back: int) -> date:
        """The working day (Monday to Friday) `back` working days before today (0: today, if it is one)."""
        day = self.today
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        for _ in range(back):
            day -= timedelta(days=1)
            while day.weekday() >= 5:
                day -= timedelta(days=1)
        return day

    def at(self, back: int, clock: str) -> datetime:
        hours, minutes = (int(part) for part in clock.split(":"))
        moment = datetime.combine(self.workday(back), time(hours, minutes), tzinfo=self.zone)
        return moment.astimezone(self.now.tzinfo)

    def ago(self, minutes: int) -> datetime:
        return self.now - timedelta(minutes=minutes)


When = tuple[int, str] | int  # (working days back, "HH:MM" local), or minutes before now


@dataclass(frozen=True)
class Step:
    when: When
    actor: str
    verb: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    """One request and what happened to it."""

    key: str
    filed: When
    requester: str
    title: str
    category: str
    steps: tuple[Step, ...] = ()
    description: str = ""
    priority: Priority | None = None
    place: str | None = None  # a LOCATIONS key
    asset: str | None = None  # a tag
    fields: dict[str, Any] = field(default_factory=dict)
    asset_down: bool = False


def s(when: When, actor: str, verb: str, **args: Any) -> Step:
    return Step(when, actor, verb, args)


def _stories() -> list[Story]:
    """The work that tells the demo's story; routine work is added by `_routine`."""
    hold = HoldReason
    return [
        # -- Facilities: AHU-2 fails again and again (recurring), the third time it is being fixed now
        Story(
            "ahu2-a",
            (27, "08:40"),
            BEN,
            "Lab too warm, air handler not running",
            "hvac",
            asset="HQ-AHU-2",
            fields={"floor": 0, "kind": "Too hot"},
            asset_down=True,
            description="AHU-2 tripped overnight.",
            steps=(
                s((27, "09:05"), SAM, "claim"),
                s((27, "09:30"), SAM, "start"),
                s((27, "11:10"), SAM, "parts", lines=[("BELT-SPA1250", 1)]),
                s(
                    (27, "11:45"),
                    SAM,
                    "complete",
                    resolution="Replaced the snapped fan belt, reset the trip.",
                    cause="Worn fan belt",
                    minutes=120,
                ),
                s((26, "10:00"), BEN, "confirm"),
            ),
        ),
        Story(
            "ahu2-b",
            (12, "07:50"),
            BEN,
            "Air handler on the south roof stopped again",
            "hvac",
            asset="HQ-AHU-2",
            fields={"floor": 0, "kind": "Too hot"},
            asset_down=True,
            priority=Priority.HIGH,
            steps=(
                s((12, "08:20"), SAM, "start"),
                s((12, "09:00"), SAM, "hold", reason=hold.PARTS, note="Belt guard bracket cracked, ordered"),
                s((11, "13:00"), SAM, "resume"),
                s((11, "14:30"), SAM, "parts", lines=[("BELT-SPA1250", 1)]),
                s(
                    (11, "15:00"),
                    SAM,
                    "complete",
                    resolution="New belt and belt guard bracket.",
                    cause="Belt misaligned by a cracked bracket",
                    minutes=150,
                ),
            ),
        ),  # auto-closed later
        Story(
            "ahu2-c",
            200,
            BEN,
            "Grinding noise from AHU-2",
            "hvac",
            asset="HQ-AHU-2",
            priority=Priority.HIGH,
            fields={"floor": 0, "kind": "Noisy", "contact": BEN},
            description="Loud grinding since this morning.",
            steps=(
                s(170, SAM, "claim"),
                s(150, SAM, "start"),
                s(120, SAM, "note", text="Bearing on the fan shaft is rough. Belt worn again too."),
                s(90, SAM, "parts", lines=[("BELT-SPA1250", 1)]),
                s(80, SAM, "time", minutes=60),
            ),
        ),
        # -- Facilities: the lift is down, waiting for the vendor (still down now)
        Story(
            "lift",
            (3, "08:15"),
            CHLOE,
            "Lift stuck on the ground floor",
            "general",
            asset="HQ-LIFT-1",
            priority=Priority.HIGH,
            asset_down=True,
            description="Doors will not close, display shows E27.",
            steps=(
                s((3, "08:30"), F_MANAGER, "assign", assignee=MATEO),
                s((3, "09:00"), MATEO, "start"),
                s((3, "10:30"), MATEO, "note", text="Door operator fault; needs the Otis engineer."),
                s((3, "10:40"), MATEO, "hold", reason=hold.VENDOR, note="Otis engineer booked"),
                s((3, "10:45"), MATEO, "time", minutes=90),
            ),
        ),
        # -- Facilities: the boiler pump leaked (downtime on a child asset), fixed with a seal kit
        Story(
            "pump",
            (18, "07:20"),
            ANA,
            "Water on the plant room floor under the boiler pump",
            "plumbing",
            asset="HQ-BLR-1-P1",
            priority=Priority.URGENT,
            fields={"kind": "Leak", "floor": -1},
            steps=(
                s((18, "07:25"), JO, "claim"),
                s((18, "07:40"), JO, "down", reason="Pump seal leaking"),
                s((18, "07:45"), JO, "start"),
                s((18, "10:15"), JO, "parts", lines=[("SEAL-MAGNA3", 1)]),
                s(
                    (18, "10:30"),
                    JO,
                    "complete",
                    resolution="Replaced the pump seal, refilled and bled.",
                    cause="Seal worn",
                    minutes=180,
                ),
                s((17, "09:00"), ANA, "confirm"),
            ),
        ),
        # -- Facilities: overdue and escalated, nobody has claimed it
        Story(
            "radiator",
            (5, "09:10"),
            DAVID,
            "Meeting room 2.04 freezing, radiator cold",
            "hvac",
            place="meeting",
            fields={"floor": 2, "kind": "Too cold", "noticed": "{day5}"},
        ),
        # -- Facilities: in progress, claimed, due soon
        Story(
            "tap",
            (1, "10:20"),
            ANA,
            "Kitchen tap dripping constantly",
            "plumbing",
            place="kitchen",
            fields={"kind": "Drip", "floor": 1},
            steps=(s((1, "11:00"), JO, "claim"), s(45, JO, "start")),
        ),
        Story(
            "lights",
            (2, "14:05"),
            CHLOE,
            "Lights flickering in reception",
            "electrical",
            place="reception",
            fields={"circuit": "DB-G1 way 4"},
            steps=(s((2, "14:40"), MATEO, "claim"),),
        ),
        Story(
            "chair",
            35,
            BEN,
            "Broken chair in Lab 1",
            "general",
            place="lab",
            description="The gas strut has gone; it sinks to the floor.",
        ),
        # -- Facilities: done, waiting for the requester to confirm
        Story(
            "toilet",
            (1, "08:05"),
            CHLOE,
            "Ground floor toilet blocked",
            "plumbing",
            place="toilets",
            priority=Priority.HIGH,
            fields={"kind": "Blocked", "floor": 0},
            steps=(
                s((1, "08:20"), SAM, "start"),
                s(
                    (1, "09:10"),
                    SAM,
                    "complete",
                    resolution="Cleared the blockage with a drain snake.",
                    cause="Paper towels flushed",
                    minutes=45,
                ),
            ),
        ),
        # -- Facilities: reopened once (not a first-time fix), then confirmed
        Story(
            "socket",
            (9, "11:00"),
            DAVID,
            "Dead floor socket by desk 14",
            "electrical",
            place="open_plan",
            fields={"circuit": "Floor box 14"},
            steps=(
                s((9, "11:30"), MATEO, "claim"),
                s(
                    (9, "13:00"),
                    MATEO,
                    "complete",
                    resolution="Replaced the 13 A fuse.",
                    cause="Blown fuse",
                    minutes=20,
                ),
                s((9, "13:05"), MATEO, "parts", lines=[("FUSE-13A", 1)]),
                s((8, "09:00"), DAVID, "reopen", reason="Dead again this morning"),
                s((8, "10:00"), MATEO, "start"),
                s(
                    (8, "12:00"),
                    MATEO,
                    "complete",
                    resolution="Replaced the damaged socket outlet.",
                    cause="Loose terminal burned the outlet",
                    minutes=75,
                ),
                s((7, "09:30"), DAVID, "confirm"),
            ),
        ),
        # -- Facilities: a duplicate, cancelled
        Story(
            "dup",
            (6, "09:00"),
            ANA,
            "Kitchen tap leaking",
            "plumbing",
            place="kitchen",
            fields={"kind": "Leak"},
            steps=(s((6, "09:30"), F_MANAGER, "cancel", reason="Duplicate: fixed under the earlier request"),),
        ),
        # -- Facilities: keys, approved once in the history; another waits for approval now
        Story(
            "keys-a",
            (14, "10:00"),
            BEN,
            "Key to the chemical store for the new lab assistant",
            "access",
            fields={"door": "Chemical store, Lab 1", "needed_by": "{day12}"},
            steps=(
                s((14, "15:00"), APPROVER, "approve"),
                s((13, "09:00"), JO, "claim"),
                s((13, "11:00"), JO, "complete", resolution="Key cut and signed out to the lab.", minutes=30),
                s((13, "14:00"), BEN, "confirm"),
            ),
        ),
        Story(
            "keys-b",
            (1, "16:10"),
            DAVID,
            "Access card for a new starter on Monday",
            "access",
            fields={"door": "South Building main door and 3rd floor", "needed_by": "{day-3}"},
        ),
        # -- IT: the printer jams again and again (recurring), the third one is open
        Story(
            "prn-a",
            (24, "09:30"),
            CHLOE,
            "Printer on 2nd floor jams every few pages",
            "printing",
            asset="HQ-PRN-2F",
            steps=(
                s((24, "13:00"), LIN, "claim"),
                s((24, "14:00"), LIN, "complete", resolution="Cleaned the paper path.", cause="Paper dust", minutes=30),
                s((23, "09:00"), CHLOE, "confirm"),
            ),
        ),
        Story(
            "prn-b",
            (10, "10:45"),
            ANA,
            "2nd floor printer jamming again",
            "printing",
            asset="HQ-PRN-2F",
            steps=(
                s((10, "11:30"), OMAR, "start"),
                s((10, "12:15"), OMAR, "parts", lines=[("ROLLER-M507", 1)]),
                s(
                    (10, "12:30"),
                    OMAR,
                    "complete",
                    resolution="Replaced the pickup roller kit.",
                    cause="Worn pickup rollers",
                    minutes=45,
                ),
            ),
        ),
        Story(
            "prn-c",
            (2, "09:15"),
            DAVID,
            "Printer jams and shows 13.A2.D2",
            "printing",
            asset="HQ-PRN-2F",
            steps=(
                s((2, "10:00"), OMAR, "claim"),
                s((2, "10:30"), OMAR, "hold", reason=hold.PARTS, note="Fuser on order, due Thursday"),
            ),
        ),
        # -- IT: the core switch went down (three hours of downtime), fixed
        Story(
            "switch",
            (16, "08:05"),
            ANA,
            "No network in the whole South Building",
            "network",
            asset="HQ-SW-CORE",
            priority=Priority.URGENT,
            asset_down=True,
            steps=(
                s((16, "08:10"), LIN, "start"),
                s((16, "08:40"), LIN, "note", text="Switch rebooting in a loop after last night's update."),
                s((16, "10:30"), LIN, "parts", lines=[("CAT6-2M", 4)]),
                s(
                    (16, "11:05"),
                    LIN,
                    "complete",
                    resolution="Rolled back the firmware, replaced the stack cables.",
                    cause="Faulty firmware update",
                    minutes=180,
                ),
                s((15, "09:00"), ANA, "confirm"),
            ),
        ),
        # -- IT: overdue work in progress (escalated), and work on hold
        Story(
            "wifi",
            (3, "11:20"),
            BEN,
            "Wi-Fi keeps dropping on the south 3rd floor",
            "network",
            asset="HQ-WAP-3S",
            steps=(
                s((3, "13:30"), OMAR, "claim"),
                s((2, "09:00"), OMAR, "start"),
                s((2, "11:00"), OMAR, "note", text="AP reboots under load; firmware ticket open with Aruba."),
                s((2, "11:05"), OMAR, "time", minutes=90),
            ),
        ),
        Story(
            "charger",
            (4, "10:00"),
            DAVID,
            "Laptop will not charge",
            "hardware",
            fields={"device": "Laptop"},
            steps=(
                s((4, "10:30"), LIN, "claim"),
                s((4, "11:00"), LIN, "hold", reason=hold.PARTS, note="USB-C charger ordered"),
            ),
        ),
        Story(
            "monitor",
            120,
            DAVID,
            "Second monitor for my desk",
            "hardware",
            priority=Priority.LOW,
            fields={"device": "Monitor"},
        ),
    ]


# routine work: title, category, place, fields, resolution, part used (sku, quantity) or None
ROUTINE: tuple[tuple[str, str, str, dict[str, Any], str, tuple[str, float] | None], ...] = (
    ("Light out in the open plan", "electrical", "open_plan", {}, "Replaced the LED tube.", ("LED-T8-1500", 1)),
    ("Door closer broken on the kitchen door", "general", "kitchen", {}, "Adjusted the door closer.", None),
    ("Hot water tap not working", "plumbing", "kitchen", {"kind": "No hot water"}, "Reset the water heater.", None),
    (
        "Reception too hot in the afternoon",
        "hvac",
        "reception",
        {"floor": 0, "kind": "Too hot"},
        "Rebalanced the zone valve.",
        None,
    ),
    ("Blind stuck in meeting room 2.04", "general", "meeting", {}, "Rethreaded the blind cord.", None),
    (
        "Dripping tap in the ground floor toilets",
        "plumbing",
        "toilets",
        {"kind": "Drip", "floor": 0},
        "New tap washers.",
        ("WSH-TAP", 1),
    ),
    (
        "Smell from the lab extract",
        "hvac",
        "lab",
        {"floor": 0, "kind": "Smells"},
        "Replaced the extract filter.",
        ("FLT-AHU-592", 1),
    ),
    ("Car park light stays on all day", "electrical", "car_park", {}, "Replaced the photocell.", None),
    ("Loose handrail on the stairs", "general", "reception", {}, "Refixed the handrail brackets.", None),
    (
        "Outlet sparking in the print room",
        "electrical",
        "print_room",
        {"circuit": "DB-2 way 7"},
        "Replaced the outlet and fuse.",
        ("FUSE-13A", 1),
    ),
)
ROUTINE_IT: tuple[tuple[str, str, str, dict[str, Any], str, tuple[str, float] | None], ...] = (
    ("Laptop very slow", "hardware", "open_plan", {"device": "Laptop"}, "Replaced the drive, reimaged.", None),
    ("Dock does not detect the monitor", "hardware", "south_3", {"device": "Dock"}, "Updated the dock firmware.", None),
    ("Cannot print from my laptop", "printing", "print_room", {}, "Reinstalled the print driver.", None),
    ("No network at desk 31", "network", "south_3", {}, "Replaced the patch cable.", ("CAT6-2M", 1)),
    (
        "Toner low on the 2nd floor printer",
        "printing",
        "print_room",
        {},
        "Fitted a new toner cartridge.",
        ("TNR-59X", 1),
    ),
    ("Desk phone has no dial tone", "hardware", "reception", {"device": "Phone"}, "Re-registered the handset.", None),
)


def _routine(timeline: Timeline) -> list[Story]:
    """Everyday work over the history (seeded, so always the same), most of it done and confirmed."""
    rng = random.Random(20260302)
    made: list[Story] = []
    facilities, it = (SAM, JO, MATEO), (LIN, OMAR)
    for back in range(HISTORY_WORKDAYS, 1, -1):
        for team_work, techs, chance in ((ROUTINE, facilities, 0.8), (ROUTINE_IT, it, 0.5)):
            if rng.random() > chance:
                continue
            title, category, place, fields, resolution, part = team_work[rng.randrange(len(team_work))]
            filed_h, filed_m = rng.randrange(8, 15), rng.choice((0, 10, 20, 30, 40, 50))
            tech = techs[rng.randrange(len(techs))]
            requester = REQUESTERS[rng.randrange(len(REQUESTERS))]
            respond = rng.choice((20, 45, 90, 150, 300))  # minutes to the claim
            work = rng.choice((30, 45, 60, 90))
            # most the same day, some on a later day (late ones miss their SLA)
            done_back = back - rng.choice((0, 0, 0, 1, 1, 2, 4))
            done_back = max(done_back, 1)
            filed = datetime.combine(date(2000, 1, 1), time(filed_h, filed_m))
            claimed = (filed + timedelta(minutes=respond)).time()
            if claimed > time(17, 0):
                claimed = time(17, 0)
            steps = [s((back, claimed.strftime("%H:%M")), tech, "claim")]
            finish = f"{rng.randrange(9, 17):02d}:{rng.choice((5, 25, 45)):02d}"
            if done_back == back:
                finish = (datetime.combine(date(2000, 1, 1), claimed) + timedelta(minutes=work + 15)).strftime("%H:%M")
            if part is not None:
                steps.append(s((done_back, finish), tech, "parts", lines=[part]))
            steps.append(s((done_back, finish), tech, "complete", resolution=resolution, minutes=work))
            if rng.random() < 0.7 and done_back > 1:
                steps.append(s((done_back - 1, "09:15"), requester, "confirm"))
            made.append(
                Story(
                    f"routine-{back}-{category}",
                    (back, f"{filed_h:02d}:{filed_m:02d}"),
                    requester,
                    title,
                    category,
                    place=place,
                    fields=dict(fields),
                    steps=tuple(steps),
                )
            )
    return made


# -- seeding ----------------------------------------------------------------------------------------

Job = Callable[[AsyncSession, datetime], Awaitable[None]]


class _Seeder:
    def __init__(self, org: Organisation, now: datetime) -> None:
        self.org, self.now = org, now
        self.timeline = Timeline(org, now)
        self.queue: list[tuple[datetime, int, Job]] = []
        self.order = count()
        self.work_order_of: dict[str, int] = {}
        self.request_of: dict[str, int] = {}
        self.asset_ids: dict[str, int] = {}
        self.location_ids: dict[str, int] = {}
        self.part_ids: dict[str, int] = {}
        self.readings = 0
        self.pm_turn = 0

    def moment(self, when: When) -> datetime:
        return self.timeline.ago(when) if isinstance(when, int) else self.timeline.at(*when)

    def later(self, at: datetime, job: Job) -> None:
        if at <= self.now:
            heapq.heappush(self.queue, (at, next(self.order), job))

    async def run(self, session: AsyncSession) -> None:
        while self.queue:
            at, _, job = heapq.heappop(self.queue)
            await job(session, at)

    # -- registers ----------------------------------------------------------------------------------

    async def registers(self, session: AsyncSession, at: datetime) -> None:
        for key, path in LOCATIONS.items():
            self.location_ids[key] = await places.add_location(session, path, now=at)
        for tag, name, where, kind, parent, maker, model, criticality, age in ASSETS:
            self.asset_ids[tag] = await places.add_asset(
                session,
                tag=tag,
                name=name,
                location=LOCATIONS[where],
                now=at,
                category=kind,
                parent=parent,
                manufacturer=maker,
                model=model,
                serial=f"{tag.replace('-', '')}-{2026 - age}",
                installed_on=date(self.timeline.today.year - age, 4, 1),
                criticality=criticality,
            )
        for sku, name, unit, cost, on_hand, reorder, store in PARTS:
            part = await parts.add_part(
                session,
                now=at,
                actor_id=ADMIN,
                sku=sku,
                name=name,
                unit=unit,
                unit_cost=cost,
                on_hand=on_hand,
                reorder_point=reorder,
                location=store,
            )
            self.part_ids[sku] = part.id
        for schedule in self.schedules(at):
            await pm_schedules.create(session, org=self.org, now=at, user_id=None, data=schedule)

    def schedules(self, at: datetime) -> list[ScheduleInput]:
        start = at.astimezone(self.org.zone()).date()
        tomorrow = self.timeline.today + timedelta(days=1)
        return [
            ScheduleInput(
                key="fire-alarm-weekly",
                title="Weekly fire alarm test",
                team="facilities",
                category="electrical",
                location_id=self.location_ids["reception"],
                checklist=(
                    _check("Test a call point (rotate zones)"),
                    _check("Sounders heard in every zone"),
                    _pass_fail("Panel shows no faults"),
                    _check("Log the test in the fire book"),
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
                asset_id=self.asset_ids["HQ-AHU-1"],
                checklist=(
                    _reading("Filter pressure drop before", "Pa", 0, 250),
                    _check("Fit new bag filters"),
                    _check("Check the fan belt tension"),
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
                asset_id=self.asset_ids["HQ-GEN-1"],
                checklist=(
                    _check("Change oil and oil filter"),
                    _reading("Battery voltage", "V", 12.4, 14.8),
                    _pass_fail("Load test for 30 minutes"),
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
                asset_id=self.asset_ids["HQ-BLR-1"],
                checklist=(
                    _reading("Flow temperature", "°C", 60, 80),
                    _reading("System pressure", "bar", 1.0, 2.0),
                    _pass_fail("Flue and burner visual check"),
                    _check("Check the pump for leaks"),
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
                asset_id=self.asset_ids["HQ-UPS-1"],
                checklist=(
                    _reading("Battery charge", "%", 95, 100),
                    _reading("Load", "%", 0, 80),
                    _pass_fail("Self-test"),
                ),
                estimated_minutes=20,
                repeat=Repeat.WEEKS,
                every=2,
                weekdays=(2,),  # Wednesdays
                starts_on=start,
                non_working=NonWorking.NEXT_WORKING_DAY,
            ),
        ]

    # -- requests and what follows ------------------------------------------------------------------

    def plan_story(self, story: Story) -> None:
        filed = self.moment(story.filed)
        for step in story.steps:
            assert self.moment(step.when) > filed, (story.key, step)
        self.later(filed, self._filer(story))
        for step in story.steps:
            self.later(self.moment(step.when), self._stepper(story, step))

    def _fields(self, story: Story) -> dict[str, Any]:
        values = {}
        for key, value in story.fields.items():
            if isinstance(value, str) and value.startswith("{day"):  # a date relative to today
                back = int(value[4:-1])
                day = self.timeline.workday(back) if back >= 0 else self.timeline.today - timedelta(days=back)
                value = day.isoformat()
            values[key] = value
        return values

    def _filer(self, story: Story) -> Job:
        async def file(session: AsyncSession, at: datetime) -> None:
            request = RequestCreate(
                title=story.title,
                category=story.category,
                description=story.description,
                priority=story.priority,
                location_id=self.location_ids[story.place] if story.place else None,
                asset_id=self.asset_ids[story.asset] if story.asset else None,
                custom_fields=self._fields(story),
                asset_down=story.asset_down,
            )
            submitted = await requests.submit(
                session, org=self.org, now=at, requester_id=story.requester, request=request
            )
            assert submitted is not None
            self.request_of[story.key] = submitted.request.id
            if submitted.change is not None:
                self.work_order_of[story.key] = submitted.change.work_order.id

        return file

    def _stepper(self, story: Story, step: Step) -> Job:
        async def act(session: AsyncSession, at: datetime) -> None:
            if step.verb == "approve":
                approved = await requests.approve(
                    session, org=self.org, now=at, request_id=self.request_of[story.key], user_id=step.actor
                )
                assert approved.change is not None
                self.work_order_of[story.key] = approved.change.work_order.id
                return
            common: dict[str, Any] = {
                "org": self.org,
                "now": at,
                "work_order_id": self.work_order_of[story.key],
                "user_id": step.actor,
            }
            args = dict(step.args)
            if step.verb == "parts":
                lines = [parts.PartLine(self.part_ids[sku], quantity) for sku, quantity in args.pop("lines")]
                await parts.use(session, **common, lines=lines, **args)
            elif step.verb == "assign":
                await assignment.assign(session, **common, assignee_id=args["assignee"])
            else:
                await VERBS[step.verb](session, **common, **args)

        return act

    # -- the scheduler's ticks and PM work ----------------------------------------------------------

    def plan_ticks(self, first: date) -> None:
        """What the scheduler would have done: three ticks a day (PM, SLA watch, auto-close), and the
        meters read every Monday morning."""
        day = first
        while day <= self.timeline.today:
            for clock in ("06:30", "12:30", "17:30"):
                moment = datetime.combine(day, time.fromisoformat(clock), tzinfo=self.org.zone())
                self.later(moment.astimezone(self.now.tzinfo), self._tick)
            if day.weekday() == 0:
                moment = datetime.combine(day, time(7, 45), tzinfo=self.org.zone()).astimezone(self.now.tzinfo)
                self.later(moment, self._read_meters)
            day += timedelta(days=1)
        self.later(self.now, self._tick)

    async def _read_meters(self, session: AsyncSession, at: datetime) -> None:
        weeks = (at - self.timeline.at(HISTORY_WORKDAYS + 1, "07:00")).days // 7
        for tag, start, per_week in (("HQ-GEN-1", 1180.0, 11.5), ("HQ-AHU-1", 20400.0, 62.0)):
            value = start + weeks * per_week
            await meters.record(session, now=at, actor_id=SAM, asset_id=self.asset_ids[tag], meter="hours", value=value)
            self.readings += 1
        await pm_generation.check(session, org=self.org, now=at)  # as a reading from Slack does

    async def _tick(self, session: AsyncSession, at: datetime) -> None:
        made = await pm_generation.check(session, org=self.org, now=at)
        for work_order in made.created:
            self._plan_pm(work_order.id, work_order.team, at)
        await sla_watch.check(session, org=self.org, now=at)
        await lifecycle.close_unconfirmed(session, org=self.org, now=at)

    def _plan_pm(self, work_order_id: int, team: str, created: datetime) -> None:
        """A technician of the team does the PM work the next working day, ticking its checklist."""
        techs = self.org.team(team).technicians
        tech = techs[self.pm_turn % len(techs)]
        self.pm_turn += 1
        local = created.astimezone(self.org.zone())
        day = local.date() + timedelta(days=1 if local.time() >= time(12, 0) else 0)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime.combine(day, time(10, 0), tzinfo=self.org.zone()).astimezone(self.now.tzinfo)
        if start + timedelta(hours=1) > self.now - timedelta(hours=2):
            return  # recent PM work stays open
        self.later(start, self._pm_done(work_order_id, tech))

    def _pm_done(self, work_order_id: int, tech: str) -> Job:
        async def do(session: AsyncSession, at: datetime) -> None:
            common: dict[str, Any] = {"org": self.org, "work_order_id": work_order_id, "user_id": tech}
            await lifecycle.start(session, now=at, **common)
            work_order = await work_orders.get(session, work_order_id)
            for index, item in enumerate(work_order.checklist):
                marked: dict[str, Any] = {"result": "done"}
                if item.get("kind") == ChecklistKind.PASS_FAIL:
                    marked = {"result": "pass"}
                elif item.get("kind") == ChecklistKind.NUMBER:
                    low, high = item.get("min") or 0, item.get("max") or 100
                    marked = {"value": round(low + (high - low) * 0.6, 1)}
                moment = at + timedelta(minutes=5 * (index + 1))
                await checklists.mark(session, now=moment, seen_version=None, index=index, **common, **marked)
            done = at + timedelta(minutes=50)
            await lifecycle.complete(session, now=done, resolution="Done as planned.", minutes=45, **common)

        return do

    # -- what Slack is told -------------------------------------------------------------------------

    async def settle_outbox(self, session: AsyncSession) -> tuple[int, int]:
        """Mark every notice of the history delivered, then queue what people would still act on:
        (skipped, queued)."""
        skipped = 0
        while leased := await outbox.lease_due(session, now=self.now, limit=1000):
            for entry in leased:
                await outbox.finish(session, entry_id=entry.id, token=entry.token, failures=[], now=self.now)
            skipped += len(leased)
        live = (Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD, Status.COMPLETED)
        ids = await session.scalars(select(WorkOrder.id).where(WorkOrder.status.in_(live)).order_by(WorkOrder.number))
        queued = 0
        for work_order_id in list(ids):
            work_order = await work_orders.get(session, work_order_id)
            events = await work_orders.events_of(session, work_order_id)
            created = next(event for event in events if event.kind == EventKind.CREATED)
            told = [Change(work_order=work_order, events=(created,))]
            if work_order.status is Status.COMPLETED:
                done = [e for e in events if e.kind == EventKind.STATUS_CHANGED and e.to_status is Status.COMPLETED]
                told.append(Change(work_order=work_order, events=(done[-1],)))
            await outbox.work_order_changes(session, told)
            queued += len(told)
        pending = await session.scalars(
            select(ServiceRequest.id)
            .where(ServiceRequest.status == RequestStatus.PENDING_APPROVAL)
            .order_by(ServiceRequest.id)
        )
        for request_id in list(pending):
            outbox.request_awaiting_approval(session, request_id, now=self.now)
            queued += 1
        return skipped, queued


VERBS: dict[str, Callable[..., Awaitable[Any]]] = {
    "claim": assignment.claim,
    "start": lifecycle.start,
    "hold": lifecycle.hold,
    "resume": lifecycle.resume,
    "complete": lifecycle.complete,
    "confirm": lifecycle.confirm,
    "reopen": lifecycle.reopen,
    "cancel": lifecycle.cancel,
    "note": work_log.add_note,
    "time": work_log.log_time,
    "down": downtime.report_down,
}


def _needs_demo(org: Organisation) -> None:
    missing = [key for key in ("general", "plumbing", "hvac", "access", "network", "printing") if not org.category(key)]
    if missing or {team.key for team in org.teams} != {"facilities", "it"}:
        raise ValueError("seed() makes the demo organisation's data: start from demo_organisation()")


async def seed(db: Database, org: Organisation, *, now: datetime) -> SeedSummary:
    """Fill an empty database with the demo's registers and six weeks of history ending at `now`, through
    the services, in one transaction (all or nothing). Call it only on an empty database."""
    _needs_demo(org)
    seeder = _Seeder(org, now)
    start = seeder.timeline.at(HISTORY_WORKDAYS + 1, "07:00")
    seeder.later(start, seeder.registers)
    for story in [*_routine(seeder.timeline), *_stories()]:
        seeder.plan_story(story)
    seeder.plan_ticks(start.astimezone(org.zone()).date() + timedelta(days=1))
    async with db.unit_of_work() as session:
        await seeder.run(session)
        skipped, queued = await seeder.settle_outbox(session)
        return await _summary(session, seeder, skipped, queued)


async def _summary(session: AsyncSession, seeder: _Seeder, skipped: int, queued: int) -> SeedSummary:
    async def rows(model: Any, *where: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    statuses = await session.execute(select(WorkOrder.status, func.count()).group_by(WorkOrder.status))
    return SeedSummary(
        locations=await rows(Location),
        assets=await rows(Asset),
        meter_readings=seeder.readings,
        parts=await rows(Part),
        pm_schedules=await rows(PmSchedule),
        work_orders=await rows(WorkOrder),
        by_status={status.value: number for status, number in sorted(statuses.all())},
        pm_work_orders=await rows(WorkOrder, WorkOrder.type == WorkOrderType.PREVENTIVE),
        requests_pending=await rows(ServiceRequest, ServiceRequest.status == RequestStatus.PENDING_APPROVAL),
        downtime_periods=await rows(Downtime),
        assets_down=await rows(Asset, Asset.status == AssetStatus.DOWN),
        escalated=await rows(WorkOrder, WorkOrder.escalation_level >= 1),
        notices_skipped=skipped,
        notices_queued=queued,
    )
