"""Everyday work over the demo's history, from a seeded random generator (the same every time)."""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.sandbox.demo.organisation import HISTORY_WORKDAYS, JO, LIN, MATEO, OMAR, REQUESTERS, SAM
from bot.sandbox.demo.timeline import Story, Timeline, s

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


def routine_stories(timeline: Timeline) -> list[Story]:
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
