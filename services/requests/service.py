"""Service requests: what a requester submits. Without an approval step it becomes a work order at
once; with one it waits until an approver approves (the work order is made then) or rejects it."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import RequestStatus
from models.requests import RequestPhoto, ServiceRequest
from models.schemas import RequestCreate, ServiceRequestRead, Submission
from services.delivery import outbox, publishing
from services.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.inputs import checked_text
from services.organisation import custom_fields
from services.organisation.org import Category, Organisation
from services.work_orders import rules
from services.work_orders import service as work_orders

REJECTION_MAX = 1000


async def submit(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    requester_id: str,
    request: RequestCreate,
    source_key: str | None = None,
    filed_by: str | None = None,
) -> Submission | None:
    """Store the request (and its work order unless it needs approval); None when `source_key` was
    already submitted (Slack retried, or a second person reacted to the same message).

    `filed_by`, a technician or manager of the category's team (or an admin), files the work order
    directly: no approval step, recorded as approved by them.
    """
    if source_key is not None and await already_submitted(session, source_key):
        return None
    category = work_orders.category_of(org, request)
    needs_approval = category.requires_approval and filed_by is None
    if filed_by is not None and not (
        rules.is_team_member(filed_by, team=category.team, org=org) or filed_by in org.admins
    ):
        team = org.team(category.team).name
        raise Forbidden(f"Only {team} technicians and managers can file {category.name} work directly; file a request.")
    if request.asset_down and request.asset_id is None:
        raise InvalidInput("Pick the asset that is down, or untick this.", field="asset_down")
    values = custom_fields.validate(category.fields, request.custom_fields)
    request = request.model_copy(update={"custom_fields": values})
    await work_orders.place_of(session, request)  # refuses a location or asset that is gone
    stored = ServiceRequest(
        requester_id=requester_id,
        category=category.key,
        title=request.title,
        description=request.description,
        location=request.location,
        location_id=request.location_id,
        asset_id=request.asset_id,
        priority=request.priority or category.default_priority,
        status=RequestStatus.PENDING_APPROVAL if needs_approval else RequestStatus.APPROVED,
        decided_by=filed_by if category.requires_approval else None,
        decided_at=now if filed_by is not None and category.requires_approval else None,
        custom_fields=values,
        attachments=list(request.attachments),
        source_channel=request.source_channel,
        source_ts=request.source_ts,
        asset_down=request.asset_down,
        source_key=source_key,
        created_at=now,
        updated_at=now,
    )
    try:
        async with session.begin_nested():  # a concurrent submission of the same source wins the race
            session.add(stored)
            await session.flush()
    except IntegrityError:
        if source_key is not None and await already_submitted(session, source_key):
            return None
        raise
    change = None
    if not needs_approval:
        change = await work_orders.create(
            session,
            org=org,
            now=now,
            requester_id=requester_id,
            request=request,
            request_id=stored.id,
            actor_id=filed_by,
        )
    if needs_approval:
        outbox.request_awaiting_approval(session, stored.id, now=now)
    await publishing.request_event(session, stored, "submitted", actor=filed_by or requester_id, now=now)
    if filed_by is not None and category.requires_approval:  # filed directly: approved by who filed it
        await publishing.request_event(session, stored, "approved", actor=filed_by, now=now)
    return Submission(request=ServiceRequestRead.model_validate(stored), change=change)


async def already_submitted(session: AsyncSession, source_key: str) -> bool:
    seen = await session.execute(select(ServiceRequest.id).where(ServiceRequest.source_key == source_key))
    return seen.first() is not None


async def get(session: AsyncSession, request_id: int) -> ServiceRequestRead:
    return ServiceRequestRead.model_validate(await _load(session, request_id))


async def approve(
    session: AsyncSession, *, org: Organisation, now: datetime, request_id: int, user_id: str
) -> Submission:
    """Approve a pending request: it becomes a work order, filed by the requester, made by the approver."""
    stored = await _decide(session, org=org, request_id=request_id, user_id=user_id)
    await _set_status(session, stored, RequestStatus.APPROVED, user_id=user_id, now=now)
    request = RequestCreate.model_validate(stored, from_attributes=True)  # what was asked, as stored
    change = await work_orders.create(
        session,
        org=org,
        now=now,
        requester_id=stored.requester_id,
        request=request,
        request_id=stored.id,
        actor_id=user_id,
    )
    outbox.request_decided(session, stored.id, now=now)
    await publishing.request_event(session, stored, "approved", actor=user_id, now=now)
    return Submission(request=ServiceRequestRead.model_validate(stored), change=change)


async def reject(
    session: AsyncSession, *, org: Organisation, now: datetime, request_id: int, user_id: str, reason: str
) -> ServiceRequestRead:
    reason = checked_text(reason, field="reason", limit=REJECTION_MAX, ask="Tell the requester why.")
    stored = await _decide(session, org=org, request_id=request_id, user_id=user_id)
    await _set_status(session, stored, RequestStatus.REJECTED, user_id=user_id, now=now, reason=reason)
    await session.execute(  # a rejected request's photos will never reach a card: their bytes go
        update(RequestPhoto)
        .where(RequestPhoto.request_id == request_id)
        .values(content=None)
        .execution_options(synchronize_session=False)
    )
    outbox.request_decided(session, stored.id, now=now)
    await publishing.request_event(session, stored, "rejected", actor=user_id, now=now)
    return ServiceRequestRead.model_validate(stored)


async def check_approver(
    session: AsyncSession, *, org: Organisation, request_id: int, user_id: str
) -> ServiceRequestRead:
    """Refuse (before the reject form opens) someone who may not decide, or a decided request."""
    return ServiceRequestRead.model_validate(await _decide(session, org=org, request_id=request_id, user_id=user_id))


async def attach_approval_messages(
    session: AsyncSession, *, request_id: int, messages: Sequence[dict[str, str]]
) -> None:
    """Remember the approvers' DMs (channel, ts) so they can all show the decision later."""
    await session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == request_id)
        .values(approval_messages=list(messages))
        .execution_options(synchronize_session=False)
    )


def category_for(org: Organisation, request: ServiceRequestRead) -> Category | None:
    return org.category(request.category)


async def _load(session: AsyncSession, request_id: int) -> ServiceRequest:
    stored = await session.get(ServiceRequest, request_id, populate_existing=True)
    if stored is None:
        raise NotFound("That request no longer exists.")
    return stored


async def _decide(session: AsyncSession, *, org: Organisation, request_id: int, user_id: str) -> ServiceRequest:
    stored = await _load(session, request_id)
    category = org.category(stored.category)
    approvers = org.approvers(category) if category else ()
    if user_id not in approvers and user_id not in org.admins:
        raise Forbidden(f"Only the approvers of {org.category_name(stored.category)} requests can decide on this.")
    if stored.status is not RequestStatus.PENDING_APPROVAL:
        raise Conflict(_decided(stored))
    return stored


async def _set_status(
    session: AsyncSession,
    stored: ServiceRequest,
    status: RequestStatus,
    *,
    user_id: str,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Decide once: the conditional UPDATE lets exactly one of two approvers clicking at once win."""
    decided = await session.execute(
        update(ServiceRequest)
        .where(ServiceRequest.id == stored.id, ServiceRequest.status == RequestStatus.PENDING_APPROVAL)
        .values(status=status, decided_by=user_id, decided_at=now, rejection_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_decided(await _load(session, stored.id)))
    await session.refresh(stored)


def _decided(stored: ServiceRequest) -> str:
    verb = "approved" if stored.status is RequestStatus.APPROVED else "rejected"
    return f"REQ-{stored.id} was already {verb} by <@{stored.decided_by}>."
