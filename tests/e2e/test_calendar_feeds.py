"""Calendar feeds as people reach them: `/wo calendar link` in Slack (signed payloads), the address
fetched over HTTP by a calendar app and read by the `icalendar` library, revoked from Slack; `/wo pm
calendar` listing two weeks with a public holiday; and `wrench calendar` from the command line."""

import re
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import aiohttp
import icalendar

from blocks.ids import Action
from models.db import Database
from models.enums import NonWorking
from services.maintenance import pm_schedules
from services.maintenance.pm_schedules import ScheduleInput
from services.organisation.config_file import parse_organisation
from tests.conftest import FrozenClock
from tests.e2e.flow import click_card, file_request
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import FakeSlack
from tests.support.org import CONFIG, MANAGER, STAFF, TECH_1
from tests.support.process import running_wrench, wrench, wrench_env, wrench_in_process

ADDRESS = re.compile(r"(https?://[^\s`]+)?(/calendar/cal_[a-z0-9]{8}_[A-Za-z0-9_-]{43}\.ics)")
ENGLAND = (
    CONFIG.replace(
        "    technicians: [U0TECH1, U0TECH2]\n",
        "    technicians: [U0TECH1, U0TECH2]\n"
        "    business_hours: {start: '08:00', end: '18:00', holidays: {country: GB, subdivision: ENG}}\n",
        1,
    )
    + "portal:\n  public_url: https://wrench.example.com\n"
)


async def ask(bot: BotClient, text: str, user_id: str) -> dict:
    _, key = await bot.command("/wo", text, user_id=user_id)
    return (await bot.replies_to(key))[0]


def address_in(reply: dict) -> str:
    found = ADDRESS.search(reply["blocks"][0]["text"]["text"])
    assert found, reply
    return found.group(2)


async def fetch(bot: BotClient, path: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http, http.get(f"{bot.url}{path}") as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def test_a_person_subscribes_to_their_own_work_and_revokes_it(bot: BotClient) -> None:
    leak = await file_request(bot, title="Leaking pipe, room 204")
    await file_request(bot, title="Broken blind")
    made = await ask(bot, "calendar link", TECH_1)
    text = made["blocks"][0]["text"]["text"]
    path = address_in(made)
    assert "Shown this once" in text and "portal.public_url" in text  # not set: the path alone
    status, kind, body = await fetch(bot, path)
    assert status == 200 and kind.startswith("text/calendar"), (status, body)
    assert icalendar.Calendar.from_ical(body).walk("VEVENT") == []  # nothing assigned to them yet

    await click_card(bot, leak, Action.CLAIM, TECH_1)
    await bot.fake.wait_calls("chat.update", 1)
    [event] = icalendar.Calendar.from_ical((await fetch(bot, path))[2]).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Due: WO-1 · Leaking pipe, room 204"
    assert isinstance(event.decoded("DTSTART"), datetime)

    listed = await ask(bot, "calendar", TECH_1)
    prefix = path.split("/")[-1][:12]
    assert prefix in str(listed["blocks"])
    assert path.split("/")[-1] not in str(listed["blocks"])  # the secret is never shown again
    newer = address_in(await ask(bot, "calendar link", TECH_1))
    assert (await fetch(bot, path))[0] == 404  # a new personal address replaces the old one
    assert (await fetch(bot, newer))[0] == 200
    refused = await ask(bot, f"calendar revoke {newer.split('/')[-1][:12]}", STAFF)
    assert "that you can revoke" in refused["text"]
    done = await ask(bot, f"calendar revoke {newer.split('/')[-1][:12]}", TECH_1)
    assert done["text"].startswith("Revoked cal_")
    status, _, body = await fetch(bot, newer)
    assert status == 404 and "revoked" in body
    assert (await fetch(bot, "/calendar/cal_nope.ics"))[0] == 404


async def test_a_team_calendar_shows_the_pm_plan_with_holidays_moved(
    database_url: str, fake_slack: FakeSlack, db: Database, clock: FrozenClock
) -> None:
    org = parse_organisation(ENGLAND)
    clock.now = datetime(2027, 3, 22, 9, tzinfo=UTC)  # a Monday; Easter Monday is the 29th
    data = ScheduleInput(
        title="Check the boiler",
        team="facilities",
        starts_on=clock().date(),
        repeat="weeks",
        non_working=NonWorking.NEXT_WORKING_DAY,
    )
    async with started_bot(database_url, fake_slack, org, clock=clock) as bot:
        await db.run(partial(pm_schedules.create, org=org, now=clock(), user_id=MANAGER, data=data))
        refused = await ask(bot, "calendar link facilities", TECH_1)
        assert refused["text"] == "Only the team's managers (and admins) can make its calendar address."
        made = await ask(bot, "calendar link facilities", MANAGER)
        found = ADDRESS.search(made["blocks"][0]["text"]["text"])
        assert found and found.group(1) == "https://wrench.example.com"
        status, _, body = await fetch(bot, found.group(2))
        assert status == 200
        parsed = icalendar.Calendar.from_ical(body)
        days = [event.decoded("DTSTART") for event in parsed.walk("VEVENT")]
        assert days[:3] == [date(2027, 3, 22), date(2027, 3, 30), date(2027, 4, 5)]
        assert date(2027, 3, 29) not in days and len(days) == 13  # 90 days of Mondays, one moved

        listed = await ask(bot, "pm calendar", MANAGER)
        shown = "\n".join(b["text"]["text"] for b in listed["blocks"] if b["type"] == "section")
        assert "*Mon 29 Mar* · _Easter Monday (holiday)_" in shown
        assert "*Tue 30 Mar*\n• PM-1 · Check the boiler" in shown
        assert "*Fri 26 Mar* · _Good Friday (holiday)_" in shown
        assert "*Wed 24 Mar*" not in shown  # a day with nothing on it is left out


async def test_the_command_line_makes_lists_and_revokes_addresses(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    if not database_url.startswith("sqlite"):
        assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
    code, output = await wrench("calendar", "create", "--team", "facilities", env=env)
    assert code == 0, output
    found = ADDRESS.search(output)
    assert found
    code, output = await wrench_in_process("calendar", "create", "--team", "plumbers", env=env)
    assert code == 1 and "There is no team “plumbers”" in output
    code, output = await wrench_in_process("calendar", "create", env=env)
    assert code == 2 and "give --team KEY or --person USER_ID" in output
    async with running_wrench(env) as url, aiohttp.ClientSession() as http:
        async with http.get(url + found.group(2)) as response:
            assert response.status == 200 and "BEGIN:VCALENDAR" in await response.text()
        prefix = found.group(2).split("/")[-1][:12]
        code, output = await wrench_in_process("calendar", "list", env=env)
        assert code == 0 and re.search(rf"{prefix}\s+team facilities\s+\S+ \S+\s+\d{{4}}-", output), output
        assert (await wrench_in_process("calendar", "revoke", prefix, env=env))[0] == 0
        async with http.get(url + found.group(2)) as response:
            assert response.status == 404
    code, output = await wrench_in_process("calendar", "revoke", "cal_zzzzzzzz", env=env)
    assert code == 1
