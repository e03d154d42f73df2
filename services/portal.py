"""The web request portal's domain: people without Slack file a request (it goes through the same
`requests.submit` as `/request`: approval rules, custom fields, the team's card) and follow it on a
status page whose address holds a secret key.

Portal requests are filed as `PORTAL_REQUESTER`, not a Slack user: nobody is sent a DM about them; the
name and email the person gave are kept on the request and shown on the card.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, RequestStatus, Status
from models.requests import ServiceRequest
from models.schemas import RequestCreate, Submission
from models.work_orders import WorkOrder, WorkOrderEvent
from services import places, requests
from services.errors import InvalidFields, InvalidInput, NotFound
from services.org import Organisation

PORTAL_REQUESTER = "portal"
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")
LIMITS = {"title": 150, "description": 3000, "location": 200, "name": 120, "email": 254}


@dataclass(frozen=True)
class PortalRequest:
    """What the portal form sent, as text (custom fields by key, as the form names them)."""

    category: str
    title: str
    description: str = ""
    location: str = ""
    asset_tag: str = ""
    name: str = ""
    email: str = ""
    custom_fields: dict[str, Any] | None = None
    attachments: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class StatusLine:
    at: datetime
    text: str


@dataclass(frozen=True)
class PortalStatus:
    ref: str
    title: str
    category: str
    submitted_at: datetime
    state: str
    detail: str | None
    work_order_ref: str | None
    history: tuple[StatusLine, ...]


def _checked(form: PortalRequest) -> dict[str, str]:
    """Each field that is wrong, by form field name."""
    errors: dict[str, str] = {}
    values = {
        "title": form.title,
        "description": form.description,
        "location": form.location,
        "name": form.name,
        "email": form.email,
    }
    for field, value in values.items():
        if len(value.strip()) > LIMITS[field]:
            errors[field] = f"Use at most {LIMITS[field]} characters."
    if not form.title.strip():
        errors["title"] = "Say in a few words what is wrong."
    if form.email.strip() and not EMAIL.match(form.email.strip()):
        errors["email"] = "This does not look like an email address."
    return errors


async def submit(
    session: AsyncSession, *, org: Organisation, now: datetime, form: PortalRequest
) -> tuple[Submission, str]:
    """File the request; returns it and the key of its status page. `InvalidFields` names every wrong field."""
    errors = _checked(form)
    if org.category(form.category) is None:
        errors["category"] = "Pick a category."
    asset_id = None
    if form.asset_tag.strip():
        try:
            asset_id = (await places.asset_by_tag(session, form.asset_tag)).id
        except NotFound:
            errors["asset"] = f"There is no asset tagged {form.asset_tag.strip()[:64]}."
    if errors:
        raise InvalidFields(errors)
    request = RequestCreate(
        title=form.title.strip(),
        category=form.category,
        description=form.description.strip(),
        location=form.location.strip(),
        asset_id=asset_id,
        custom_fields=form.custom_fields or {},
        attachments=form.attachments,
    )
    try:
        submission = await requests.submit(session, org=org, now=now, requester_id=PORTAL_REQUESTER, request=request)
    except InvalidFields as error:  # custom fields: named as the form names them
        raise InvalidFields({f"field_{key}": message for key, message in error.errors.items()}) from None
    except InvalidInput as error:
        raise InvalidFields({error.field or "title": str(error)}) from None
    assert submission is not None  # no source key: never a repeat
    key = secrets.token_urlsafe(32)
    await session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == submission.request.id)
        .values(requester_name=form.name.strip() or None, requester_email=form.email.strip() or None, status_key=key)
        .execution_options(synchronize_session=False)
    )
    return submission, key


async def contact_of(session: AsyncSession, request_id: int | None) -> str | None:
    """ "Jane Doe <jane@example.com>" for a portal request (what the card shows as its requester)."""
    if request_id is None:
        return None
    found = await session.execute(
        select(ServiceRequest.requester_name, ServiceRequest.requester_email).where(ServiceRequest.id == request_id)
    )
    row = found.first()
    if row is None:
        return None
    name, email = row
    if name and email:
        return f"{name} <{email}>"
    return name or email or "someone on the web portal"


async def status(session: AsyncSession, *, org: Organisation, key: str) -> PortalStatus:
    """What the requester may see: where their request stands, and the steps it went through."""
    stored = await session.scalar(select(ServiceRequest).where(ServiceRequest.status_key == key)) if key else None
    if stored is None:
        raise NotFound("There is no request at this address.")
    work_order = await session.scalar(select(WorkOrder).where(WorkOrder.request_id == stored.id))
    history = [StatusLine(stored.created_at, "Request received")]
    if stored.status is RequestStatus.PENDING_APPROVAL:
        state, detail = "Waiting for approval", None
    elif stored.status is RequestStatus.REJECTED:
        state, detail = "Not approved", stored.rejection_reason
        history.append(StatusLine(stored.decided_at or stored.updated_at, "Not approved"))
    elif work_order is None:
        state, detail = "Approved", None
    else:
        state, detail = _state_of(work_order)
        events = await session.scalars(
            select(WorkOrderEvent)
            .where(
                WorkOrderEvent.work_order_id == work_order.id,
                WorkOrderEvent.kind.in_([EventKind.ASSIGNED, EventKind.STATUS_CHANGED]),
            )
            .order_by(WorkOrderEvent.id)
        )
        history += [StatusLine(event.at, text) for event in events if (text := _step(event))]
    return PortalStatus(
        ref=f"REQ-{stored.id}",
        title=stored.title,
        category=org.category_name(stored.category),
        submitted_at=stored.created_at,
        state=state,
        detail=detail,
        work_order_ref=f"WO-{work_order.number}" if work_order else None,
        history=tuple(history),
    )


def _state_of(work_order: WorkOrder) -> tuple[str, str | None]:
    match work_order.status:
        case Status.OPEN:
            return ("Assigned to a technician" if work_order.assignee_id else "Waiting for a technician"), None
        case Status.IN_PROGRESS:
            return "Being worked on", None
        case Status.ON_HOLD:
            reason = work_order.hold_reason.label if work_order.hold_reason else "On hold"
            return f"On hold: {reason.lower()}", work_order.status_note
        case Status.COMPLETED | Status.CLOSED:
            return "Done", work_order.resolution
        case Status.CANCELLED:
            return "Cancelled", work_order.status_note
    return work_order.status.label, None


def _step(event: WorkOrderEvent) -> str | None:
    if event.kind == EventKind.ASSIGNED:
        return "A technician took it on"
    if event.kind == EventKind.CREATED:
        return None
    steps = {
        Status.IN_PROGRESS: "Work started",
        Status.ON_HOLD: "Put on hold",
        Status.COMPLETED: "Completed",
        Status.CLOSED: "Closed",
        Status.CANCELLED: "Cancelled",
        Status.OPEN: "Reopened",
    }
    return steps.get(Status(event.to_status)) if event.to_status is not None else None
