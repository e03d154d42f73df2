"""Daily backlog digests: posted at the local time configured, once per day (also after downtime and
with the catch-up run at start), with counts and lists; quiet days say so in one line or are skipped."""

import asyncio
import io
import json
from datetime import date
from functools import partial

import pytest
from PIL import Image

from bot.slack import chart
from models.db import Database
from models.enums import Repeat
from scheduler import jobs
from services.maintenance import pm_schedules
from services.maintenance.pm_schedules import ScheduleInput
from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation
from services.reporting import digest as digest_service
from services.work_orders import lifecycle
from tests.conftest import FrozenClock
from tests.e2e.flow import file_request
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import FakeSlack
from tests.support.org import CONFIG, MANAGER, TECH_1

DIGEST_CHANNEL = "C0DIGEST"


@pytest.fixture
def org() -> Organisation:
    """The test organisation with a weekday digest at 08:00 London time to its own channel."""
    return parse_organisation(CONFIG + f"digests:\n  - {{team: facilities, at: '08:00', channel: {DIGEST_CHANNEL}}}\n")


def digests(bot: BotClient) -> list:
    return bot.fake.find("chat.postMessage", channel=DIGEST_CHANNEL)


async def test_the_digest_is_posted_once_a_day_at_its_local_time(
    bot: BotClient, db: Database, clock: FrozenClock
) -> None:
    # the bot started on Monday 2 March 2026 at 09:00 London time: the catch-up run posts today's digest
    first = (await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL))[0]
    assert first.params["text"] == "Facilities backlog · Mon 02 Mar: nothing open, nothing new."
    assert await jobs.post_digests(bot.running.deps) == 0  # not twice the same day
    await bot.settled()

    await file_request(bot, priority="urgent")
    await file_request(bot, title="Flickering light", category="electrical")
    clock.advance(hours=22, minutes=59)  # Tuesday 07:59
    assert await jobs.post_digests(bot.running.deps) == 0
    await bot.settled()
    clock.advance(minutes=1)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    tuesday = digests(bot)[-1].params
    assert tuesday["text"] == "Facilities backlog · Tue 03 Mar: 2 open · 2 new and 0 completed in the last 24 h"
    shown = str(tuesday["blocks"])
    assert "Overdue* (1)" in shown and "*WO-1* Leaking pipe in 204" in shown  # urgent: due in 4 h
    assert "Unassigned* (2)" in shown and "under a day: 2" in shown

    clock.advance(days=4)  # Saturday: not a digest day
    assert await jobs.post_digests(bot.running.deps) == 0
    await bot.settled()
    assert len(digests(bot)) == 2


async def test_two_schedulers_post_one_digest(bot: BotClient, clock: FrozenClock) -> None:
    await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL)
    clock.advance(days=1)
    posted = await asyncio.gather(jobs.post_digests(bot.running.deps), jobs.post_digests(bot.running.deps))
    await bot.settled()
    assert sorted(posted) == [0, 1] and len(digests(bot)) == 2


async def test_a_quiet_digest_can_be_skipped(database_url: str, fake_slack: FakeSlack, clock: FrozenClock) -> None:
    org = parse_organisation(
        CONFIG + f"digests:\n  - {{team: facilities, at: '08:00', channel: {DIGEST_CHANNEL}, skip_when_quiet: true}}\n"
    )
    async with started_bot(database_url, fake_slack, org, clock=clock) as bot:
        clock.advance(days=1)
        assert await jobs.post_digests(bot.running.deps) == 0
        await bot.settled()
        assert not digests(bot)  # nor did the catch-up run at start post one


async def test_the_digest_lists_pm_due_in_the_next_7_days(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL)
    org = bot.running.deps.org
    for title, starts in (("Test fire alarms", date(2026, 3, 6)), ("Service lifts", date(2026, 3, 20))):
        data = ScheduleInput(title=title, team="facilities", starts_on=starts, repeat=Repeat.MONTHS)
        await db.run(partial(pm_schedules.create, org=org, now=clock(), user_id=MANAGER, data=data))
    await file_request(bot)  # not a quiet day
    clock.advance(days=1)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    shown = json.dumps(digests(bot)[-1].params["blocks"])
    assert "PM due in the next 7 days* (1)" in shown and "Fri 06 Mar \\u00b7 PM-1 \\u00b7 Test fire alarms" in shown
    assert "Service lifts" not in shown


async def test_the_digest_comes_with_a_chart_image(bot: BotClient, clock: FrozenClock) -> None:
    await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL)
    assert not bot.fake.find("files.completeUploadExternal")  # a quiet digest has no chart
    await file_request(bot)
    clock.advance(days=1)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    completed = (await bot.fake.wait_calls("files.completeUploadExternal", 1))[0].params
    assert completed["channel_id"] == DIGEST_CHANNEL
    assert completed["files"][0]["title"] == "Facilities backlog, last 14 days"
    asked = bot.fake.find("files.getUploadURLExternal")[0].params
    assert asked["filename"] == "backlog-2026-03-03.png"
    png = bot.fake.uploads[completed["files"][0]["id"]]
    assert png.startswith(b"\x89PNG") and len(png) == int(asked["length"])
    first = bot.fake.calls.index(digests(bot)[-1])
    assert first < bot.fake.calls.index(bot.fake.find("files.getUploadURLExternal")[0])  # the digest comes first


async def test_the_digest_is_posted_when_its_chart_fails(
    bot: BotClient, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL)
    await file_request(bot)
    bot.fake.fail("files.completeUploadExternal", "not_allowed_token_type")
    clock.advance(days=1)
    assert await jobs.post_digests(bot.running.deps) == 1  # the upload failed; the digest is there
    await bot.settled()
    assert len(digests(bot)) == 2 and len(bot.fake.find("files.completeUploadExternal")) == 1

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the chart query broke")

    monkeypatch.setattr(digest_service, "chart_data", broken)
    clock.advance(days=1)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    assert len(digests(bot)) == 3 and len(bot.fake.find("files.getUploadURLExternal")) == 1


async def test_a_chart_slack_refuses_for_good_is_given_up_and_the_digest_stands(
    bot: BotClient, clock: FrozenClock
) -> None:
    await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL)
    await file_request(bot)
    bot.fake.fail("files.getUploadURLExternal", "access_denied")  # files_upload_v2 raises SlackApiError
    clock.advance(days=1)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    assert len(digests(bot)) == 2
    assert digests(bot)[-1].params["text"].startswith("Facilities backlog · Tue 03 Mar: 1 open")
    assert len(bot.fake.find("files.getUploadURLExternal")) == 1  # tried once, then given up
    assert not bot.fake.uploads and not bot.fake.find("files.completeUploadExternal")


async def test_a_chart_upload_that_fails_for_now_is_tried_again_without_posting_the_digest_twice(
    bot: BotClient, clock: FrozenClock
) -> None:
    await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL)
    await file_request(bot)
    bot.fake.broken_uploads = 1  # the upload URL breaks once: files_upload_v2 raises SlackRequestError
    clock.advance(days=1)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    assert len(digests(bot)) == 2  # the digest went out once; only the chart was tried again
    assert len(bot.fake.find("files.getUploadURLExternal")) == 2 and len(bot.fake.uploads) == 1
    assert len(bot.fake.find("files.completeUploadExternal", channel_id=DIGEST_CHANNEL)) == 1


async def test_the_chart_names_who_completed_work(bot: BotClient, db: Database, clock: FrozenClock) -> None:
    await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL)
    await file_request(bot)
    await file_request(bot, title="Flickering light", category="electrical")
    org = bot.running.deps.org
    await db.run(partial(lifecycle.complete, org=org, now=clock(), work_order_id=1, user_id=TECH_1, resolution="Done"))
    clock.advance(days=1)
    assert await jobs.post_digests(bot.running.deps) == 1
    await bot.settled()
    assert [call.params["user"] for call in bot.fake.find("users.info")] == [TECH_1]
    (png,) = bot.fake.uploads.values()
    assert Image.open(io.BytesIO(png)).size == (chart.WIDTH, chart.HEIGHT)


async def test_a_digest_that_could_not_be_posted_gets_no_chart(bot: BotClient, clock: FrozenClock) -> None:
    await bot.fake.wait_calls("chat.postMessage", 1, channel=DIGEST_CHANNEL)
    await file_request(bot)
    bot.fake.fail("chat.postMessage", "channel_not_found")
    clock.advance(days=1)
    await jobs.post_digests(bot.running.deps)
    await bot.settled()
    assert len(bot.fake.find("chat.postMessage", channel=DIGEST_CHANNEL)) == 2  # tried, and refused
    assert not bot.fake.find("files.getUploadURLExternal")
