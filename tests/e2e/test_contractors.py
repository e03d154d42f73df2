"""Sending work to a contractor, end to end: the card's ⋯ → Send to contractor through signed Slack payloads,
then the contractor's private page over HTTP (accept, update, photos and invoice, cost and hours, done),
the team's review on the card, and the cost in the work order's total and the KPIs; a job done while its card
is still on its way to Slack shows on the card all the same."""

import asyncio
import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from blocks.ids import Action
from bot.metrics import Metrics
from bot.slack.outbox_worker import OutboxWorker
from bot.slack.pacing import Pacer
from models.contractor_jobs import ContractorFile, ContractorJob
from models.db import Database
from models.integrations import PublishedEvent
from models.outbox import OutboxEntry
from models.schemas import RequestCreate
from models.tables import WorkOrder, WorkOrderEvent
from services.contractor_jobs import jobs
from services.contractor_jobs import page as contractor_page
from services.delivery import outbox
from services.delivery.outbox import Notice
from services.organisation.integrations import Smtp
from services.organisation.org import Organisation
from services.reporting import reports
from services.work_orders import service as work_orders
from tests.conftest import FrozenClock
from tests.e2e.contractor_flow import (
    KEY,
    PDF,
    PUBLIC,
    add_vendor,
    contractor_org,
    get,
    open_send_form,
    png,
    post,
    send_to,
    send_values,
    vendor_options,
)
from tests.e2e.flow import click_card, file_request, latest_card, thread_lines
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import BOT_TOKEN, FakeSlack
from tests.support.mail_server import mail_server
from tests.support.org import OUTSIDER, STAFF, TEAM_CHANNEL, TECH_1, TECH_2


@pytest.fixture
def org() -> Organisation:
    return contractor_org()


async def stored(db: Database) -> WorkOrder:
    async with db.unit_of_work() as session:
        return (await session.execute(select(WorkOrder))).scalar_one()


async def job(db: Database) -> ContractorJob:
    async with db.unit_of_work() as session:
        return (await session.execute(select(ContractorJob).order_by(ContractorJob.id.desc()))).scalars().first()


async def test_send_accept_update_files_cost_done_review_and_the_cost_in_the_kpis(
    bot: BotClient, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    acme = await add_vendor(db, clock, org, "acme", "Acme Plumbing", trades="plumbing", email="jo@acme.example")
    await add_vendor(db, clock, org, "sparks", "Sparks Electric", trades="electrical")
    await add_vendor(db, clock, org, "drains", "Drains R Us", trades="plumbing", expires_on="2026-03-05")
    card = await file_request(bot)

    form = await open_send_form(bot, card, TECH_1)
    assert form["callback_id"] == "contractor_modal"
    offered = await vendor_options(bot, form, "", TECH_1)
    labels = [o["text"]["text"] for o in offered]
    assert labels == [
        "Acme Plumbing",
        "Drains R Us · ⚠ insurance/contract expires on Thu 05 Mar 2026",
    ]  # no electrician
    assert [o["text"]["text"] for o in await vendor_options(bot, form, "acm", TECH_1)] == ["Acme Plumbing"]

    # a wrong amount comes back under its field; nothing is stored
    for wrong, said in (
        ("12.345", "GBP has 2 decimal places"),
        ("-5", "cannot be negative"),
        ("lots", "is not an amount"),
    ):
        status, body = await bot.submit(form, send_values(acme, nte=wrong), user_id=TECH_1)
        assert status == 200 and body is not None and list(body["errors"]) == ["not_to_exceed"], body
        assert said in body["errors"]["not_to_exceed"]
    assert await job(db) is None

    key = await send_to(bot, card, acme, TECH_1, nte="450.50", contact="Sam Porter, 07700 900123")
    sent = await job(db)
    assert (sent.state, sent.not_to_exceed_minor, sent.currency, sent.sent_by) == ("sent", 45050, "GBP", TECH_1)
    dm = await bot.fake.wait_for(
        lambda: [c for c in bot.fake.find("chat.postMessage", channel=TECH_1) if "/contractor/" in c.params["text"]]
    )
    assert f"{PUBLIC}/contractor/{key}" in dm[0].params["text"]
    lines = await thread_lines(bot, card, 1)
    assert lines[-1].startswith(f":handshake: <@{TECH_1}> sent this to *Acme Plumbing* (not to exceed 450.50 GBP).")
    await bot.settled()
    assert "*Contractor:* Acme Plumbing — Sent, not yet accepted" in str(latest_card(bot, card)["blocks"])

    # the page: the job, the contact by name, never a Slack id nor another work order
    status, page = await get(bot, key)
    assert status == 200
    assert "Leaking pipe in 204" in page and "Sam Porter, 07700 900123" in page and "450.50 GBP" in page
    assert (
        "U0" not in re.sub(r'="[^"]*"', "", page) and "WO-2" not in page
    )  # (random keys and form ids in attributes may hold any letters)
    assert "Accept the job" in page and "Mark done" not in page

    status, _, where = await post(bot, key, {"do": "accept", "form_id": "f-accept-1"})
    assert (status, where) == (303, f"/contractor/{key}?ok=accept")
    status, _, _ = await post(bot, key, {"do": "accept", "form_id": "f-accept-2"})
    assert status == 409  # already accepted: said, nothing changes
    status, page = await get(bot, key)
    assert "Post an update" in page and "Accept the job" not in page

    status, _, _ = await post(bot, key, {"do": "update", "update": "On site <!channel> *now* <https://evil.example|x>"})
    assert status == 303
    lines = await thread_lines(bot, card, 3)
    assert lines[1] == ":handshake: *Acme Plumbing* accepted the job."
    assert lines[2] == ":memo: *Acme Plumbing*: On site &lt;!channel&gt; *now* &lt;https://evil.example|x&gt;"

    files = [("photos", "leak.png", png(), "image/png"), ("invoice", "inv.pdf", PDF, "application/pdf")]
    status, _, _ = await post(bot, key, {"do": "files"}, files)
    assert status == 303
    uploads = await bot.fake.wait_calls("files.completeUploadExternal", 2)
    assert {u.params.get("thread_ts") for u in uploads} == {card.answer["ts"]}
    status, page, _ = await post(bot, key, {"do": "files"}, [("invoice", "inv.exe", b"MZ\x90\x00", "application/pdf")])
    assert status == 422 and "Send a PDF or a photo of it" in page

    status, page, _ = await post(bot, key, {"do": "cost", "cost": "12,50", "hours": "two"})
    assert status == 422 and "is not an amount" in page and "is not a number of hours" in page
    assert 'value="two"' in page  # what was typed is kept
    status, _, _ = await post(bot, key, {"do": "cost", "cost": "480.25", "hours": "2.5"})
    assert status == 303
    status, _, where = await post(bot, key, {"do": "done", "resolution": "Replaced the <b>valve</b>"})
    assert (status, where) == (303, f"/contractor/{key}")
    status, page = await get(bot, key)
    assert status == 410 and "You marked this job done" in page and "Leaking pipe" not in page

    lines = await thread_lines(bot, card, 6)
    assert (
        ":clipboard: *Acme Plumbing* gave their cost: 480.25 GBP, 2.5 h :warning: above the not-to-exceed" in lines[4]
    )
    assert lines[5].startswith(":white_check_mark: *Acme Plumbing* marked the work done.")
    told = await bot.fake.wait_for(
        lambda: [c for c in bot.fake.find("chat.postMessage", channel=TECH_1) if "marked WO-1" in c.params["text"]]
    )
    assert "Replaced the &lt;b&gt;valve&lt;/b&gt;" in told[0].params["text"]

    # the team reviews: someone outside it cannot, a technician confirms
    key_out = await click_card(bot, card, Action.CONTRACTOR_CONFIRM, OUTSIDER)
    assert "Only Facilities technicians and managers can confirm" in (await bot.replies_to(key_out))[0]["text"]
    await click_card(bot, card, Action.CONTRACTOR_CONFIRM, TECH_2)
    await bot.settled()
    wo = await stored(db)
    assert (wo.status, wo.completed_by, wo.resolution) == ("completed", TECH_2, "Replaced the <b>valve</b>")
    assert "cost 480.25 GBP" in str(latest_card(bot, card)["blocks"])
    reviewed = await job(db)
    assert (reviewed.state, reviewed.reviewed_by, reviewed.cost_minor, reviewed.minutes) == ("done", TECH_2, 48025, 150)
    async with db.unit_of_work() as session:
        shared = list((await session.execute(select(ContractorFile))).scalars())
        report = await reports.team_report(session, org=org, team="facilities", now=clock(), days=30)
        actors = dict((await session.execute(select(WorkOrderEvent.kind, WorkOrderEvent.actor_id))).all())
        published = set((await session.execute(select(PublishedEvent.type))).scalars())
    assert [(f.kind, f.content, f.shared_at is not None) for f in shared] == [
        ("photo", None, True),
        ("invoice", None, True),
    ]
    assert report.costs.total == pytest.approx(480.25)
    assert actors["contractor_accepted"] == actors["contractor_done"] == f"vendor:{acme}"
    assert actors["contractor_sent"] == TECH_1
    assert {"work_order.contractor_sent", "work_order.contractor_accepted", "work_order.contractor_done"} <= published
    dms = await bot.fake.wait_calls("chat.postMessage", 2, channel=STAFF)  # filed, then completed: confirm it
    assert "was completed by" in dms[-1].params["text"]


async def test_the_link_is_emailed_to_the_vendor_when_smtp_is_configured(
    database_url: str, fake_slack: FakeSlack, clock: FrozenClock, org: Organisation
) -> None:
    with mail_server() as server:
        smtp = Smtp.model_validate(
            {"host": "127.0.0.1", "port": server.port, "security": "none", "from": "Wrench <wrench@example.com>"}
        )
        mailing = org.model_copy(update={"smtp": smtp})
        async with started_bot(database_url, fake_slack, mailing, clock=clock) as bot:
            acme = await add_vendor(
                bot.running.deps.db, clock, mailing, "acme", "Acme Plumbing", trades="plumbing",
                email="jo@acme.example", contact_name="Jo <Smith>",
            )  # fmt: skip
            card = await file_request(bot, title=f"Leaking pipe in 204, ask <@{TECH_2}>")  # a mention as typed
            form = await open_send_form(bot, card, TECH_1)
            status, body = await bot.submit(form, send_values(acme, contact="Sam, 07700 900123"), user_id=TECH_1)
            assert status == 200 and body is not None
            assert "It was emailed to jo@acme.example." in str(body["view"])
            key = KEY.search(str(body["view"])).group(1)  # type: ignore[union-attr]
            for _ in range(300):  # the mail worker sends it once the change commits (polled, not slept on)
                if server.received:
                    break
                await asyncio.sleep(0.05)
    [sent] = server.received
    message = sent.message()
    assert sent.recipients == ["jo@acme.example"]
    assert message["Subject"] == "WO-1: Leaking pipe in 204, ask a colleague"  # no Slack id, in the subject either
    text = message.get_content()
    assert TECH_2 not in text and "WO-1, Leaking pipe in 204, ask a colleague." in text
    assert f"{PUBLIC}/contractor/{key}" in text and "Hello Jo <Smith>," in text and "Not to exceed: 450.00 GBP" in text


class HeldCardPost(AsyncWebClient):
    """Slack as the outbox worker reaches it, holding a card's post (a message to the team channel, not in a
    thread) until `go` is set: `posting` is set once the card has been drawn and is on its way."""

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(token=BOT_TOKEN, base_url=fake.api_url)
        self.posting, self.go = asyncio.Event(), asyncio.Event()

    async def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        params = kwargs.get("json") or kwargs.get("params") or {}
        if api_method == "chat.postMessage" and params.get("channel") == TEAM_CHANNEL and not params.get("thread_ts"):
            self.posting.set()
            await self.go.wait()
        return await super().api_call(api_method, **kwargs)


async def test_a_change_made_while_the_card_is_being_posted_is_drawn_on_it(
    fake_slack: FakeSlack, db: Database, clock: FrozenClock, org: Organisation
) -> None:
    """The contractor marks the job done while the card is on its way to Slack: that change keeps the work
    order's version (the card's buttons stay valid), and its redraw finds no card to redraw yet. The card,
    drawn before the job was done, is redrawn all the same once its place is known."""
    acme = await add_vendor(db, clock, org, "acme", "Acme Plumbing", trades="plumbing")
    request = RequestCreate(title="Dripping trap", category="plumbing")
    filed = await db.run(partial(work_orders.create, org=org, now=clock(), requester_id=STAFF, request=request))
    wo_id = filed.work_order.id
    sent = await db.run(partial(jobs.send, org=org, now=clock(), work_order_id=wo_id, user_id=TECH_1, vendor_id=acme))
    await db.run(partial(contractor_page.accept, org=org, now=clock(), key=sent.key))

    async def redraws_done() -> bool:  # the outbox's bookkeeping: a redraw with no card makes no Slack call
        async with db.unit_of_work() as session:
            found = await session.scalars(select(OutboxEntry.done_at).where(OutboxEntry.kind == Notice.CARD_REFRESH))
            return all(found.all())

    async def delivered() -> bool:
        return not (await db.run(outbox.status)).pending

    async def until(check: Callable[[], Awaitable[bool]]) -> None:
        async with asyncio.timeout(10):
            while not await check():  # noqa: ASYNC110 - the database is polled
                await asyncio.sleep(0.01)

    client = HeldCardPost(fake_slack)
    worker = OutboxWorker(db, org, client, None, clock=clock, wall=clock, metrics=Metrics(), pacer=Pacer(scale=0))
    worker.start()
    try:
        await asyncio.wait_for(client.posting.wait(), 10)
        await until(redraws_done)  # the redraw queued with the job's acceptance: no card yet
        await db.run(partial(contractor_page.mark_done, org=org, now=clock(), key=sent.key, resolution="New trap"))
        await until(redraws_done)  # and the job done's
        client.go.set()
        await until(delivered)
    finally:
        await worker.stop(flush_seconds=1)
    [card] = [
        call for call in fake_slack.find("chat.postMessage", channel=TEAM_CHANNEL) if "thread_ts" not in call.params
    ]
    assert str(Action.CONTRACTOR_CONFIRM) not in str(card.params["blocks"])  # drawn before the job was done
    redrawn = fake_slack.find("chat.update", channel=card.answer["channel"], ts=card.answer["ts"])
    assert redrawn and str(Action.CONTRACTOR_CONFIRM) in str(redrawn[-1].params["blocks"])
