"""Downtime and recurring failures end to end: work filed, reported down, worked and completed through
signed Slack payloads on a clock moved by hand, then the figures read back from `GET /kpis` and from
`wrench report --csv` (a real process, whose "now" is the wall clock: the test's clock starts five days
before it and all the work is in the past), the digest naming the failures that became recurring since
the previous one, and `/wo asset` saying the asset keeps failing."""

import csv
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from blocks.ids import Action
from models.db import Database
from scheduler import jobs
from services.inventory import places
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.e2e.flow import open_request_modal, posted_cards, request_values
from tests.e2e.test_downtime import open_form
from tests.support import slack_requests as sr
from tests.support.api import api_client
from tests.support.bot import BotClient
from tests.support.fake_slack import Call, FakeSlack
from tests.support.org import CONFIG, STAFF, TECH_1
from tests.support.process import wrench_env, wrench_in_process

DIGEST_CHANNEL = "C0DIGEST"
START = (datetime.now(UTC) - timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def org() -> Organisation:
    """A digest every day at midnight (the catch-up run at start posts the first one), three failures in
    30 days make a recurring one."""
    every_day = "[mon, tue, wed, thu, fri, sat, sun]"
    return parse_organisation(
        CONFIG
        + f"digests:\n  - {{team: facilities, at: '00:00', weekdays: {every_day}, channel: {DIGEST_CHANNEL}}}\n"
        + "recurring:\n  threshold: 3\n  window_days: 30\n"
    )


async def file_on_asset(bot: BotClient, asset_id: int, title: str) -> Call:
    """File a plumbing request about the asset; returns its card (not a line in an earlier card's thread)."""
    await bot.settled()
    before = len(posted_cards(bot))
    view = await open_request_modal(bot)
    values = request_values(title=title) | {"asset": sr.select_value(f"asset:{asset_id}", kind="external_select")}
    assert await bot.submit(view, values, user_id=STAFF) == (200, None)
    await bot.fake.wait_for(lambda: len(posted_cards(bot)) > before)
    return posted_cards(bot)[before]


async def report_down(bot: BotClient, card: Call, reason: str) -> None:
    form = await open_form(bot, card, Action.MANAGE, type="overflow", option="asset_down")
    assert await bot.submit(form, {"reason": sr.text_value(reason)}, user_id=TECH_1) == (200, None)


async def complete(bot: BotClient, card: Call, resolution: str, cause: str = "") -> None:
    form = await open_form(bot, card, Action.COMPLETE)
    values = {"resolution": sr.text_value(resolution), "cause": sr.text_value(cause or None)}
    assert await bot.submit(form, values, user_id=TECH_1) == (200, None)
    await bot.settled()


def stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


async def test_downtime_and_recurring_failures_in_the_api_the_report_the_digest_and_the_asset_card(
    bot: BotClient, db: Database, clock: FrozenClock, database_url: str, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    first_digest = (await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL))[0]
    assert "Newly recurring" not in str(first_digest.params)
    pump = await db.run(
        partial(places.add_asset, tag="PMP-1", name="Sump pump", location="HQ / Plant room", now=clock())
    )
    compressor = await db.run(partial(places.add_asset, tag="CMP-1", name="Compressor", location=None, now=clock()))

    # WO-1: PMP-1 down from START for 3 h
    one = await file_on_asset(bot, pump, "Pump leaking")
    await report_down(bot, one, "Seal failed")
    clock.advance(hours=3)
    await complete(bot, one, "Replaced the seal", "Worn seal")
    # WO-2: an hour later, PMP-1 down again for 5 h
    clock.advance(hours=1)
    two = await file_on_asset(bot, pump, "Pump leaking again")
    await report_down(bot, two, "Seal failed again")
    clock.advance(hours=5)
    await complete(bot, two, "Replaced the seal and the shaft sleeve", "Scored sleeve")
    # WO-3: CMP-1 down from START + 9 h and still down
    three = await file_on_asset(bot, compressor, "Compressor stopped")
    await report_down(bot, three, "No air")
    compressor_down = clock()
    # WO-4: PMP-1's third corrective work order, two hours later, completed with no cause
    clock.advance(hours=2)
    four = await file_on_asset(bot, pump, "Pump noisy")
    clock.advance(hours=1)
    await complete(bot, four, "Tightened the mounting bolts")
    clock.advance(hours=1)
    now = clock()  # START + 13 h; CMP-1 down for 4 h by now

    # the REST API, over the last 7 days: PMP-1 3 + 5 = 8 h in 2 events, CMP-1 4 h in 1 → 12 h in 3 events
    api = await api_client(bot)
    answer = await api.get("/kpis", team="facilities", days=7)
    assert answer.status == 200, answer.body
    assert answer.body["downtime"] == {
        "hours": 12.0,
        "events": 3,
        "longest_hours": 5.0,
        "longest_asset_tag": "PMP-1",
        "by_asset": {"PMP-1": 8.0, "CMP-1": 4.0},
        "by_location": {"HQ": 8.0, "HQ / Plant room": 8.0, "(no location)": 4.0},
        "down_now": [{"asset_tag": "CMP-1", "since": _iso(compressor_down)}],
    }
    # PMP-1, HQ / Plant room and Plumbing have 3 (WO-1, 2, 4); Plumbing has WO-3 too: 4
    fixes = [
        (4, START + timedelta(hours=12), "Tightened the mounting bolts", ""),
        (2, START + timedelta(hours=9), "Replaced the seal and the shaft sleeve", "Scored sleeve"),
        (1, START + timedelta(hours=3), "Replaced the seal", "Worn seal"),
    ]
    recurring = [(r["kind"], r["name"], r["work_orders"]) for r in answer.body["recurring"]]
    assert recurring == [("category", "Plumbing", 4), ("asset", "PMP-1", 3), ("location", "HQ / Plant room", 3)]
    assert answer.body["recurring"][1]["last"] == [
        {"work_order": number, "completed_at": _iso(at), "resolution": resolution, "cause": cause}
        for number, at, resolution, cause in fixes
    ]

    # the next digest (a day after the first) names what became recurring since the first
    clock.advance(hours=11)  # START + 1 day
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    digest = bot.fake.find("chat.postMessage", channel=DIGEST_CHANNEL)[-1].params
    section = next(
        b["text"]["text"] for b in digest["blocks"] if "Newly recurring" in b.get("text", {}).get("text", "")
    )
    assert section.splitlines() == [
        "*:repeat: Newly recurring failures* (3)",
        f"• Category *Plumbing*: 4 corrective work orders in 30 days · last: *WO-4* {now:%d %b} · Tightened the "
        "mounting bolts",
        f"• Asset *PMP-1*: 3 corrective work orders in 30 days · last: *WO-4* {now:%d %b} · Tightened the "
        "mounting bolts",
        f"• Location *HQ / Plant room*: 3 corrective work orders in 30 days · last: *WO-4* {now:%d %b} · "
        "Tightened the mounting bolts",
    ]
    # and the one after names none: nothing new reached the threshold
    clock.advance(days=1)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    assert "Newly recurring" not in str(bot.fake.find("chat.postMessage", channel=DIGEST_CHANNEL)[-1].params)

    # the asset card says PMP-1 keeps failing, with its last resolutions and causes
    _, key = await bot.command("/wo", "asset PMP-1", user_id=TECH_1)
    shown = (await bot.replies_to(key))[0]
    card = next(b["text"]["text"] for b in shown["blocks"] if "Recurring failure" in b.get("text", {}).get("text", ""))
    day = f"{now:%d %b}"
    assert card.splitlines() == [
        ":repeat: *Recurring failure*: 3 corrective work orders in the last 30 days",
        f"• *WO-4* {day} · Tightened the mounting bolts",
        f"• *WO-2* {day} · Replaced the seal and the shaft sleeve (cause: Scored sleeve)",
        f"• *WO-1* {day} · Replaced the seal (cause: Worn seal)",
    ]
    _, key = await bot.command("/wo", "asset CMP-1", user_id=TECH_1)
    assert "Recurring failure" not in str((await bot.replies_to(key))[0]["blocks"])

    # `wrench report --csv`: its now is the wall clock, CMP-1 is still down, so its hours keep growing
    env = wrench_env(tmp_path, database_url, fake_slack, config_text=CONFIG + "recurring: {window_days: 30}\n")
    out = tmp_path / "kpis.csv"
    code, output = await wrench_in_process("report", "--team", "facilities", "--days", "7", "--csv", str(out), env=env)
    assert code == 0, output
    with out.open(newline="", encoding="utf-8") as read:
        rows = dict(csv.reader(read))
    assert rows["Downtime"].endswith(" h in 3 events")
    assert rows["Assets down now"] == f"CMP-1 since {stamp(compressor_down)}"
    assert rows["Downtime, longest event"].endswith("h (CMP-1)")  # down for days by the wall clock
    assert rows["PMP-1: downtime"] == "8.0 h"
    assert rows["Location HQ: downtime"] == "8.0 h" and rows["Location HQ / Plant room: downtime"] == "8.0 h"
    assert rows["Recurring failures"] == "3 (1 asset, 1 location, 1 category)"
    assert rows["Recurring, asset PMP-1"] == (
        f"3 corrective work orders; last: WO-4 {now:%Y-%m-%d}: Tightened the mounting bolts; "
        f"WO-2 {now:%Y-%m-%d}: Replaced the seal and the shaft sleeve (cause: Scored sleeve); "
        f"WO-1 {now:%Y-%m-%d}: Replaced the seal (cause: Worn seal)"
    )
    assert "Downtime" in output and "Recurring, category Plumbing" in output


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
