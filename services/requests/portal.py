"""The web request portal's domain: people without Slack file a request (it goes through the same
`requests.submit` as `/request`: approval rules, custom fields, the team's card) and follow it on a
status page whose address holds a secret key.

Portal requests are filed as `PORTAL_REQUESTER`, not a Slack user: nobody is sent a DM about them; the
name and email the person gave are kept on the request and shown on the card. A photo sent with the
form is kept in the database until it is shared in the thread of the work order's card.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, FieldType, RequestStatus, Status
from models.places import Asset, Location
from models.requests import RequestPhoto, ServiceRequest
from models.schemas import (
    DESCRIPTION_MAX,
    LOCATION_MAX,
    PORTAL_REQUESTER,
    TITLE_MAX,
    RequestCreate,
    Submission,
    web_contact,
)
from models.work_orders import WorkOrder, WorkOrderEvent
from services.errors import InvalidFields, InvalidInput, NotFound
from services.inventory import places
from services.organisation import custom_fields
from services.organisation.org import Organisation
from services.requests import service as requests
from services.requests.photos import PreparedPhoto
from services.work_orders import satisfaction

__all__ = ["PORTAL_REQUESTER", "PortalRequest", "PreparedPhoto", "contact_of", "status", "submit"]

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")
LIMITS = {"title": TITLE_MAX, "description": DESCRIPTION_MAX, "location": LOCATION_MAX, "name": 120, "email": 254}


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
    photo: PreparedPhoto | None = None
    photo_problem: str | None = None  # what `photos.prepare` said of the photo sent
    # The form's own random id: the same form sent twice (a double click, a browser retry) files once.
    form_id: str | None = None


@dataclass(frozen=True)
class PhotoToShare:
    id: int
    filename: str
    content: bytes


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
    can_rate: bool = False  # the work is closed and not rated yet: the page asks for a rating
    rating: int | None = None
    rating_comment: str | None = None


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
) -> tuple[Submission | None, str]:
    """File the request; returns it and the key of its status page, or None and the first one's key when
    this form was filed already. `InvalidFields` names every wrong field."""
    source_key = f"portal:{form.form_id}"[:64] if form.form_id else None
    errors = _checked(form)
    category = next((c for c in org.portal_categories() if c.key == form.category), None)
    answers: dict[str, Any] = {}
    if category is None:
        errors["category"] = "Pick a category."
    else:  # nobody on the web picks a Slack user: such fields are not the form's to fill
        allowed = {f.key for f in category.fields if f.type is not FieldType.USER}
        answers = {key: value for key, value in (form.custom_fields or {}).items() if key in allowed}
        try:
            custom_fields.validate(category.fields, answers)
        except InvalidFields as error:  # named as the form names them, beside the other fields
            errors.update({f"field_{key}": message for key, message in error.errors.items()})
    if form.photo_problem:
        errors["photo"] = form.photo_problem
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
        custom_fields=answers,
    )
    try:
        submission = await requests.submit(
            session, org=org, now=now, requester_id=PORTAL_REQUESTER, request=request, source_key=source_key
        )
    except InvalidFields as error:  # custom fields: named as the form names them
        raise InvalidFields({f"field_{key}": message for key, message in error.errors.items()}) from None
    except InvalidInput as error:
        raise InvalidFields({error.field or "title": str(error)}) from None
    if submission is None:  # this form was filed already (sent twice): the first one's status page
        return None, await _status_key_of(session, source_key or "") or ""
    key = secrets.token_urlsafe(32)
    contact = {"requester_name": form.name.strip() or None, "requester_email": form.email.strip() or None}
    await session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == submission.request.id)
        .values(**contact, status_key=key)
        .execution_options(synchronize_session=False)
    )
    if form.photo is not None:
        session.add(
            RequestPhoto(
                request_id=submission.request.id,
                filename=f"{submission.request.ref}-photo.{form.photo.extension}",
                content_type=form.photo.content_type,
                size=len(form.photo.content),
                content=form.photo.content,
                created_at=now,
            )
        )
        await session.flush()
    return submission.model_copy(update={"request": submission.request.model_copy(update=contact)}), key


@dataclass(frozen=True)
class AssetHint:
    """The asset a portal form or a QR label is for."""

    tag: str
    name: str
    location: str | None


async def asset_hint(session: AsyncSession, tag: str) -> AssetHint | None:
    """The asset tagged `tag` (any case), with where it is; None when there is none."""
    if not tag.strip():
        return None
    try:
        asset = await places.asset_by_tag(session, tag)
    except NotFound:
        return None
    return AssetHint(asset.tag, asset.name, await places.location_label(session, asset.location_id))


async def assets_at_site(session: AsyncSession, site: str) -> list[AssetHint]:
    """Every asset at the site (a top-level location, in any case) or anywhere under it, by location and tag."""
    wanted = site.strip().casefold()
    # matched here, not in SQL: SQLite's lower() leaves "Ö" as it is
    stored = next((name for name in await site_names(session) if name.casefold() == wanted), None)
    if stored is None:
        return []
    rows = await session.execute(
        select(Asset.tag, Asset.name, Location.path)
        .join(Location, Location.id == Asset.location_id)
        .where((Location.path == stored) | Location.path.startswith(stored + places.PATH_SEPARATOR, autoescape=True))
        .order_by(Location.path, Asset.tag)
    )
    return [AssetHint(tag, name, where) for tag, name, where in rows]


async def site_names(session: AsyncSession) -> list[str]:
    """The top-level locations (the sites), by name."""
    return list(
        await session.scalars(select(Location.path).where(Location.parent_id.is_(None)).order_by(Location.path))
    )


async def _status_key_of(session: AsyncSession, source_key: str) -> str | None:
    found = await session.scalar(select(ServiceRequest.status_key).where(ServiceRequest.source_key == source_key))
    return str(found) if found else None


async def photos_to_share(session: AsyncSession, request_id: int) -> list[PhotoToShare]:
    """The request's photos not yet shared in Slack."""
    found = await session.scalars(
        select(RequestPhoto)
        .where(RequestPhoto.request_id == request_id, RequestPhoto.shared_at.is_(None))
        .order_by(RequestPhoto.id)
    )
    return [PhotoToShare(photo.id, photo.filename, photo.content or b"") for photo in found]


async def shared_photo_count(session: AsyncSession, request_id: int) -> int:
    """How many of the request's photos are in Slack (its card lists them)."""
    counted = select(func.count()).where(RequestPhoto.request_id == request_id, RequestPhoto.shared_at.is_not(None))
    return int(await session.scalar(counted) or 0)


async def photo_shared(
    session: AsyncSession, *, photo_id: int, work_order_id: int, file: dict[str, Any], now: datetime
) -> None:
    """The photo is in Slack now: list it among the work order's files and drop its bytes."""
    work_order = await session.get(WorkOrder, work_order_id, with_for_update=True)  # first: serialises sharers
    photo = await session.get(RequestPhoto, photo_id, with_for_update=True, populate_existing=True)
    if photo is None or work_order is None or photo.shared_at is not None:
        return
    photo.shared_at, photo.slack_file_id, photo.content = now, str(file.get("id") or "")[:32] or None, None
    shared = {"id": file.get("id"), "name": photo.filename, "permalink": file.get("permalink"), "stage": "request"}
    work_order.attachments = [*work_order.attachments, shared]


async def contact_of(session: AsyncSession, request_id: int | None) -> str | None:
    """ "Jane Doe <jane@example.com>" for a portal request (what the card shows as its requester)."""
    if request_id is None:
        return None
    found = await session.execute(
        select(ServiceRequest.requester_name, ServiceRequest.requester_email).where(ServiceRequest.id == request_id)
    )
    row = found.first()
    return None if row is None else web_contact(*row)


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
        can_rate=work_order is not None and work_order.status is Status.CLOSED and work_order.rating is None,
        rating=work_order.rating if work_order else None,
        rating_comment=work_order.rating_comment if work_order else None,
    )


async def rate(session: AsyncSession, *, org: Organisation, now: datetime, key: str, rating: str, comment: str) -> None:
    """The rating given on a status page: the page's address is the requester's proof of who they are."""
    stored = await session.scalar(select(ServiceRequest).where(ServiceRequest.status_key == key)) if key else None
    work_order = (
        await session.scalar(select(WorkOrder).where(WorkOrder.request_id == stored.id)) if stored is not None else None
    )
    if stored is None or work_order is None:
        raise NotFound("There is no work order at this address to rate.")
    if rating not in {str(n) for n in satisfaction.SCALE}:
        raise InvalidInput("Pick a rating from 1 to 5.", field="rating")
    await satisfaction.rate(
        session,
        org=org,
        now=now,
        work_order_id=work_order.id,
        user_id=work_order.requester_id,
        rating=int(rating),
        comment=comment,
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
