"""The contractor's side: what their private page shows (the job, never another work order nor a Slack id),
and what they do there — accept or decline, post updates, send photos and the invoice, give their cost and
hours, mark the work done. Each step is an event with the vendor as its actor, a line in the card's thread
and a webhook event, written in one transaction. Each moves the job with a conditional UPDATE on its state,
so two submissions at once (a double tap, two phones) change it once."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.contractor_jobs import REASON_MAX, RESOLUTION_MAX, ContractorJob
from models.enums import EventKind, FieldType, JobState
from models.schemas import Change, vendor_actor
from models.vendors import Vendor
from models.work_orders import WorkOrder
from services.contracting import money
from services.contractor_jobs import files, jobs
from services.contractor_jobs.text import without_slack_ids
from services.errors import Conflict, DomainError, InvalidFields, InvalidInput, NotFound
from services.inputs import checked_text
from services.inventory import places
from services.organisation import custom_fields
from services.organisation.org import Organisation
from services.work_orders import changes

UPDATE_MAX = 2000
PHOTO_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
PHOTO_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}
MAX_HOURS = 1000


class LinkClosed(DomainError):
    """The link no longer acts: revoked, declined or finished. Its message says which, and nothing else."""


@dataclass(frozen=True)
class Job:
    """What the contractor's page shows."""

    ref: str
    vendor: str
    state: JobState
    title: str
    description: str
    location: str
    asset: str | None
    contact: str
    note: str
    not_to_exceed: str | None
    currency: str
    cost: str | None
    hours: str | None
    files: tuple[tuple[str, str], ...]
    details: tuple[tuple[str, str], ...]  # the category's own questions and their answers, as text
    team_photos: tuple[str, ...]  # the names of the team's photos, shown from Slack in this order
    team_files: int  # other files the team holds in Slack (documents: not shown outside it)
    sent_at: datetime


async def _acting(session: AsyncSession, key: str) -> tuple[ContractorJob, Vendor, WorkOrder]:
    job = await jobs.job_by_key(session, key)
    vendor = await session.get(Vendor, job.vendor_id)
    work_order = await jobs.work_order_of(session, job)
    if vendor is None:
        raise LinkClosed("This link no longer works.")
    closed(job, work_order)
    return job, vendor, work_order


def closed(job: ContractorJob, work_order: WorkOrder) -> None:
    """`LinkClosed` when the link is revoked, declined or its work finished."""
    if job.state is JobState.DECLINED:
        raise LinkClosed("You declined this job, so this link no longer works.")
    if job.state is JobState.DONE:
        raise LinkClosed("You marked this job done: thank you. The team will confirm it; this link no longer works.")
    if work_order.status.value in ("completed", "closed", "cancelled"):
        raise LinkClosed("This job is finished: this link no longer works.")
    if job.state is JobState.REVOKED or job.closed_at is not None:
        raise LinkClosed("This link was revoked by the team: it no longer works. Ask them if you need it again.")


async def show(session: AsyncSession, *, org: Organisation, key: str) -> Job:
    job, vendor, work_order = await _acting(session, key)
    photos, others = _team_files(work_order)
    return Job(
        ref=changes.ref(work_order),
        vendor=vendor.name,
        state=job.state,
        title=without_slack_ids(work_order.title, org),
        description=without_slack_ids(work_order.description, org),
        location=without_slack_ids(work_order.location, org),
        asset=await places.asset_label(session, work_order.asset_id),
        contact=job.contact,
        note=without_slack_ids(job.note, org),
        not_to_exceed=_money(job.not_to_exceed_minor, job.currency),
        currency=job.currency,
        cost=_money(job.cost_minor, job.currency),
        hours=jobs.hours_text(job.minutes),
        files=tuple(await files.names_of(session, job.id)),
        details=_details(org, work_order),
        team_photos=tuple(without_slack_ids(str(photo.get("name") or ""), org) for photo in photos),
        team_files=len(others),
        sent_at=job.sent_at,
    )


def _team_files(work_order: WorkOrder) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The team's files of the work (not the contractor's own): (photos the page shows, the others)."""
    theirs = [file for file in work_order.attachments if file.get("stage") != "contractor"]
    photos = [file for file in theirs if file.get("id") and _is_photo(file)]
    return photos, [file for file in theirs if file not in photos]


def _is_photo(file: dict[str, Any]) -> bool:
    """By the type Slack gave the file, else by its name: what a browser shows as an image."""
    kind = str(file.get("mimetype") or "")
    if kind:
        return kind in PHOTO_TYPES
    return str(file.get("name") or "").rsplit(".", 1)[-1].lower() in PHOTO_EXTENSIONS


async def team_photo(session: AsyncSession, *, key: str, number: int) -> str:
    """The Slack id of the team's photo `number` (from 1) on the job's page; `NotFound` past the last,
    `LinkClosed` once the link no longer works."""
    _, _, work_order = await _acting(session, key)
    photos, _ = _team_files(work_order)
    if not 1 <= number <= len(photos):
        raise NotFound("There is no such photo.")
    return str(photos[number - 1]["id"])


def _details(org: Organisation, work_order: WorkOrder) -> tuple[tuple[str, str], ...]:
    """The answers to the category's own questions (floor, what is wrong…); a person is named from `people:`
    or left out, never given as a Slack id."""
    category = org.category(work_order.category)
    shown = []
    for key, value in work_order.custom_fields.items():
        spec = category.field(key) if category else None
        if spec is None or value in (None, ""):
            continue
        if spec.type is FieldType.USER:
            person = org.people.get(str(value))
            if person is None:
                continue
            text = person.name
        else:
            text = without_slack_ids(custom_fields.display(spec, value), org)
        shown.append((spec.label, text))
    return tuple(shown)


def _money(minor: int | None, currency: str) -> str | None:
    return money.shown(minor, currency) if minor is not None else None


async def _move(
    session: AsyncSession, job: ContractorJob, *, now: datetime, frm: JobState, to: JobState, **values: Any
) -> None:
    """The job from `frm` to `to`, only if it still is `frm` and open: of two at once, one moves it."""
    moved = await session.execute(
        update(ContractorJob)
        .where(ContractorJob.id == job.id, ContractorJob.state == frm, ContractorJob.closed_at.is_(None))
        .values(state=to, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        raise Conflict("This job changed a moment ago: the page shows it as it is now.")


def _data(job: ContractorJob, vendor: Vendor, **more: Any) -> dict[str, Any]:
    return {"job_id": job.id, "vendor": {"key": vendor.key, "name": vendor.name}, "sent_by": job.sent_by, **more}


async def _recorded(
    session: AsyncSession,
    work_order: WorkOrder,
    vendor: Vendor,
    *,
    now: datetime,
    kind: EventKind,
    data: dict[str, Any],
) -> Change:
    """The contractor's step as an event with the vendor as its actor: the thread line, webhooks, the outbox."""
    event = changes.record(session, work_order, now=now, actor_id=vendor_actor(vendor.id), kind=kind, data=data)
    return await changes.done(session, work_order, event)


def _need(job: ContractorJob, state: JobState, doing: str) -> None:
    if job.state is not state:
        first = "accept it first" if state is JobState.ACCEPTED else "it is accepted already"
        raise Conflict(f"You cannot {doing} now: {first}.")


async def accept(session: AsyncSession, *, org: Organisation, now: datetime, key: str) -> Change:
    job, vendor, work_order = await _acting(session, key)
    _need(job, JobState.SENT, "accept this job")
    await _move(session, job, now=now, frm=JobState.SENT, to=JobState.ACCEPTED, accepted_at=now)
    await changes.touch(session, work_order, now)
    return await _recorded(
        session, work_order, vendor, now=now, kind=EventKind.CONTRACTOR_ACCEPTED, data=_data(job, vendor)
    )


async def decline(session: AsyncSession, *, org: Organisation, now: datetime, key: str, reason: str) -> Change:
    """The contractor will not do it: the link closes and the work order is back with the team, unassigned."""
    reason = checked_text(reason, field="reason", limit=REASON_MAX, ask="Say why you cannot take it.")
    job, vendor, work_order = await _acting(session, key)
    _need(job, JobState.SENT, "decline this job")
    await _move(session, job, now=now, frm=JobState.SENT, to=JobState.DECLINED, decline_reason=reason, closed_at=now)
    previous = work_order.assignee_id
    work_order.assignee_id = None
    work_order.updated_at = now
    data = _data(job, vendor, reason=reason, previous_assignee_id=previous)
    return await _recorded(session, work_order, vendor, now=now, kind=EventKind.CONTRACTOR_DECLINED, data=data)


async def post_update(session: AsyncSession, *, org: Organisation, now: datetime, key: str, text: str) -> Change:
    text = checked_text(text, field="update", limit=UPDATE_MAX, ask="Write the update first.")
    job, vendor, work_order = await _acting(session, key)
    _need(job, JobState.ACCEPTED, "post an update")
    await changes.touch(session, work_order, now)
    return await _recorded(
        session, work_order, vendor, now=now, kind=EventKind.CONTRACTOR_UPDATE, data=_data(job, vendor, text=text)
    )


async def add_files(
    session: AsyncSession, *, org: Organisation, now: datetime, key: str, uploads: list[files.Upload]
) -> Change:
    if not uploads:
        raise InvalidInput("Choose a photo or the invoice to send.", field="photos")
    job, vendor, work_order = await _acting(session, key)
    _need(job, JobState.ACCEPTED, "send files")
    names = await files.keep(session, job, changes.ref(work_order), uploads, now=now)
    await changes.touch(session, work_order, now)
    kinds = [upload.kind for upload in uploads]
    data = _data(job, vendor, files=names, photos=kinds.count("photo"), invoice=kinds.count("invoice"))
    return await _recorded(session, work_order, vendor, now=now, kind=EventKind.CONTRACTOR_FILES, data=data)


def parse_hours(text: str) -> int | None:
    """Hours typed (2 or 2.5) as whole minutes; None when left empty."""
    written = text.strip()
    if not written:
        return None
    try:
        hours = Decimal(written)
    except InvalidOperation:
        raise InvalidInput(
            f"“{written[:20]}” is not a number of hours: write it like 2 or 2.5.", field="hours"
        ) from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise InvalidInput(f"Hours are more than 0 and at most {MAX_HOURS}.", field="hours")
    return int((hours * 60).to_integral_value())


async def set_cost(
    session: AsyncSession, *, org: Organisation, now: datetime, key: str, cost: str, hours: str
) -> Change:
    """The contractor's cost (decimal text in the job's currency) and hours; over the not-to-exceed amount is
    taken and flagged to the team, not refused (the invoice says what it says)."""
    errors: dict[str, str] = {}
    job, vendor, work_order = await _acting(session, key)
    minor = minutes = None
    try:
        minor = money.to_minor(money.parse_decimal(cost), job.currency) if cost.strip() else None
        if minor is None:
            errors["cost"] = "Give your cost, like 450 or 450.00."
    except money.AmountError as error:
        errors["cost"] = str(error)[:1].upper() + str(error)[1:] + "."
    try:
        minutes = parse_hours(hours)
    except InvalidInput as error:
        errors["hours"] = str(error)
    if errors:
        raise InvalidFields(errors)
    _need(job, JobState.ACCEPTED, "give your cost")
    changed = await session.execute(
        update(ContractorJob)
        .where(ContractorJob.id == job.id, ContractorJob.state == JobState.ACCEPTED, ContractorJob.closed_at.is_(None))
        .values(cost_minor=minor, minutes=minutes, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise Conflict("This job changed a moment ago: the page shows it as it is now.")
    await changes.touch(session, work_order, now)
    over = job.not_to_exceed_minor is not None and minor is not None and minor > job.not_to_exceed_minor
    data = _data(
        job,
        vendor,
        cost=str(money.from_minor(minor, job.currency)) if minor is not None else None,
        currency=job.currency,
        minutes=minutes,
        over_not_to_exceed=_money(job.not_to_exceed_minor, job.currency) if over else None,
    )
    return await _recorded(session, work_order, vendor, now=now, kind=EventKind.CONTRACTOR_COST, data=data)


async def mark_done(session: AsyncSession, *, org: Organisation, now: datetime, key: str, resolution: str) -> Change:
    """The contractor says the work is done: the team reviews it (the card asks them to confirm)."""
    resolution = checked_text(resolution, field="resolution", limit=RESOLUTION_MAX, ask="Say what was done.")
    job, vendor, work_order = await _acting(session, key)
    _need(job, JobState.ACCEPTED, "mark it done")
    await _move(session, job, now=now, frm=JobState.ACCEPTED, to=JobState.DONE, done_at=now, resolution=resolution)
    await changes.touch(session, work_order, now)
    data = _data(
        job,
        vendor,
        resolution=resolution,
        cost=str(money.from_minor(job.cost_minor, job.currency)) if job.cost_minor is not None else None,
        currency=job.currency,
        minutes=job.minutes,
    )
    return await _recorded(session, work_order, vendor, now=now, kind=EventKind.CONTRACTOR_DONE, data=data)
