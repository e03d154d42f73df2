"""Requests by email: a message read from the requests mailbox is filed as a request (subject → title,
text → description, photos → the card's thread, sender → contact), added as a note to the work order it
answers, or set aside as automatic (an auto-reply, a bounce) or from a blocked sender. Each message is
taken once, by its Message-ID, in the transaction that files it; the sender is answered by email.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.mail import IncomingMail, OutgoingMail
from models.requests import RequestPhoto, ServiceRequest
from models.schemas import DESCRIPTION_MAX, EMAIL_REQUESTER, TITLE_MAX, RequestCreate
from models.work_orders import WorkOrder
from services.errors import DomainError, InvalidFields
from services.mail.incoming import Incoming
from services.mail.queue import queue_mail
from services.organisation.org import Organisation
from services.requests import service as requests
from services.requests.photos import PreparedPhoto
from services.work_orders import work_log

FILED, REPLY, IGNORED, REFUSED = "filed", "reply", "ignored", "refused"
REFERENCE = re.compile(r"\[(WO|REQ)-([0-9]{1,9})\]")
ACTOR_MAX = 32


@dataclass(frozen=True)
class Taken:
    outcome: str  # filed, reply, ignored, refused; "seen" when it was taken before
    ref: str | None = None  # WO-12 or REQ-5
    reason: str = ""


@dataclass(frozen=True)
class Photo:
    filename: str
    prepared: PreparedPhoto


async def seen(session: AsyncSession, message_id: str) -> bool:
    return await session.scalar(select(IncomingMail.id).where(IncomingMail.message_id == message_id)) is not None


async def take(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    mail: Incoming,
    photos: list[Photo],
    not_kept: list[str],
) -> Taken:
    """File, note or set aside `mail` (its photos prepared off the event loop; `not_kept` names the
    attachments that were not). The record of it is written first: a second reader's transaction fails
    on its Message-ID and files nothing."""
    assert org.email is not None
    record = IncomingMail(
        message_id=mail.message_id,
        sender=mail.sender[:254],
        subject=mail.subject[:250],
        outcome=IGNORED,
        received_at=now,
    )
    session.add(record)
    await session.flush()  # a duplicate fails here, before anything else is written
    ignored = _robot_or_blocked(org, mail)
    if ignored:
        record.reason = ignored[:300]
        return Taken(IGNORED, reason=ignored)
    work_order = await _answered(session, mail)
    if work_order is not None:
        text = mail.text or "(an empty reply)"
        if not_kept:
            text += f"\n(Not kept: {', '.join(not_kept)})"
        actor = mail.sender[:ACTOR_MAX]  # an address is never taken for a Slack user id
        await work_log.add_note(
            session, org=org, now=now, work_order_id=work_order.id, user_id=actor, text=text[:2000], source="email"
        )
        record.outcome, record.work_order_id = REPLY, work_order.id
        return Taken(REPLY, ref=f"WO-{work_order.number}")
    return await _file(session, org=org, now=now, mail=mail, record=record, photos=photos, not_kept=not_kept)


def _robot_or_blocked(org: Organisation, mail: Incoming) -> str | None:
    assert org.email is not None
    if mail.robot:
        return mail.robot
    ours = {org.email.mailbox(), *([parseaddr(org.smtp.from_address)[1].lower()] if org.smtp else [])}
    if mail.sender in ours:
        return "sent by Wrench itself"
    if org.email.blocks(mail.sender):
        return "a blocked sender"
    return None


async def _answered(session: AsyncSession, mail: Incoming) -> WorkOrder | None:
    """The work order this mail answers: one whose email it names in In-Reply-To or References, or whose
    number is in its subject when it comes from the person who asked for that work."""
    if mail.answers:
        about = await session.scalar(
            select(OutgoingMail.about)
            .where(OutgoingMail.message_id.in_(mail.answers), OutgoingMail.about.like("WO-%"))
            .order_by(OutgoingMail.id.desc())
            .limit(1)
        )
        if about:
            found = await session.scalar(select(WorkOrder).where(WorkOrder.number == int(about.removeprefix("WO-"))))
            if found is not None:
                return found
    for kind, number in REFERENCE.findall(mail.subject):
        query = select(WorkOrder).join(ServiceRequest, ServiceRequest.id == WorkOrder.request_id)
        query = (
            query.where(WorkOrder.number == int(number))
            if kind == "WO"
            else query.where(ServiceRequest.id == int(number))
        )
        found = await session.scalar(query.where(ServiceRequest.requester_email == mail.sender))
        if found is not None:
            return found
    return None


async def _file(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    mail: Incoming,
    record: IncomingMail,
    photos: list[Photo],
    not_kept: list[str],
) -> Taken:
    assert org.email is not None
    first_line = next((line.strip() for line in mail.text.splitlines() if line.strip()), "")
    title = (REFERENCE.sub("", mail.subject).strip() or first_line or "A request by email")[:TITLE_MAX]
    description = mail.text
    if not_kept:
        description += f"\n\n(Attachments not kept: {', '.join(not_kept)})"
    request = RequestCreate(
        title=title,
        category=org.email.category_for(mail.recipients, f"{mail.subject}\n{mail.text}"),
        description=description.strip()[:DESCRIPTION_MAX],
    )
    source_key = "email:" + hashlib.sha256(mail.message_id.encode()).hexdigest()[:48]
    try:
        submission = await requests.submit(
            session, org=org, now=now, requester_id=EMAIL_REQUESTER, request=request, source_key=source_key
        )
    except (InvalidFields, DomainError) as refused:
        reason = _refusal(refused)
        record.outcome, record.reason = REFUSED, reason[:300]
        await queue_mail(
            session,
            org,
            to=mail.sender,
            subject=f"Re: {mail.subject}" if mail.subject else "Your request by email",
            text=(
                f"We could not file your request by email: {reason}\n\n"
                + (f"Please use the request form: {_form_url(org)}\n" if _form_url(org) else "")
            ),
            about="",
            now=now,
            in_reply_to=mail.message_id,
            references=[*mail.answers, mail.message_id],
        )
        return Taken(REFUSED, reason=reason)
    assert submission is not None  # the record's Message-ID is new, so is the source key
    status_key = secrets.token_urlsafe(32)
    contact = {"requester_name": (mail.sender_name or None), "requester_email": mail.sender, "status_key": status_key}
    await session.execute(update(ServiceRequest).where(ServiceRequest.id == submission.request.id).values(**contact))
    for photo in photos:
        session.add(
            RequestPhoto(
                request_id=submission.request.id,
                filename=f"{submission.request.ref}-{photo.filename}"[:200],
                content_type=photo.prepared.content_type,
                size=len(photo.prepared.content),
                content=photo.prepared.content,
                created_at=now,
            )
        )
    work_order = submission.change.work_order if submission.change else None
    ref = work_order.ref if work_order else submission.request.ref
    record.outcome, record.request_id = FILED, submission.request.id
    record.work_order_id = work_order.id if work_order else None
    await session.flush()
    await queue_mail(
        session,
        org,
        to=mail.sender,
        subject=f"[{ref}] {title}",
        text=_acknowledgement(org, ref, title, status_key, waits=work_order is None),
        about=ref,
        now=now,
        in_reply_to=mail.message_id,
        references=[*mail.answers, mail.message_id],
    )
    return Taken(FILED, ref=ref)


def _refusal(error: DomainError) -> str:
    if isinstance(error, InvalidFields):
        return "; ".join(f"{field}: {message}" for field, message in error.errors.items())
    return str(error)


def _form_url(org: Organisation) -> str | None:
    if not (org.portal.enabled and org.portal.public_url):
        return None
    return f"{org.portal.public_url.rstrip('/')}/portal"


def _acknowledgement(org: Organisation, ref: str, title: str, status_key: str, *, waits: bool) -> str:
    lines = [f"We have your request “{title}”: it is {ref}."]
    if waits:
        lines.append("It needs a manager's approval first; we will write when it is decided.")
    else:
        lines.append("The team has it now; we will write when someone takes it on and when it is done.")
    page = org.status_page_url(status_key)
    if page:
        lines.append(f"Follow it here: {page}")
    lines += ["", f"To add to it, reply to this email (keep {ref} in the subject)."]
    return "\n".join(lines) + "\n"
