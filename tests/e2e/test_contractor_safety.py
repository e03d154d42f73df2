"""Contractor work when things go wrong: a decline, a revoked or finished link, people outside the team,
addresses that name no job, markup typed anywhere, forms from other sites, bodies too large, and two
submissions at once."""

import asyncio
import hashlib
import re

import pytest
from sqlalchemy import func, select

from blocks.ids import Action, MoreOption
from models.contractor_jobs import ContractorJob
from models.db import Database
from models.tables import WorkOrder, WorkOrderEvent
from services.organisation.integrations import Portal
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.e2e.contractor_flow import add_vendor, contractor_org, get, post, send_to
from tests.e2e.flow import click_card, file_request, latest_card, open_card_form, thread_lines
from tests.support import slack_requests as sr
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import FakeSlack
from tests.support.org import MANAGER, OTHER_TECH, OUTSIDER, STAFF, TECH_1, organisation


@pytest.fixture
def org() -> Organisation:
    return contractor_org()


async def count(db: Database, kind: str) -> int:
    async with db.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).where(WorkOrderEvent.kind == kind)) or 0)


async def stored(db: Database) -> WorkOrder:
    async with db.unit_of_work() as session:
        return (await session.execute(select(WorkOrder))).scalar_one()


async def test_a_decline_returns_the_work_to_the_team_unclaimed(
    bot: BotClient, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    acme = await add_vendor(db, clock, org, "acme", "Acme <!here> Plumbing", trades="plumbing")
    card = await file_request(bot)
    await click_card(bot, card, Action.CLAIM, TECH_1)
    key = await send_to(bot, card, acme, TECH_1)
    status, page, _ = await post(bot, key, {"do": "decline", "reason": "   "})
    assert status == 422 and "Say why you cannot take it." in page
    status, _, where = await post(bot, key, {"do": "decline", "reason": "Fully booked until <May>"})
    assert (status, where) == (303, f"/contractor/{key}")
    status, page = await get(bot, key)
    assert status == 410 and "You declined this job" in page
    assert (await stored(db)).assignee_id is None
    lines = await thread_lines(bot, card, 3)
    assert lines[-1] == (
        ":x: *Acme &lt;!here&gt; Plumbing* declined the job: Fully booked until &lt;May&gt;\n"
        "It is back with the team, unclaimed."
    )
    await bot.settled()
    shown = latest_card(bot, card)
    assert "unclaimed" in shown["text"] and "Contractor:" not in str(shown["blocks"])
    told = [c for c in bot.fake.find("chat.postMessage", channel=TECH_1) if "declined WO-1" in c.params["text"]]
    assert told and "Fully booked until &lt;May&gt;" in told[0].params["text"]
    # the work can go out again, to someone else
    key_2 = await send_to(bot, card, acme, TECH_1)
    assert key_2 != key


async def test_only_the_team_sends_only_managers_revoke_and_a_revoked_or_finished_link_says_so(
    bot: BotClient, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    acme = await add_vendor(db, clock, org, "acme", "Acme Plumbing", trades="plumbing")
    card = await file_request(bot)
    for outsider in (OUTSIDER, OTHER_TECH, STAFF):
        key = await click_card(
            bot, card, Action.MANAGE, outsider, element={"type": "overflow", "option": MoreOption.CONTRACTOR}
        )
        said = (await bot.replies_to(key))[0]["text"]
        assert said == "Only Facilities technicians and managers can send to a contractor this work order.", said
    key = await send_to(bot, card, acme, TECH_1)
    async with db.unit_of_work() as session:  # only the key's hash is kept: a read of the database acts on nothing
        (job,) = (await session.execute(select(ContractorJob))).scalars()
        assert key not in str({c.key: getattr(job, c.key) for c in ContractorJob.__table__.columns})
        assert job.link_hash == hashlib.sha256(key.encode()).hexdigest()
    # one open job: the menu offers Revoke now, not Send
    await bot.settled()
    manage = next(
        e
        for b in latest_card(bot, card)["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == Action.MANAGE
    )
    assert [o["value"].partition("|")[0] for o in manage["options"]] == ["plan", "revoke_contractor", "cancel"]
    refused = await click_card(
        bot, card, Action.MANAGE, TECH_1, element={"type": "overflow", "option": MoreOption.REVOKE_CONTRACTOR}
    )
    assert "Only Facilities managers can revoke" in (await bot.replies_to(refused))[0]["text"]
    form = await open_card_form(bot, card, Action.MANAGE, MANAGER, type="overflow", option=MoreOption.REVOKE_CONTRACTOR)
    status, body = await bot.submit(form, {"reason": sr.text_value("Sent by mistake")}, user_id=MANAGER)
    assert (status, body) == (200, None)
    status, page = await get(bot, key)
    assert status == 410 and "revoked by the team" in page and "Leaking" not in page
    status, page, _ = await post(bot, key, {"do": "accept"})
    assert status == 410
    lines = await thread_lines(bot, card, 2)
    assert lines[-1] == f":no_entry_sign: <@{MANAGER}> revoked the link of *Acme Plumbing*: Sent by mistake"

    # completing the work order closes the next link too
    key_2 = await send_to(bot, card, acme, TECH_1)
    assert (await post(bot, key_2, {"do": "accept"}))[0] == 303
    complete = await open_card_form(bot, card, Action.COMPLETE, TECH_1)
    status, body = await bot.submit(complete, {"resolution": sr.text_value("We did it ourselves")}, user_id=TECH_1)
    assert (status, body) == (200, None)
    status, page = await get(bot, key_2)
    assert status == 410 and "This job is finished" in page
    async with db.unit_of_work() as session:
        states = [j.state for j in (await session.execute(select(ContractorJob).order_by(ContractorJob.id))).scalars()]
    assert states == ["revoked", "revoked"]
    lines = await thread_lines(bot, card, 6)
    assert "The link of *Acme Plumbing* was closed: the work order was completed." in lines


async def test_without_a_public_address_the_menu_says_what_to_set(
    database_url: str, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    async with started_bot(database_url, fake_slack, organisation(), clock=clock) as bot:
        card = await file_request(bot)
        option = {"type": "overflow", "option": MoreOption.CONTRACTOR}
        key = await click_card(bot, card, Action.MANAGE, TECH_1, element=option)
        assert "set portal.public_url in wrench.yml" in (await bot.replies_to(key))[0]["text"]


async def test_the_page_shows_no_slack_ids_no_other_work_and_no_live_markup(
    bot: BotClient, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    acme = await add_vendor(db, clock, org, "acme", "Acme Plumbing", trades="plumbing")
    other = await file_request(bot, title="Secret other job in the vault")
    card = await file_request(
        bot,
        title="<script>alert(1)</script> pipe",
        description="Ask <@U0TECH2> or @U0MANAGER, see <#C0FACILITY|facilities>",
    )
    assert other != card
    key = await send_to(bot, card, acme, TECH_1, note="Keys from <@U0TECH1> <img src=x onerror=alert(1)>")
    status, page = await get(bot, key)
    assert status == 200
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; pipe" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "U0" not in re.sub(r'="[^"]*"', "", page) and "C0FACILITY" not in page and "a colleague" in page
    assert "Secret other job" not in page and "WO-1" not in page
    assert "<script" not in page.replace("<script", "", 0) or "script src" not in page  # no script of any kind
    async with bot.http.get(f"{bot.url}/contractor/{key}") as response:
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'none'" in csp and response.headers["Referrer-Policy"] == "no-referrer"


async def test_unknown_addresses_are_404_and_a_guesser_is_stopped(
    bot: BotClient, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    acme = await add_vendor(db, clock, org, "acme", "Acme Plumbing", trades="plumbing")
    card = await file_request(bot)
    key = await send_to(bot, card, acme, TECH_1)
    for n in range(30):
        status, page = await get(bot, f"{'x' * 42}{n % 10}")
        assert status == 404 and "There is no job at this address." in page
    assert (await get(bot, "y" * 43))[0] == 429
    assert (await get(bot, key))[0] == 429  # the right key too, from that address
    clock.advance(hours=1, seconds=1)
    assert (await get(bot, key))[0] == 200


async def test_forms_from_another_site_and_bodies_too_large_are_refused(
    bot: BotClient, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    acme = await add_vendor(db, clock, org, "acme", "Acme Plumbing", trades="plumbing")
    card = await file_request(bot)
    key = await send_to(bot, card, acme, TECH_1)
    status, page, _ = await post(bot, key, {"do": "accept"}, Origin="https://evil.example")
    assert status == 403
    for where in ("cross-site", "same-site"):
        status, _, _ = await post(bot, key, {"do": "accept"}, **{"Sec-Fetch-Site": where})
        assert status == 403
    status, _, _ = await post(bot, key, {"do": "accept"}, **{"Sec-Fetch-Site": "cross-site", "Origin": "null"})
    assert status == 403
    assert (await post(bot, key, {"do": "accept"}, Origin="https://wrench.example.com"))[0] == 303
    huge = b"\xff" * (5 * 1024 * 1024 + 10)
    status, page, _ = await post(bot, key, {"do": "files"}, [("photos", "big.jpg", huge, "image/jpeg")])
    assert status == 413 and "too large" in page
    status, page, _ = await post(
        bot, key, {"do": "files"}, [("photos", "big.jpg", b"\xff" * (1024 * 1024 + 10), "image/jpeg")]
    )
    assert status == 422 and "The file is too large: at most 1 MB." in page
    status, page, _ = await post(bot, key, {"do": "nonsense"})
    assert status == 400
    async with bot.http.post(
        f"{bot.url}/contractor/{key}", data=b"{}", headers={"Content-Type": "application/json"}
    ) as r:
        assert r.status == 400


async def test_two_submissions_at_once_change_the_job_once(
    bot: BotClient, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    acme = await add_vendor(db, clock, org, "acme", "Acme Plumbing", trades="plumbing")
    card = await file_request(bot)
    key = await send_to(bot, card, acme, TECH_1)
    answers = await asyncio.gather(*(post(bot, key, {"do": "accept"}) for _ in range(4)))
    assert sorted(status for status, _, _ in answers) == [303, 409, 409, 409]
    assert await count(db, "contractor_accepted") == 1
    answers = await asyncio.gather(*(post(bot, key, {"do": "done", "resolution": f"done {n}"}) for n in range(4)))
    assert sorted(status for status, _, _ in answers)[0] == 303
    assert [status for status, _, _ in answers].count(303) == 1
    assert await count(db, "contractor_done") == 1
    # the same form sent twice (a double tap) posts one update
    key_2 = await send_to_again(bot, db, card, acme)
    await post(bot, key_2, {"do": "accept"})
    twice = await asyncio.gather(
        *(post(bot, key_2, {"do": "update", "update": "hi", "form_id": "same-form"}) for _ in range(2))
    )
    assert [s for s, _, _ in twice] == [303, 303]
    assert await count(db, "contractor_update") == 1
    # two people confirming the contractor's completion at once: one completion, the other is told
    assert (await post(bot, key_2, {"do": "done", "resolution": "fixed"}))[0] == 303
    keys = await asyncio.gather(*(click_card(bot, card, Action.CONTRACTOR_CONFIRM, who) for who in (TECH_1, MANAGER)))
    await bot.settled()
    async with db.unit_of_work() as session:
        completions = await session.scalar(select(func.count()).where(WorkOrderEvent.to_status == "completed"))
    assert completions == 1 and (await stored(db)).status == "completed"
    told = [reply["text"] for key in keys for reply in bot.fake.replies if reply["key"] == key]
    assert len(told) == 1, told


async def send_to_again(bot: BotClient, db: Database, card: object, vendor: int) -> str:
    """Close the job under review so the work can be sent again (a manager revokes it)."""
    form = await open_card_form(bot, card, Action.MANAGE, MANAGER, type="overflow", option=MoreOption.REVOKE_CONTRACTOR)  # type: ignore[arg-type]
    await bot.submit(form, {}, user_id=MANAGER)
    return await send_to(bot, card, vendor, TECH_1)  # type: ignore[arg-type]


def test_the_portal_config_is_reused() -> None:
    assert Portal(public_url="https://x.example").enabled is False
