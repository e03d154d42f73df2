"""A realistic sandbox state for the browser UI, made with Wrench's own Block Kit builders, and a stand-in for
the sandbox's HTTP contract that answers with it, so the UI can be built and tested without the backend.

    python -m tests.e2e.sandbox_ui_fixture            # rewrite bot/sandbox/static/dev/fixture_state.json
    python -m tests.e2e.sandbox_ui_fixture serve 18201 # serve the UI on 127.0.0.1:18201 with the fixture

The stand-in records every POST to /sandbox/api/<verb> in `app[POSTED]`; `state?user=` answers the fixture as
that person; /sandbox/api/events holds a server-sent events stream open.
"""

import asyncio
import copy
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from blocks import assets, card, digest, home, lists, messages, modals, pm
from models.enums import ChecklistKind, FieldType, Priority, Status
from models.schemas import CardContext, CustomField, Listing, TimerPress, TimerRead
from models.views import AssetCard, Dashboard, DigestData, PersonWorkload, PmDue, TeamKpis, TeamTotals
from tests.support.every_builder import Typed, request, schedule, work_order

STATIC = Path(__file__).resolve().parents[2] / "bot" / "sandbox" / "static"
FIXTURE = STATIC / "dev" / "fixture_state.json"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TEAM, GENERAL = "C0FACILITY", "C0GENERAL"
ANA, TOMAS, PRIYA, MORGAN = "U0STAFF", "U0TECH1", "U0TECH2", "U0MANAGER"
POSTED = web.AppKey("posted", list)
Row = tuple[int, str, Status, str | None, int]  # number, title, status, assignee, hours until due
FIXTURE_KEY = web.AppKey("fixture", dict)

PEOPLE = [
    {"id": ANA, "name": "Ana Ruiz", "initials": "AR", "title": "Requester"},
    {"id": TOMAS, "name": "Tomás Novak", "initials": "TN", "title": "Technician"},
    {"id": PRIYA, "name": "Priya Shah", "initials": "PS", "title": "Technician"},
    {"id": MORGAN, "name": "Morgan Lee", "initials": "ML", "title": "Facilities manager"},
]


def ts(moment: datetime, n: int = 0) -> str:
    return f"{int(moment.timestamp())}.{n:06d}"


def msg(user: str, at: datetime, text: str, blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    bot = user == "B0WRENCH"
    return {
        "ts": ts(at),
        "user": user,
        "bot": bot,
        "text": text,
        "blocks": blocks,
        "thread_ts": None,
        "reply_count": 0,
        "reactions": [],
        "files": [],
    } | extra


def typed(text: str) -> Typed:
    return Typed(text, longest=False)


def the_work_order() -> Any:
    return work_order(
        typed("x"),
        title="Kitchen tap leaking on floor 2",
        description="Water is pooling under the sink in the floor 2 kitchen; someone put a bucket under it.",
        status=Status.IN_PROGRESS,
        priority=Priority.HIGH,
        location="HQ / Floor 2 / Kitchen",
        created_at=NOW - timedelta(hours=3),
        response_due_at=NOW - timedelta(hours=2),
        resolution_due_at=NOW + timedelta(hours=5),
        first_response_at=NOW - timedelta(hours=2, minutes=30),
        attachments=[],
        source_link=None,
        hold_reason=None,
        status_note=None,
        escalation_level=0,
        escalated_at=None,
        acknowledged_by=None,
        sla_resolution="ongoing",
        checklist=[
            {"label": "Shut off the water supply", "kind": ChecklistKind.CHECK, "result": "done", "by": TOMAS},
            {"label": "Check the cartridge seal", "kind": ChecklistKind.PASS_FAIL},
            {"label": "Water pressure", "kind": ChecklistKind.NUMBER, "unit": "bar", "min": 1, "max": 6},
        ],
    )


def the_card() -> dict[str, Any]:
    context = CardContext(
        category="Plumbing",
        team="Facilities",
        asset="TAP-2K · Kitchen mixer tap",
        fields=(
            ("Floor", "2", FieldType.TEXT),
            ("Safe to use?", "No", FieldType.TEXT),
            ("Contact", ANA, FieldType.USER),
        ),
        timers=((TOMAS, NOW - timedelta(minutes=40)),),
    )
    return card.card(the_work_order(), context)


def listing(rows: list[Row], total: int) -> Listing:
    return Listing(
        rows=tuple(
            work_order(
                typed("x"),
                id=number,
                number=number,
                title=title,
                status=status,
                assignee_id=who,
                resolution_due_at=NOW + timedelta(hours=hours),
            )
            for number, title, status, who, hours in rows
        ),
        total=total,
    )


OVERDUE: list[Row] = [
    (1031, "Meeting room 4 projector flickers", Status.OPEN, None, -20),
    (1036, "Boiler pressure low", Status.ON_HOLD, TOMAS, -4),
]
MINE: list[Row] = [
    (1042, "Kitchen tap leaking on floor 2", Status.IN_PROGRESS, TOMAS, 5),
    (1044, "Replace filter in AHU-1", Status.OPEN, TOMAS, 30),
]


def kpis() -> list[TeamKpis]:
    return [
        TeamKpis(
            team="Facilities",
            days=7,
            as_of=NOW,
            rows=(
                ("Completed", "18"),
                ("Completed on time", "83 %"),
                ("First-time fix", "91 %"),
                ("Mean time to respond", "0.8 h"),
                ("Downtime", "6.5 h over 2 assets"),
            ),
            workload=(
                PersonWorkload(user_id=TOMAS, open=5, estimated_hours=7.5, without_estimate=1, overdue=1, completed=9),
                PersonWorkload(user_id=PRIYA, open=3, estimated_hours=4.0, without_estimate=0, overdue=0, completed=7),
            ),
        )
    ]


def the_home() -> dict[str, Any]:
    board = Dashboard(
        assigned=listing(MINE, 2),
        requested=Listing(),
        queue=listing(OVERDUE[:1], 1),
        overdue_assigned=0,
        overdue_queue=1,
        pending_approvals=(request(typed("x"), id=12, title="Spare key for the bike shed", location="HQ / Yard"),),
        teams=(TeamTotals(team="Facilities", open=7, in_progress=2, on_hold=1, unclaimed=2, overdue=2),),
        morning_dm=True,
    )
    view = home.home(board, category_names={"keys": "Keys and locks"}, expanded=False, kpis=kpis())
    return {"id": "VHOME0001", "hash": "h1", **view}


def the_digest() -> dict[str, Any]:
    data = DigestData(
        team="Facilities",
        local_date=NOW.date(),
        open=7,
        new_24h=3,
        completed_24h=4,
        overdue=listing(OVERDUE, 2),
        unassigned=listing(OVERDUE[:1], 1),
        aging=(("under a day", 3), ("1 to 7 days", 3), ("over 4 weeks", 1)),
        on_hold=(("Waiting for parts", 1),),
        top_assets=(("AHU-1 · Roof air handler", 2), ("BLR-1 · Boiler", 1)),
        pm_due=(PmDue(schedule="PM-3 · Monthly AHU filter check", due_on=date(2026, 12, 9), asset="AHU-1"),),
        pm_due_total=1,
        overdue_holders=((TOMAS, 1),),
    )
    return digest.digest(data)


def the_asset_card() -> dict[str, Any]:
    done = work_order(
        typed("x"),
        number=1017,
        title="Belt squealing",
        status=Status.COMPLETED,
        completed_at=NOW - timedelta(days=12),
        completed_by=PRIYA,
        resolution="Replaced the drive belt",
    )
    data = AssetCard(
        id=3,
        tag="AHU-1",
        name="Roof air handler",
        category="HVAC",
        location="HQ / Roof",
        manufacturer="Aircon Works",
        model="AW-400",
        serial="AW4-22871",
        installed_on=date(2019, 5, 14),
        criticality="high",
        status="down",
        down_since=NOW - timedelta(hours=5),
        down_reason="Fan motor tripped",
        meters=(("Run hours", 15220.0, NOW - timedelta(days=1)),),
        open_work=listing(MINE[1:], 1),
        recent=(done,),
        year=2026,
        schedules=(PmDue(schedule="PM-3 · Monthly AHU filter check", due_on=date(2026, 12, 9)),),
    )
    return assets.asset_card(data)


def the_request_modal() -> dict[str, Any]:
    fields = [
        CustomField(key="floor", label="Floor", type=FieldType.SELECT, options=("Ground", "1", "2", "3")),
        CustomField(key="safe", label="Safe to use?", type=FieldType.CHECKBOX),
        CustomField(key="reading", label="Meter reading", type=FieldType.NUMBER, min=0, max=99999),
        CustomField(key="noticed", label="First noticed", type=FieldType.DATE),
        CustomField(key="contact", label="Contact", type=FieldType.USER),
        CustomField(key="serial", label="Serial number", help="On the sticker under the unit"),
    ]
    draft = modals.RequestDraft(title="Kitchen tap leaking", category="plumbing")
    view = modals.request_modal(
        categories=[("plumbing", "Plumbing"), ("hvac", "Heating and cooling"), ("keys", "Keys and locks")],
        fields=fields,
        draft=draft,
    )
    return {"id": "VMODAL0001", "hash": "m1", **view}


def gallery() -> list[dict[str, Any]]:
    """The blocks and elements Wrench's builders do not send today, so the renderer is seen to handle them."""
    dot = (
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='120' height='60'%3E"
        "%3Crect width='120' height='60' fill='%232f7d6d'/%3E%3C/svg%3E"
    )

    def option(text: str, value: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": text}, "value": value}

    return [
        {
            "type": "image",
            "image_url": dot,
            "alt_text": "A green rectangle",
            "title": {"type": "plain_text", "text": "Chart"},
        },
        {
            "type": "context",
            "elements": [
                {"type": "image", "image_url": dot, "alt_text": "dot"},
                {"type": "plain_text", "text": "Plain context text"},
            ],
        },
        {
            "type": "actions",
            "block_id": "gallery",
            "elements": [
                {"type": "radio_buttons", "action_id": "g_radio", "options": [option("Yes", "y"), option("No", "n")]},
                {"type": "checkboxes", "action_id": "g_check", "options": [option("Urgent", "u")]},
                {"type": "timepicker", "action_id": "g_time", "initial_time": "09:30"},
                {"type": "datepicker", "action_id": "g_date", "initial_date": "2026-12-08"},
                {
                    "type": "multi_static_select",
                    "action_id": "g_multi",
                    "options": [option("A", "a"), option("B", "b")],
                },
                {"type": "multi_users_select", "action_id": "g_people"},
                {
                    "type": "button",
                    "action_id": "g_danger",
                    "style": "danger",
                    "text": {"type": "plain_text", "text": "Delete"},
                    "value": "del",
                    "confirm": {
                        "title": {"type": "plain_text", "text": "Delete it?"},
                        "text": {"type": "mrkdwn", "text": "This *cannot* be undone."},
                        "confirm": {"type": "plain_text", "text": "Delete"},
                        "deny": {"type": "plain_text", "text": "Keep"},
                        "style": "danger",
                    },
                },
            ],
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "An image accessory"},
            "accessory": {"type": "image", "image_url": dot, "alt_text": "dot"},
        },
    ]


def build_state() -> dict[str, Any]:
    card_ts = NOW - timedelta(hours=3)
    press = TimerPress(
        timer=TimerRead(id=4, work_order_id=7, user_id=TOMAS, started_at=NOW - timedelta(minutes=40)),
        ref="WO-1042",
        minutes=40,
    )
    wo = the_work_order()
    link = f"https://sandbox.local/archives/{TEAM}/p{ts(card_ts).replace('.', '')}"
    the_card_message = msg("B0WRENCH", card_ts, the_card()["text"], the_card()["blocks"], reply_count=3)
    channel = [
        msg(
            ANA,
            card_ts - timedelta(minutes=2),
            "The tap in the *floor 2 kitchen* is leaking again :warning:",
            reactions=[{"name": "ticket", "count": 1, "mine": False}],
        ),
        the_card_message,
        msg("B0WRENCH", NOW - timedelta(hours=1), the_asset_card()["text"], the_asset_card()["blocks"]),
        msg(
            MORGAN,
            NOW - timedelta(minutes=30),
            "<!here> the roof unit is down, <@U0TECH2> can you look? "
            "Details in <https://example.com/ahu-1|the manual> and <#C0GENERAL>.",
        ),
        msg(
            "B0WRENCH",
            NOW - timedelta(minutes=1),
            the_digest()["text"],
            the_digest()["blocks"],
            files=[{"name": "backlog.png", "url": "/static/dev/chart.svg"}],
        ),
    ]
    thread = [
        msg(TOMAS, card_ts + timedelta(minutes=20), messages.claimed_dm(wo, permalink=None)),
        msg("B0WRENCH", card_ts + timedelta(minutes=21), ":arrow_forward: <@U0TECH1> started the work"),
        msg(TOMAS, card_ts + timedelta(minutes=40), "Seal is worn, fetching a new cartridge from the store"),
    ]
    for reply in thread:
        reply["thread_ts"] = the_card_message["ts"]
    dm = [
        msg("B0WRENCH", card_ts + timedelta(minutes=1), messages.filed_dm(wo, team_name="Facilities", permalink=link)),
        msg("B0WRENCH", card_ts + timedelta(minutes=20), messages.claimed_dm(wo, permalink=link)),
    ]
    timer = messages.timer_running(press, too_long=False)
    results = lists.results("Open work in Facilities", listing(OVERDUE + MINE, 4), empty="Nothing found.")
    plans = pm.pm_list(
        (schedule(typed("x"), id=3, title="Monthly AHU filter check"),),
        1,
        title="PM schedules",
        describe={3: "every month · AHU-1"},
        can_plan=True,
    )
    return {
        "me": TOMAS,
        "now": NOW.isoformat(),
        "sandbox": True,
        "people": PEOPLE,
        "conversations": [
            {"id": TEAM, "name": "facilities", "kind": "channel", "unread": 2},
            {"id": GENERAL, "name": "general", "kind": "channel", "unread": 0},
            {"id": "CGALLERY", "name": "block-kit-gallery", "kind": "channel", "unread": 0},
            {"id": "D0TECH1", "name": "Wrench", "kind": "dm", "unread": 1},
        ],
        "messages": {
            TEAM: channel,
            GENERAL: [msg(ANA, NOW - timedelta(days=1), "Morning all! Coffee machine is fixed :tada:")],
            "CGALLERY": [
                msg("B0WRENCH", NOW - timedelta(minutes=5), "More Block Kit", gallery()),
                msg("B0WRENCH", NOW - timedelta(minutes=4), plans["text"], plans["blocks"]),
            ],
            "D0TECH1": [*dm, msg("B0WRENCH", NOW - timedelta(minutes=2), timer["text"], timer["blocks"])],
        },
        "threads": {f"{TEAM}:{the_card_message['ts']}": thread},
        "ephemeral": [
            {
                "id": "E0001",
                "channel": TEAM,
                "text": results["text"],
                "blocks": results["blocks"],
                "at": (NOW - timedelta(seconds=30)).isoformat(),
            },
        ],
        "home": {"view": the_home()},
        "modals": [
            {"view_id": "VMODAL0001", "view": the_request_modal(), "errors": {"title": "Say what needs fixing"}}
        ],
        "calls": [
            {"method": "auth.test", "ok": True, "error": None, "violations": []},
            {"method": "chat.postMessage", "ok": True, "error": None, "violations": []},
            {"method": "views.publish", "ok": True, "error": None, "violations": []},
            {
                "method": "chat.update",
                "ok": False,
                "error": "invalid_blocks",
                "violations": ["blocks[3].text.text: longer than 3000 characters"],
            },
            {"method": "views.open", "ok": True, "error": None, "violations": []},
        ],
        "commands": [
            {"command": "/request", "description": "File a maintenance request", "usage_hint": "[what needs fixing]"},
            {
                "command": "/wo",
                "description": "Find work orders, plan preventive maintenance, enter meter readings",
                "usage_hint": "42 | mine | open [team] | search TEXT | asset TAG | pm | meter TAG VALUE",
            },
        ],
        "shortcuts": [
            {"callback_id": "create_work_order", "name": "Create work order", "type": "message"},
            {"callback_id": "new_request", "name": "New work request", "type": "global"},
        ],
    }


CHART = """<svg xmlns="http://www.w3.org/2000/svg" width="480" height="200" viewBox="0 0 480 200">
<rect width="480" height="200" fill="#fff"/>
<text x="16" y="24" font-family="sans-serif" font-size="14">Backlog, 14 days</text>
<polyline fill="none" stroke="#2f7d6d" stroke-width="3" points="20,150 60,140 100,120 140,130 180,110 220,100 260,115
300,90 340,95 380,80 420,85 460,70"/></svg>
"""


async def state(request: web.Request) -> web.Response:
    found = copy.deepcopy(request.app[FIXTURE_KEY])
    found["me"] = request.query.get("user") or found["me"]
    return web.json_response(found)


async def events(request: web.Request) -> web.StreamResponse:
    stream = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await stream.prepare(request)
    await stream.write(b": connected\n\n")
    try:
        while True:
            await asyncio.sleep(15)
            await stream.write(b": keep-alive\n\n")
    except (asyncio.CancelledError, ConnectionResetError):
        pass
    return stream


async def verb(request: web.Request) -> web.Response:
    body = await request.json()
    name = request.match_info["verb"]
    request.app[POSTED].append({"verb": name, **body})
    if name == "options":
        query = str(body.get("value") or "").lower()
        places = ["HQ / Floor 2 / Kitchen", "HQ / Roof", "HQ / Yard", "Depot / Workshop"]
        found = [
            {"text": {"type": "plain_text", "text": place}, "value": f"loc:{i}"}
            for i, place in enumerate(places)
            if query in place.lower()
        ]
        return web.json_response({"ok": True, "options": found})
    if name in ("view_close", "view_submit"):
        modals = request.app[FIXTURE_KEY]["modals"]
        values = body.get("state", {}).get("values", {})
        if name == "view_submit" and not (values.get("title", {}).get("value", {}).get("value") or "").strip():
            return web.json_response({"ok": True, "errors": {"title": "Say what needs fixing"}})
        modals[:] = [m for m in modals if m["view_id"] != body.get("view_id")]
    if name == "clock":
        return web.json_response({"ok": False, "error": "Wrench did not answer in time (Slack waits 3 s)"})
    return web.json_response({"ok": True})


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def app(fixture: dict[str, Any] | None = None) -> web.Application:
    served = web.Application()
    served[POSTED] = []
    served[FIXTURE_KEY] = fixture if fixture is not None else json.loads(FIXTURE.read_text())
    served.router.add_get("/", index)
    served.router.add_static("/static/", STATIC)
    served.router.add_get("/sandbox/api/state", state)
    served.router.add_get("/sandbox/api/events", events)
    served.router.add_post("/sandbox/api/{verb}", verb)
    return served


def main(argv: list[str]) -> None:
    if argv[:1] == ["serve"]:
        port = int(argv[1]) if len(argv) > 1 else 18201
        web.run_app(app(build_state()), host="127.0.0.1", port=port, shutdown_timeout=1)
        return
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(build_state(), indent=1, ensure_ascii=False) + "\n")
    (FIXTURE.parent / "chart.svg").write_text(CHART)
    print(f"wrote {FIXTURE}")


if __name__ == "__main__":
    main(sys.argv[1:])
