"""Requests by email against a real IMAP server (pymap) and a real SMTP server (aiosmtpd): a mail becomes
a card with its photos and the sender's contact, the sender is answered with the number, a reply becomes
a note in the thread, robots and blocked senders are set aside, and each mail is taken exactly once."""

import asyncio
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from functools import partial
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.mail import imap
from bot.mail.intake import MailIntake
from bot.metrics import Metrics
from models.db import Database
from models.mail import IncomingMail
from models.requests import ServiceRequest
from models.tables import WorkOrder
from services.organisation.config_file import parse_organisation
from services.requests import requester_mail
from services.work_orders import assignment, lifecycle
from tests.conftest import FrozenClock
from tests.e2e.flow import card_ref
from tests.support.bot import BotClient, started_bot
from tests.support.fake_slack import FakeSlack
from tests.support.imap_server import PASSWORD, USER, ImapServer, imap_server
from tests.support.mail_server import MailServer, mail_server
from tests.support.org import CONFIG, MANAGER, TEAM_CHANNEL, TECH_1
from tests.support.process import wrench, wrench_env, wrench_in_process

MAILBOX = "maintenance@acme.example"


def config(smtp_port: int, imap_port: int, *, portal_form: bool = True) -> str:
    return (
        CONFIG
        + f"""
smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none, from: "Facilities <{MAILBOX}>"}}
portal: {{enabled: {"true" if portal_form else "false"}, public_url: "https://wrench.example.com"}}
email:
  address: "Facilities <{MAILBOX}>"
  imap: {{host: 127.0.0.1, port: {imap_port}, security: none, username: {USER}, password: {PASSWORD}}}
  default_category: plumbing
  rules:
    - {{keywords: [light, lamp], category: electrical}}
  blocked_senders: ["@spam.example"]
  poll_seconds: 3600
"""
    )


@dataclass
class Setup:
    bot: BotClient
    imap: ImapServer
    smtp: MailServer
    intake: MailIntake


@pytest.fixture
async def setup(database_url: str, fake_slack: FakeSlack, clock: FrozenClock) -> AsyncIterator[Setup]:
    with mail_server() as smtp, imap_server() as box:
        org = parse_organisation(config(smtp.port, box.port))
        async with started_bot(database_url, fake_slack, org, clock=clock) as bot:
            deps = bot.running.deps
            yield Setup(bot, box, smtp, MailIntake(deps.db, org, clock, Metrics()))


def mail(
    subject: str,
    text: str = "Water is coming through the ceiling.",
    *,
    sender: str = "Jo Tenant <jo@tenant.example>",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    photo: bool = False,
    pdf: bool = False,
) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, MAILBOX, subject
    message_id = make_msgid(domain="tenant.example")
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    if html is None:
        message.set_content(text)
    else:  # an HTML-only mail, as many mail apps send
        message.set_content(html, subtype="html")
    if photo:
        image = io.BytesIO()
        Image.new("RGB", (64, 48), (200, 30, 30)).save(image, format="PNG")
        message.add_attachment(image.getvalue(), maintype="image", subtype="png", filename="ceiling.png")
    if pdf:
        message.add_attachment(b"%PDF-1.4 quote", maintype="application", subtype="pdf", filename="quote.pdf")
    return message.as_bytes(), message_id


async def work_orders(db: Database) -> list[WorkOrder]:
    async with db.unit_of_work() as session:
        return list(await session.scalars(select(WorkOrder).order_by(WorkOrder.number)))


async def test_a_mail_becomes_a_card_and_the_sender_is_answered(setup: Setup, db: Database) -> None:
    raw, message_id = mail("Leak under the sink in 3B <!channel>", photo=True, pdf=True)
    setup.imap.deliver(raw)
    [read] = await setup.intake.poll_once()
    assert (read.taken.outcome, read.taken.ref) == ("filed", "WO-1")
    assert setup.imap.unseen() == 0  # marked seen once stored

    [wo] = await work_orders(db)
    assert (wo.title, wo.category, wo.requester_id) == ("Leak under the sink in 3B <!channel>", "plumbing", "email")
    assert "Water is coming through the ceiling." in wo.description
    assert "(Attachments not kept: quote.pdf (not a photo))" in wo.description
    async with db.unit_of_work() as session:
        request = await session.scalar(select(ServiceRequest))
    assert request is not None and (request.requester_name, request.requester_email) == (
        "Jo Tenant",
        "jo@tenant.example",
    )

    bot = setup.bot
    card = (await bot.fake.wait_calls("chat.postMessage", 1, channel=TEAM_CHANNEL))[0]
    assert "&lt;!channel&gt;" in card.params["text"] and "<!channel>" not in card.params["text"]
    assert "Jo Tenant &lt;jo@tenant.example&gt;" in str(card.params["blocks"])
    await bot.fake.wait_for(lambda: bot.fake.find("files.completeUploadExternal") or bot.fake.find("files.upload"))

    await _until(lambda: setup.smtp.received)
    answer = setup.smtp.received[0].message()
    assert setup.smtp.received[0].recipients == ["jo@tenant.example"]
    assert answer["Subject"] == "[WO-1] Leak under the sink in 3B <!channel>"
    assert answer["In-Reply-To"] == message_id
    body = answer.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "it is WO-1" in body and "https://wrench.example.com/portal/status/" in body

    # the sender replies to that answer: a note in the card's thread, the quoted history left out
    reply, _ = mail(
        "Re: [WO-1] Leak under the sink in 3B",
        "It is getting worse <b>now</b>.\n\nOn Mon, Jo wrote:\n> Water is coming",
        headers={"In-Reply-To": str(answer["Message-ID"]), "References": str(answer["Message-ID"])},
    )
    setup.imap.deliver(reply)
    [read] = await setup.intake.poll_once()
    assert (read.taken.outcome, read.taken.ref) == ("reply", "WO-1")
    _, ts = card_ref(card)
    line = await bot.fake.wait_for(
        lambda: [c for c in bot.fake.find("chat.postMessage", thread_ts=ts) if "noted" in c.params["text"]]
    )
    assert line[0].params["text"] == "jo@tenant.example noted: It is getting worse &lt;b&gt;now&lt;/b&gt;."
    assert len(await work_orders(db)) == 1

    # the sender hears when the work is taken on and when it is done, each once, threaded under their mail
    deps = bot.running.deps
    wo_id = (await work_orders(db))[0].id
    await db.run(partial(assignment.claim, org=deps.org, now=deps.clock(), work_order_id=wo_id, user_id=TECH_1))
    done = partial(
        lifecycle.complete, org=deps.org, now=deps.clock(), work_order_id=wo_id, user_id=TECH_1, resolution="New seal"
    )
    change = await db.run(done)
    await _until(lambda: len(setup.smtp.received) == 3)
    taken, finished = (got.message() for got in setup.smtp.received[1:])
    assert taken["Subject"] == finished["Subject"] == "[WO-1] Leak under the sink in 3B <!channel>"
    assert "has taken on WO-1" in taken.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "What was done: New seal" in finished.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert finished["In-Reply-To"] == message_id
    again = partial(requester_mail.work_order_updates, org=deps.org, now=deps.clock(), change=change)
    assert await db.run(again) == 0  # the same change delivered again: nothing more queued

    # closed: the sender is asked to rate it on its status page, and can
    await db.run(partial(lifecycle.confirm, org=deps.org, now=deps.clock(), work_order_id=wo_id, user_id=MANAGER))
    await _until(lambda: len(setup.smtp.received) == 4)
    asked = setup.smtp.received[3].message().get_body(("plain",)).get_content()  # type: ignore[union-attr]
    [link] = re.findall(r"https://wrench\.example\.com(/portal/status/\S+)", asked)
    async with bot.http.post(f"{bot.url}{link}/rating", data={"rating": "5"}, allow_redirects=False) as answer:
        assert answer.status == 303
    async with db.unit_of_work() as session:
        rated = await session.get(WorkOrder, wo_id)
    assert rated is not None and rated.rating == 5


async def test_robots_blocked_senders_html_and_routing(setup: Setup, db: Database) -> None:
    for raw in (
        mail("Out of office", headers={"Auto-Submitted": "auto-replied"})[0],
        mail("Undelivered Mail", sender="MAILER-DAEMON@tenant.example")[0],
        mail("Cheap offers", sender="deals@spam.example")[0],
        mail("Mass mail", headers={"Precedence": "bulk"})[0],
        mail("From myself", sender=MAILBOX)[0],
    ):
        setup.imap.deliver(raw)
    outcomes = [read.taken for read in await setup.intake.poll_once()]
    assert [t.outcome for t in outcomes] == ["ignored"] * 5
    assert [t.reason for t in outcomes] == [
        "Auto-Submitted: auto-replied",
        "sent by mailer-daemon",
        "a blocked sender",
        "Precedence: bulk",
        "sent by Wrench itself",
    ]
    assert await work_orders(db) == [] and setup.smtp.received == []  # nobody answered: no loops

    html = (
        "<html><head><style>p{}</style><script>alert(1)</script></head>"
        "<body><p>The lamp in 2F</p><ul><li>flickers</li></ul></body></html>"
    )
    setup.imap.deliver(mail("Hallway light", html=html)[0])
    assert [read.taken.outcome for read in await setup.intake.poll_once()] == ["filed"]
    [wo] = await work_orders(db)
    assert wo.category == "electrical"  # a keyword rule
    assert "alert" not in wo.description and "The lamp in 2F" in wo.description and "• flickers" in wo.description


async def test_each_mail_is_taken_once(setup: Setup, db: Database, clock: FrozenClock) -> None:
    setup.imap.deliver(mail("Door will not lock")[0])
    other = MailIntake(setup.bot.running.deps.db, setup.intake.org, clock, Metrics())
    first, second = await asyncio.gather(setup.intake.poll_once(), other.poll_once())
    outcomes = sorted(read.taken.outcome for read in [*first, *second])
    assert outcomes in (["filed"], ["filed", "seen"])
    assert len(await work_orders(db)) == 1

    # stored, but the process stopped before marking it seen: the next poll takes nothing twice
    setup.imap.deliver(mail("Window cracked")[0])
    real = imap.mark_seen

    def cut_off(connection, uid):  # type: ignore[no-untyped-def]
        raise imap.MailboxError("connection lost")

    imap.mark_seen = cut_off  # type: ignore[assignment]
    try:
        with pytest.raises(imap.MailboxError):
            await setup.intake.poll_once()
    finally:
        imap.mark_seen = real  # type: ignore[assignment]
    [read] = await setup.intake.poll_once()
    assert read.taken.outcome == "seen"
    assert [wo.title for wo in await work_orders(db)] == ["Door will not lock", "Window cracked"]
    async with db.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(IncomingMail)) == 2


async def _until(check, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_wrench_mail_fetch_reads_the_mailbox_now(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack
) -> None:
    with mail_server() as smtp, imap_server() as box:
        env = wrench_env(tmp_path, database_url, fake_slack, config_text=config(smtp.port, box.port))
        if not database_url.startswith("sqlite"):
            assert (await wrench_in_process("db", "upgrade", env=env))[0] == 0
        box.deliver(mail("Broken window in the lobby")[0])
        box.deliver(mail("Away until Monday", headers={"Auto-Submitted": "auto-replied"})[0])
        code, output = await wrench_in_process("mail", "fetch", env=env)
        assert code == 0, output
        assert re.search(r"^\d+: filed \(WO-1\)$", output, re.M) and "ignored (Auto-Submitted: auto-replied)" in output
        assert "2 messages read" in output and box.unseen() == 0
        code, output = await wrench_in_process("mail", "fetch", env=env)
        assert code == 0 and "0 messages read" in output
    code, output = await wrench("mail", "fetch", env=env)  # the server is gone: said, not a traceback
    assert code == 1 and "ConnectionRefusedError" in output and "Traceback" not in output, output


async def test_status_pages_are_served_for_the_mailbox_with_the_portal_form_off(
    database_url: str, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    with mail_server() as smtp, imap_server() as box:
        org = parse_organisation(config(smtp.port, box.port, portal_form=False))
        async with started_bot(database_url, fake_slack, org, clock=clock) as bot:
            box.deliver(mail("Broken tap")[0])
            intake = MailIntake(bot.running.deps.db, org, clock, Metrics())
            assert [read.taken.outcome for read in await intake.poll_once()] == ["filed"]
            await _until(lambda: smtp.received)
            answer = smtp.received[0].message().get_body(("plain",)).get_content()  # type: ignore[union-attr]
            [page] = re.findall(r"https://wrench\.example\.com(/portal/status/\S+)", answer)
            async with bot.http.get(f"{bot.url}{page}") as response:
                text = await response.text()
                assert response.status == 200 and "Broken tap" in text
                assert "Report another problem" not in text and 'href="/portal"' not in text
            async with bot.http.get(f"{bot.url}/portal") as response:
                assert response.status == 404  # the form stays off
