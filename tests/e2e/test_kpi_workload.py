"""Workload per person, end to end: work filed, claimed, started and completed through Slack, then read back
from the REST API, `wrench report --csv`, a manager's Home tab and the daily digest."""

import csv
import json
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from blocks.ids import Action
from models.enums import Repeat
from scheduler import jobs
from services.maintenance import pm_schedules
from services.maintenance.pm_schedules import ScheduleInput
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.e2e.flow import click_card, file_request, open_card_form, posted_cards
from tests.e2e.test_app_home import open_home
from tests.support import slack_requests as sr
from tests.support.api import api_client
from tests.support.bot import BotClient
from tests.support.fake_slack import Call, FakeSlack
from tests.support.org import CONFIG, MANAGER, TECH_1, TECH_2
from tests.support.process import wrench_env, wrench_in_process

DIGEST_CHANNEL = "C0DIGEST"
EVERY_DAY = "[mon, tue, wed, thu, fri, sat, sun]"


@pytest.fixture
def clock() -> FrozenClock:
    """Five days ago: `wrench report` counts up to the real now, so all the work here is in the past."""
    return FrozenClock(datetime.now(UTC) - timedelta(days=5))


@pytest.fixture
def org() -> Organisation:
    """The test organisation with a digest of the facilities team every day just after midnight."""
    digest = f"digests:\n  - {{team: facilities, at: '00:00', channel: {DIGEST_CHANNEL}, weekdays: {EVERY_DAY}}}\n"
    return parse_organisation(CONFIG + digest)


async def complete(bot: BotClient, card: Call, user_id: str) -> None:
    form = await open_card_form(bot, card, Action.COMPLETE, user_id)
    assert await bot.submit(form, {"resolution": sr.text_value("Fixed")}, user_id=user_id) == (200, None)


async def pm_card(bot: BotClient, clock: FrozenClock, *, estimated_minutes: int) -> Call:
    """A preventive work order with an estimate, due at the end of the day after tomorrow (local)."""
    deps = bot.running.deps
    due = clock().astimezone(deps.org.zone()).date() + timedelta(days=2)
    data = ScheduleInput(
        title="Service the boiler",
        team="facilities",
        starts_on=due,
        lead_days=7,
        repeat=Repeat.MONTHS,
        estimated_minutes=estimated_minutes,
    )
    await deps.db.run(partial(pm_schedules.create, org=deps.org, now=clock(), user_id=MANAGER, data=data))
    before = len(posted_cards(bot))
    assert await jobs.generate_pm(deps) == 1
    await bot.settled()
    await bot.fake.wait_for(lambda: len(posted_cards(bot)) > before)
    return posted_cards(bot)[before]


def workload_section(view: str) -> str:
    """The Workload section's text on a published Home tab."""
    blocks = json.loads(view)["blocks"]
    return next(b["text"]["text"] for b in blocks if b.get("text", {}).get("text", "").startswith("*Workload*"))


async def digest_now(bot: BotClient) -> str:
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    return json.dumps(
        bot.fake.find("chat.postMessage", channel=DIGEST_CHANNEL)[-1].params["blocks"], ensure_ascii=False
    )


async def test_workload_per_person_in_the_api_the_report_the_home_tab_and_the_digest(
    bot: BotClient, clock: FrozenClock, tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    urgent = await file_request(bot, title="Gas smell", priority="urgent")  # resolve within 4 h
    await click_card(bot, urgent, Action.CLAIM, TECH_1)
    boiler = await pm_card(bot, clock, estimated_minutes=90)
    await click_card(bot, boiler, Action.CLAIM, TECH_1)
    await click_card(bot, boiler, Action.START, TECH_1)
    fuse = await file_request(bot, title="Fuse blown", priority="high")
    await click_card(bot, fuse, Action.CLAIM, TECH_1)
    await complete(bot, fuse, TECH_1)
    tap = await file_request(bot, title="Dripping tap")  # medium: resolve within 3 days
    await click_card(bot, tap, Action.CLAIM, TECH_2)
    await complete(bot, tap, TECH_2)
    door = await file_request(bot, title="Door sticks")
    await click_card(bot, door, Action.CLAIM, TECH_2)
    lamp = await file_request(bot, title="Lamp out")
    await click_card(bot, lamp, Action.CLAIM, MANAGER)  # a manager holding work is listed too
    await file_request(bot, title="Window latch")  # unclaimed: nobody's workload
    await bot.settled()

    # a day on: the urgent job is past due; the PM (due the day after tomorrow) and the 3-day jobs are not
    clock.advance(days=1)
    api = await api_client(bot)
    kpis = await api.get("/kpis", team="facilities", days=7)
    assert kpis.status == 200, kpis.body
    assert kpis.body["workload"] == [
        # holds the urgent job (no estimate, overdue) and the PM (90 min); completed the fuse
        {"user_id": TECH_1, "open": 2, "estimated_hours": 1.5, "without_estimate": 1, "overdue": 1, "completed": 1},
        {"user_id": MANAGER, "open": 1, "estimated_hours": 0.0, "without_estimate": 1, "overdue": 0, "completed": 0},
        {"user_id": TECH_2, "open": 1, "estimated_hours": 0.0, "without_estimate": 1, "overdue": 0, "completed": 1},
    ]
    assert "*Holding overdue work* <@U0TECH1> (1)" in await digest_now(bot)

    # now (a minute ago): everything held is past due
    clock.now = datetime.now(UTC) - timedelta(minutes=1)
    kpis = await api.get("/kpis", team="facilities", days=7)
    assert [(p["user_id"], p["open"], p["overdue"], p["completed"]) for p in kpis.body["workload"]] == [
        (TECH_1, 2, 2, 1),
        (MANAGER, 1, 1, 0),
        (TECH_2, 1, 1, 1),
    ]
    assert "*Holding overdue work* <@U0TECH1> (2) · <@U0MANAGER> (1) · <@U0TECH2> (1)" in await digest_now(bot)

    home = await open_home(bot, MANAGER)
    assert workload_section(home).splitlines() == [
        "*Workload* · open work now, completed in the last 7 days",
        "<@U0TECH1> — 2 open (1.5 h est., 1 without estimate, 2 overdue) · 1 completed in 7 days",
        "<@U0MANAGER> — 1 open (0.0 h est., 1 without estimate, 1 overdue) · 0 completed in 7 days",
        "<@U0TECH2> — 1 open (0.0 h est., 1 without estimate, 1 overdue) · 1 completed in 7 days",
    ]
    assert "Workload, U0TECH1" not in home  # shown with mentions, not as a figure among the KPIs

    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    out = tmp_path / "kpis.csv"
    code, output = await wrench_in_process("report", "--team", "facilities", "--days", "7", "--csv", str(out), env=env)
    assert code == 0, output
    assert "Workload, U0MANAGER" in output
    rows = [row for row in csv.reader(out.open()) if row[0].startswith("Workload")]
    assert rows == [
        [
            "Workload, U0TECH1",
            "2 open (1.5 h estimated, 1 without an estimate, 2 overdue); 1 completed in the last 7 days",
        ],
        [
            "Workload, U0MANAGER",
            "1 open (0.0 h estimated, 1 without an estimate, 1 overdue); 0 completed in the last 7 days",
        ],
        [
            "Workload, U0TECH2",
            "1 open (0.0 h estimated, 1 without an estimate, 1 overdue); 1 completed in the last 7 days",
        ],
    ]
