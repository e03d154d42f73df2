"""The mail queue: messages written in the caller's transaction, worked by `bot.mail.worker`.

A worker leases due messages with a conditional UPDATE, hands them to the SMTP server and records the
answer: sent, due again after a growing pause, or failed for good (the server refused the recipient, or
the last attempt failed). Several replicas can work the same queue.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.mail import ABOUT_MAX, SUBJECT_MAX, OutgoingMail
from services.mail.message import Attachment, build
from services.organisation.org import Organisation

PENDING, SENT, FAILED = "pending", "sent", "failed"
# The pause after each failed attempt; after the last one the message has failed (about a day in all).
BACKOFF: tuple[timedelta, ...] = tuple(timedelta(seconds=s) for s in (30, 120, 600, 1800, 3600, 7200, 14400, 43200))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=5)  # longer than a send can take (the SMTP timeout is at most 300 s)
KEEP_FOR = timedelta(days=30)  # sent messages are kept this long (for `wrench mail status`), then pruned
ERROR_MAX = 500
FLAG = "wrench.mail_queued"  # set in `session.info` so the process can wake its mail worker


@dataclass(frozen=True)
class Leased:
    mail_id: int
    recipient: str
    message: bytes
    attempt: int


@dataclass(frozen=True)
class MailStatus:
    pending: int
    failing: int  # pending after at least one failed attempt
    failed: int
    sent: int
    last_error: str | None


async def queue_mail(
    session: AsyncSession,
    org: Organisation,
    *,
    to: str,
    subject: str,
    text: str,
    attachments: Sequence[Attachment] = (),
    about: str = "",
    now: datetime | None = None,
) -> bool:
    """Queue an email to `to`, sent once the caller's transaction commits. False (nothing queued) when no
    mail server is configured. A bad address raises `InvalidInput` before anything is written."""
    if org.smtp is None:
        return False
    now = now or datetime.now(UTC)
    message = build(
        sender=org.smtp.from_address,
        reply_to=org.smtp.reply_to,
        to=to,
        subject=subject,
        text=text,
        attachments=attachments,
        now=now,
    )
    session.add(
        OutgoingMail(
            recipient=str(message["To"]),
            subject=str(message["Subject"])[:SUBJECT_MAX],
            about=about[:ABOUT_MAX],
            message=message.as_bytes(),
            state=PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    session.info[FLAG] = True
    return True


async def lease_due(session: AsyncSession, *, now: datetime, limit: int = 10) -> list[Leased]:
    """Messages due now, leased to the caller so no other worker sends them meanwhile."""
    free = or_(OutgoingMail.leased_until.is_(None), OutgoingMail.leased_until < now)
    due = await session.execute(
        select(OutgoingMail.id, OutgoingMail.recipient, OutgoingMail.attempts)
        .where(OutgoingMail.state == PENDING, OutgoingMail.next_attempt_at <= now, free)
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(limit)
    )
    leased = []
    for mail_id, to, attempts in due.all():
        taken = await session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mail_id, OutgoingMail.state == PENDING, free)
            .values(leased_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            message = await session.scalar(select(OutgoingMail.message).where(OutgoingMail.id == mail_id))
            assert message is not None
            leased.append(Leased(mail_id, to, message, attempts + 1))
    return leased


async def record_result(
    session: AsyncSession, *, now: datetime, mail_id: int, error: str | None, permanent: bool = False
) -> str:
    """Note how a send went (no `error`: the server took it); returns the message's state after it."""
    mail = await session.get(OutgoingMail, mail_id, populate_existing=True)
    if mail is None or mail.state != PENDING:
        return mail.state if mail else FAILED
    mail.attempts += 1
    mail.leased_until = None
    if error is None:
        mail.state = SENT
        mail.sent_at = now
        mail.last_error = None
        mail.message = b""  # sent: the bytes (attachments and all) are not needed any more
    else:
        mail.last_error = error[:ERROR_MAX]
        if permanent or mail.attempts >= MAX_ATTEMPTS:
            mail.state = FAILED
        else:
            mail.next_attempt_at = now + BACKOFF[mail.attempts - 1]
    await session.flush()
    return mail.state


async def status(session: AsyncSession) -> MailStatus:
    """How the queue is doing, for `wrench mail status` and `/metrics`."""
    counts = dict(
        (state, count)
        for state, count in await session.execute(select(OutgoingMail.state, func.count()).group_by(OutgoingMail.state))
    )
    failing = await session.scalar(select(func.count()).where(OutgoingMail.state == PENDING, OutgoingMail.attempts > 0))
    last_error = await session.scalar(
        select(OutgoingMail.last_error)
        .where(OutgoingMail.last_error.is_not(None))
        .order_by(OutgoingMail.id.desc())
        .limit(1)
    )
    return MailStatus(
        pending=counts.get(PENDING, 0),
        failing=int(failing or 0),
        failed=counts.get(FAILED, 0),
        sent=counts.get(SENT, 0),
        last_error=last_error,
    )


async def retry_failed(session: AsyncSession, *, now: datetime) -> int:
    """Queue the messages that failed for good again (the server or address is fixed); returns how many."""
    requeued = await session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.state == FAILED, OutgoingMail.message != b"")
        .values(state=PENDING, attempts=0, next_attempt_at=now, leased_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(requeued.rowcount)  # type: ignore[attr-defined]


async def prune(session: AsyncSession, *, now: datetime) -> int:
    """Forget sent messages older than `KEEP_FOR`; returns how many."""
    old = await session.execute(
        delete(OutgoingMail)
        .where(OutgoingMail.state == SENT, OutgoingMail.created_at < now - KEEP_FOR)
        .execution_options(synchronize_session=False)
    )
    return int(old.rowcount)  # type: ignore[attr-defined]
