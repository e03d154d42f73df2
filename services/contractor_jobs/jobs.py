"""The team's side of contractor work: which vendors may be sent a work order, sending it (a job with a
private link), revoking the link, and confirming the work the contractor marked done."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.contractor_jobs import CONTACT_MAX, NOTE_MAX, REASON_MAX, ContractorJob
from models.contractor_schemas import ContractorOnCard
from models.enums import EventKind, JobState, Status
from models.schemas import Change
from models.vendors import Vendor
from models.work_orders import WorkOrder, WorkOrderEvent
from services.contracting import money, vendors
from services.contractor_jobs.text import without_slack_ids
from services.delivery import outbox
from services.errors import Conflict, DomainError, InvalidInput, NotFound
from services.inputs import checked_text, searchable
from services.mail.queue import queue_mail
from services.organisation import secret_tokens
from services.organisation.org import Organisation
from services.work_orders import changes, downtime, outside_work, rules, timers

PATH = "/contractor/"  # the contractor page's path; the key follows
OPEN = (JobState.SENT, JobState.ACCEPTED, JobState.DONE)
CHOICES = 100  # an external_select shows at most 100 options


@dataclass(frozen=True)
class VendorChoice:
    id: int
    name: str
    expiry: vendors.Expiry | None
    expires_on: date | None  # when there is a warning to show


@dataclass(frozen=True)
class Sent:
    """What sending made: the change (card, thread, webhooks) and the key of the contractor's link."""

    change: Change
    key: str
    vendor: str
    emailed_to: str | None  # the address the link was emailed to, when it was


class NoPublicAddress(DomainError):
    """The link needs the address people outside reach Wrench at."""


def link(org: Organisation, key: str) -> str:
    """The contractor page's address (`portal.public_url` is how people outside reach Wrench)."""
    base = (org.portal.public_url or "").rstrip("/")
    return f"{base}{PATH}{key}"


def check_can_link(org: Organisation) -> None:
    if not org.portal.public_url:
        raise NoPublicAddress(
            "A contractor's link needs the address people outside reach Wrench at: set portal.public_url in "
            "wrench.yml (the portal itself may stay off)."
        )


async def vendor_choices(
    session: AsyncSession, *, org: Organisation, work_order_id: int, typed: str, today: date
) -> list[VendorChoice]:
    """Vendors whose trades include the work order's category, matching `typed` (name or key, any case); when
    no vendor serves that trade at all, every vendor (the work can still go out)."""
    work_order = await changes.load(session, work_order_id)
    wanted = searchable(typed).strip().casefold()
    every = await vendors.listing(session)
    trade = [v for v in every if work_order.category in v.trades]
    pool = trade if trade else every
    found = [v for v in pool if not wanted or wanted in v.name.casefold() or wanted in v.key.casefold()]
    found.sort(key=lambda v: v.name.casefold())
    return [
        VendorChoice(v.id, v.name, warning, v.expires_on if warning else None)
        for v in found[:CHOICES]
        for warning in [vendors.expiry(v.expires_on, today)]
    ]


def not_to_exceed(text: str, currency: str) -> int | None:
    """The not-to-exceed amount typed (decimal text) in minor units; None when left empty."""
    if not text.strip():
        return None
    try:
        return money.to_minor(money.parse_decimal(text), currency)
    except money.AmountError as error:
        raise InvalidInput(_sentence(str(error)), field="not_to_exceed") from None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


async def open_job(session: AsyncSession, work_order_id: int) -> ContractorJob | None:
    found = await session.scalars(
        select(ContractorJob).where(ContractorJob.work_order_id == work_order_id, ContractorJob.closed_at.is_(None))
    )
    return found.first()


async def send(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    vendor_id: int,
    note: str = "",
    contact: str = "",
    not_to_exceed_text: str = "",
) -> Sent:
    """Send the work order to a vendor: a job with a private link, a line in the thread, the card shows it."""
    check_can_link(org)
    note = checked_text(note, field="note", limit=NOTE_MAX, required=False)
    contact = checked_text(contact, field="contact", limit=CONTACT_MAX, required=False)
    nte = not_to_exceed(not_to_exceed_text, org.currency)
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.SEND_TO_CONTRACTOR, seen_version=None)
    if work_order.status not in rules.ACTIVE:
        raise Conflict(f"{changes.ref(work_order)} is {work_order.status.label.lower()}: it cannot be sent out.")
    vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        raise InvalidInput("Pick a vendor from the list.", field="vendor")
    if (current := await open_job(session, work_order.id)) is not None:
        holder = await session.get(Vendor, current.vendor_id)
        name = holder.name if holder else "a contractor"
        raise Conflict(f"{changes.ref(work_order)} is already with {name}: revoke that link first.")
    key = secrets.token_urlsafe(32)
    job = ContractorJob(
        work_order_id=work_order.id,
        vendor_id=vendor.id,
        state=JobState.SENT,
        link_hash=secret_tokens.digest(key),
        note=note,
        contact=contact,
        currency=org.currency,
        not_to_exceed_minor=nte,
        sent_by=user_id,
        sent_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():  # of two sent at once, the unique open job lets one in
            session.add(job)
            await session.flush()
    except IntegrityError:  # another job was sent at the same moment: one open job per work order
        raise Conflict(f"{changes.ref(work_order)} was just sent to a contractor by someone else.") from None
    changes.responded(work_order, now)
    work_order.updated_at = now
    data = {
        "job_id": job.id,
        "vendor": {"key": vendor.key, "name": vendor.name},
        "note": note,
        "not_to_exceed": str(money.from_minor(nte, org.currency)) if nte is not None else None,
        "currency": org.currency,
    }
    event = changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.CONTRACTOR_SENT, data=data)
    change = await changes.done(session, work_order, event)
    url = link(org, key)
    emailed = await hand_over_by_email(
        session, org=org, now=now, work_order=work_order, vendor=vendor, job=job, url=url
    )
    # The sender keeps the link in their DM too (the form shows it once): queued with the job, never lost.
    how = f"It was emailed to {vendor.email}." if emailed else "Copy it to them: it was not emailed."
    text = (
        f"The private link for {vendor.name} to {changes.ref(work_order)} ({work_order.title}):\n{url}\n"
        f"{how} Anyone with the link can act on this job; revoke it from the card's menu if it goes astray."
    )
    outbox.message(session, user_id, text, now=now)
    return Sent(change=change, key=key, vendor=vendor.name, emailed_to=vendor.email if emailed else None)


async def hand_over_by_email(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order: WorkOrder,
    vendor: Vendor,
    job: ContractorJob,
    url: str,
) -> bool:
    """Email the link to the vendor, queued in the sender's transaction (`services.mail`, sent over SMTP when
    `smtp:` is configured). False when it was not: no mail server, or no usable address for the vendor."""
    if not vendor.email:
        return False
    ref = changes.ref(work_order)
    limit = money.shown(job.not_to_exceed_minor, job.currency) if job.not_to_exceed_minor is not None else None
    lines = [
        f"Hello {vendor.contact_name or vendor.name},",
        "",
        f"The {org.team(work_order.team).name} team would like you to do this job: {ref}, {work_order.title}.",
        *([f"Where: {work_order.location}"] if work_order.location else []),
        *([f"Not to exceed: {limit}"] if limit else []),
        *([f"Contact on site: {job.contact}"] if job.contact else []),
        *(["", f"Note: {job.note}"] if job.note else []),
        "",
        "Everything about the job, and where you accept or decline it, post updates, send photos and your",
        "invoice, and mark it done, is on this private page:",
        "",
        url,
        "",
        "Anyone with the link can act on this job: please do not pass it on. It stops working once the job",
        "is finished or the team revokes it.",
    ]
    try:
        return await queue_mail(
            session,
            org,
            to=vendor.email,
            subject=without_slack_ids(f"{ref}: {work_order.title}", org),
            text="\n".join(without_slack_ids(line, org) for line in lines),
            about=f"{ref} sent to {vendor.key}",
            now=now,
        )
    except InvalidInput:  # an address the register kept that mail refuses: the sender copies the link
        return False


async def revoke(
    session: AsyncSession, *, org: Organisation, now: datetime, work_order_id: int, user_id: str, reason: str = ""
) -> Change:
    """A manager takes the contractor's link back: the page stops working at once."""
    reason = checked_text(reason, field="reason", limit=REASON_MAX, required=False)
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.REVOKE_CONTRACTOR, seen_version=None)
    job = await open_job(session, work_order.id)
    if job is None:
        raise Conflict(f"{changes.ref(work_order)} has no contractor link to revoke.")
    revoked = await session.execute(
        update(ContractorJob)
        .where(ContractorJob.id == job.id, ContractorJob.closed_at.is_(None))
        .values(state=JobState.REVOKED, closed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not revoked.rowcount:  # type: ignore[attr-defined]
        raise Conflict(f"The contractor's link of {changes.ref(work_order)} was just closed.")
    vendor = await session.get(Vendor, job.vendor_id)
    data = {"job_id": job.id, "vendor": _vendor(vendor), "why": "revoked", "reason": reason}
    await changes.touch(session, work_order, now)
    event = changes.record(session, work_order, now=now, actor_id=user_id, kind=EventKind.CONTRACTOR_REVOKED, data=data)
    return await changes.done(session, work_order, event)


async def confirm_completion(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    seen_version: int | None = None,
) -> Change:
    """The team agrees the contractor's work is done: the work order is completed with their resolution
    (completed by the person confirming), and the requester is asked to confirm as for any completion."""
    work_order = await changes.load(session, work_order_id)
    changes.check(org, work_order, user_id, rules.Permission.REVIEW_CONTRACTOR, seen_version=seen_version)
    job = await open_job(session, work_order.id)
    if job is None or job.state is not JobState.DONE:
        raise Conflict(f"{changes.ref(work_order)} has no contractor's work waiting for review.")
    events: list[WorkOrderEvent] = []
    if work_order.status is Status.ON_HOLD:  # completion is reached through work, as for the buttons
        work_order.hold_reason, work_order.status_note, work_order.on_hold_since = None, None, None
        events.append(changes.move(session, work_order, Status.IN_PROGRESS, now=now, actor_id=user_id))
    events += await timers.stop_all(session, org, work_order, now=now, actor_id=user_id)
    events += await outside_work.close_jobs(session, work_order, now=now, actor_id=user_id, why="completed")
    vendor = await session.get(Vendor, job.vendor_id)
    work_order.resolution = job.resolution or "Done by the contractor."
    work_order.completed_at = now
    work_order.completed_by = user_id
    work_order.status_note = None
    data = {"resolution": work_order.resolution, "cause": None, "files": 0, "contractor": _vendor(vendor)}
    events.append(changes.move(session, work_order, Status.COMPLETED, now=now, actor_id=user_id, data=data))
    back_up = await downtime.back_up_if_done(session, work_order, now=now, actor_id=user_id)
    if back_up is not None:
        events.append(back_up)
    return await changes.done(session, work_order, *events)


def _vendor(vendor: Vendor | None) -> dict[str, str]:
    return {"key": vendor.key, "name": vendor.name} if vendor else {"key": "", "name": "the contractor"}


async def on_card(session: AsyncSession, work_order_id: int) -> ContractorOnCard | None:
    """The open job the card shows, with its amounts written out."""
    job = await open_job(session, work_order_id)
    if job is None:
        return None
    vendor = await session.get(Vendor, job.vendor_id)
    return ContractorOnCard(
        job_id=job.id,
        vendor=vendor.name if vendor else "a contractor",
        state=job.state,
        not_to_exceed=money.shown(job.not_to_exceed_minor, job.currency)
        if job.not_to_exceed_minor is not None
        else None,
        cost=money.shown(job.cost_minor, job.currency) if job.cost_minor is not None else None,
        hours=hours_text(job.minutes),
        resolution=job.resolution,
    )


def hours_text(minutes: int | None) -> str | None:
    if minutes is None:
        return None
    return f"{minutes / 60:g} h"


async def job_by_key(session: AsyncSession, key: str, *, lock: bool = False) -> ContractorJob:
    """The job a link's key names; `NotFound` for any other text."""
    if not key or len(key) > 64:
        raise NotFound("There is no job at this address.")
    query = select(ContractorJob).where(ContractorJob.link_hash == secret_tokens.digest(key))
    found = (await session.scalars(query.with_for_update() if lock else query)).first()
    if found is None:
        raise NotFound("There is no job at this address.")
    return found


async def vendor_is_known(session: AsyncSession, vendor_id: int) -> bool:
    return await session.get(Vendor, vendor_id) is not None


async def work_order_of(session: AsyncSession, job: ContractorJob) -> WorkOrder:
    found = await session.get(WorkOrder, job.work_order_id)
    if found is None:
        raise NotFound("There is no job at this address.")
    return found
