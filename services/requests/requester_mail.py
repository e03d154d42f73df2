"""What people outside Slack hear by email about their request (filed by email, or on the web portal
with an address): taken on, on hold, completed with the resolution, cancelled; approved or rejected.
Each is queued once (its key is the event), threaded under the mail the request came in."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, Status
from models.mail import IncomingMail
from models.requests import ServiceRequest
from models.schemas import OUTSIDE_REQUESTERS, Change, EventRead, ServiceRequestRead, WorkOrderRead
from services.mail.queue import queue_mail
from services.organisation.org import Organisation


def update_text(wo: WorkOrderRead, event: EventRead, *, told_anyway: bool = False) -> str | None:
    """What the requester is told of `event`; None for events they are not told of. Taking work on is
    not told when the same change also holds or completes it (`told_anyway`): that says more."""
    first = event.kind == EventKind.ASSIGNED and not event.data.get("previous_assignee_id")
    if first and not told_anyway:
        return f"Someone from the team has taken on {wo.ref}; they will be in touch if they need anything."
    if event.to_status is Status.ON_HOLD:
        reason = f" ({wo.hold_reason.label.lower()})" if wo.hold_reason else ""
        return f"{wo.ref} is on hold for now{reason}. We will write when work resumes."
    if event.to_status is Status.IN_PROGRESS and event.from_status is Status.ON_HOLD:
        return f"Work on {wo.ref} has resumed."
    if event.to_status is Status.COMPLETED:
        done = f"\n\nWhat was done: {wo.resolution}" if wo.resolution else ""
        return f"{wo.ref} is done.{done}\n\nIf it is not fixed, reply to this email: the team sees your reply."
    if event.to_status is Status.CANCELLED:
        why = f"\n\nThe reason given: {wo.status_note}" if wo.status_note else ""
        return f"{wo.ref} was cancelled.{why}"
    return None


async def work_order_updates(session: AsyncSession, *, org: Organisation, now: datetime, change: Change) -> int:
    """Queue the emails `change` calls for, each once (a change delivered again queues nothing more);
    how many were queued."""
    wo = change.work_order
    if wo.requester_id not in OUTSIDE_REQUESTERS or wo.request_id is None or org.smtp is None:
        return 0
    told_anyway = any(e.to_status in (Status.ON_HOLD, Status.COMPLETED) for e in change.events)
    queued = 0
    for event in change.events:
        text = update_text(wo, event, told_anyway=told_anyway)
        if event.to_status is Status.CLOSED and wo.rating is None:
            text = await _rating_ask(session, org, wo)
        if text is not None:
            sent = await _send(
                session,
                org=org,
                now=now,
                request_id=wo.request_id,
                ref=wo.ref,
                title=wo.title,
                text=text,
                key=f"event:{event.id}",
            )
            queued += int(sent)
    return queued


async def _rating_ask(session: AsyncSession, org: Organisation, wo: WorkOrderRead) -> str | None:
    """When the work closes: a link to rate it on its status page (the portal must be on to show it)."""
    if wo.request_id is None:
        return None
    key = await session.scalar(select(ServiceRequest.status_key).where(ServiceRequest.id == wo.request_id))
    page = org.status_page_url(key) if key else None
    if page is None:
        return None
    return f"{wo.ref} is closed. How well was it done? Rate it from 1 to 5 (once, a comment if you like): {page}"


async def request_decided(
    session: AsyncSession, *, org: Organisation, now: datetime, request: ServiceRequestRead
) -> bool:
    """An approver decided on a request that waited: the requester hears which way."""
    if request.requester_id not in OUTSIDE_REQUESTERS or request.decided_at is None or org.smtp is None:
        return False
    if request.rejection_reason is not None:
        text = f"{request.ref} was not approved. The reason given: {request.rejection_reason}"
    else:
        text = f"{request.ref} was approved: the team has it now. We will write when someone takes it on."
    return await _send(
        session,
        org=org,
        now=now,
        request_id=request.id,
        ref=request.ref,
        title=request.title,
        text=text,
        key=f"request:{request.id}:decided",
    )


async def _send(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    request_id: int,
    ref: str,
    title: str,
    text: str,
    key: str,
) -> bool:
    email = await session.scalar(select(ServiceRequest.requester_email).where(ServiceRequest.id == request_id))
    if not email:
        return False
    first = await session.scalar(select(IncomingMail.message_id).where(IncomingMail.request_id == request_id))
    return await queue_mail(
        session,
        org,
        to=email,
        subject=f"[{ref}] {title}",
        text=text + "\n",
        about=ref,
        now=now,
        in_reply_to=first,
        references=[first] if first else [],
        key=key,
    )
