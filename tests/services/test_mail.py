"""The mail queue on a real database and a real SMTP server: a message is queued with the change that
causes it and sent once that commits, retried when the server says "later", given up when it refuses the
recipient for good, queued again by `retry_failed`; nothing is queued without an `smtp:` section."""

import asyncio
from collections.abc import Iterator
from functools import partial

import pytest
from sqlalchemy import select

from bot.mail.worker import MailWorker
from bot.metrics import Metrics
from models.db import Database
from models.mail import OutgoingMail
from services.errors import InvalidInput
from services.mail import queue
from services.mail.message import Attachment
from services.mail.queue import queue_mail
from services.organisation.integrations import Smtp
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.support.mail_server import MailServer, mail_server

PDF = b"%PDF-1.4\n% a tiny stand-in\n"


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    with mail_server() as server:
        yield server


def with_smtp(org: Organisation, server: MailServer) -> Organisation:
    smtp = Smtp.model_validate(
        {"host": "127.0.0.1", "port": server.port, "security": "none", "from": "Wrench <wrench@example.com>"}
    )
    return org.model_copy(update={"smtp": smtp})


async def queue_one(db: Database, org: Organisation, clock: FrozenClock, **overrides: object) -> bool:
    fields: dict[str, object] = {
        "to": "jo@acme.example",
        "subject": "WO-12: new work for you",
        "text": "Hello Jo,\nthe link: https://wrench.example.com/contractor/abc\n",
        "attachments": [Attachment("PO-3.pdf", "application/pdf", PDF)],
        "about": "WO-12",
        "now": clock(),
    } | overrides
    return await db.run(partial(queue_mail, org=org, **fields))  # type: ignore[arg-type]


async def rows(db: Database) -> list[OutgoingMail]:
    async with db.unit_of_work() as session:
        return list(await session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


async def settle(worker: MailWorker, server: MailServer, *, sent: int) -> None:
    for _ in range(200):
        if len(server.received) >= sent and not worker._in_flight:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the server got {len(server.received)} messages, not {sent}")


async def test_nothing_is_queued_without_a_mail_server(db: Database, org: Organisation, clock: FrozenClock) -> None:
    assert org.smtp is None
    assert await queue_one(db, org, clock) is False
    assert await rows(db) == []


async def test_a_bad_address_is_refused_before_anything_is_written(
    db: Database, org: Organisation, clock: FrozenClock, smtp_server: MailServer
) -> None:
    org = with_smtp(org, smtp_server)
    for bad in ("jo at acme", "jo@acme.example\r\nBcc: all@example.com", "<jo@acme.example>", ""):
        with pytest.raises(InvalidInput):
            await queue_one(db, org, clock, to=bad)
    with pytest.raises(InvalidInput, match="MB"):
        await queue_one(db, org, clock, attachments=[Attachment("big.pdf", "application/pdf", b"x" * (16 << 20))])
    assert await rows(db) == []


async def test_a_committed_message_is_sent_with_its_attachment(
    db: Database, org: Organisation, clock: FrozenClock, smtp_server: MailServer
) -> None:
    org = with_smtp(org, smtp_server)
    worker = MailWorker(db, org.smtp, clock, Metrics())  # type: ignore[arg-type]
    worker.start()
    try:
        assert await queue_one(db, org, clock, subject="WO-12: line one\r\nBcc: everyone@example.com") is True
        await settle(worker, smtp_server, sent=1)
    finally:
        await worker.stop()
    got = smtp_server.received[0]
    assert got.recipients == ["jo@acme.example"]
    assert got.sender == "wrench@example.com"
    message = got.message()
    assert message["Subject"] == "WO-12: line one Bcc: everyone@example.com"  # one header, never two
    assert message["Bcc"] is None
    assert message["From"] == "Wrench <wrench@example.com>"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_body(("plain",))
    assert body is not None and "https://wrench.example.com/contractor/abc" in body.get_content()
    [pdf] = list(message.iter_attachments())
    assert pdf.get_filename() == "PO-3.pdf" and pdf.get_content() == PDF
    [row] = await rows(db)
    assert (row.state, row.attempts, row.about, row.message) == (queue.SENT, 1, "WO-12", b"")


async def test_a_later_is_retried_and_a_refusal_for_good_fails(
    db: Database, org: Organisation, clock: FrozenClock, smtp_server: MailServer
) -> None:
    org = with_smtp(org, smtp_server)
    worker = MailWorker(db, org.smtp, clock, Metrics())  # type: ignore[arg-type]
    smtp_server.refuse_with = "451 4.3.0 Try again later"
    await queue_one(db, org, clock)
    assert await worker.work_once() is True
    await asyncio.gather(*worker._in_flight)
    [row] = await rows(db)
    assert (row.state, row.attempts) == (queue.PENDING, 1)
    assert "451" in (row.last_error or "")
    assert await worker.work_once() is False  # not due yet
    smtp_server.refuse_with = None
    clock.advance(seconds=queue.BACKOFF[0].total_seconds())
    await worker.work_once()
    await asyncio.gather(*worker._in_flight)
    assert [r.state for r in await rows(db)] == [queue.SENT]
    assert len(smtp_server.received) == 1

    smtp_server.refuse_with = "550 5.1.1 No such user"
    await queue_one(db, org, clock, to="nobody@acme.example")
    await worker.work_once()
    await asyncio.gather(*worker._in_flight)
    failed = (await rows(db))[1]
    assert (failed.state, failed.attempts) == (queue.FAILED, 1)
    assert "550" in (failed.last_error or "")
    found = await db.run(queue.status)
    assert (found.sent, found.failed, found.pending) == (1, 1, 0)

    smtp_server.refuse_with = None
    assert await db.run(partial(queue.retry_failed, now=clock())) == 1
    await worker.work_once()
    await asyncio.gather(*worker._in_flight)
    assert [r.state for r in await rows(db)] == [queue.SENT, queue.SENT]
    assert smtp_server.received[-1].recipients == ["nobody@acme.example"]


async def test_a_server_that_cannot_be_reached_is_tried_again(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    with mail_server() as gone:
        port = gone.port
    org = with_smtp(org, MailServer(port=port))
    worker = MailWorker(db, org.smtp, clock, Metrics())  # type: ignore[arg-type]
    await queue_one(db, org, clock)
    await worker.work_once()
    await asyncio.gather(*worker._in_flight)
    [row] = await rows(db)
    assert (row.state, row.attempts) == (queue.PENDING, 1)
    assert row.last_error


async def test_two_workers_never_send_the_same_message_twice(
    db: Database, org: Organisation, clock: FrozenClock, smtp_server: MailServer
) -> None:
    org = with_smtp(org, smtp_server)
    for n in range(6):
        await queue_one(db, org, clock, to=f"person{n}@acme.example")
    first = MailWorker(db, org.smtp, clock, Metrics())  # type: ignore[arg-type]
    second = MailWorker(db, org.smtp, clock, Metrics())  # type: ignore[arg-type]
    while await asyncio.gather(first.work_once(), second.work_once()) != [False, False]:
        await asyncio.gather(*first._in_flight, *second._in_flight)
    assert sorted(r for got in smtp_server.received for r in got.recipients) == sorted(
        f"person{n}@acme.example" for n in range(6)
    )
