"""Service requests: what a requester submits. Without an approval step it becomes a work order at once."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import RequestStatus
from models.requests import ServiceRequest
from models.schemas import Change, RequestCreate
from services import work_orders
from services.org import Organisation


async def submit(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    requester_id: str,
    request: RequestCreate,
    source_key: str | None = None,
) -> Change | None:
    """Store the request and its work order; None when `source_key` was already submitted."""
    if source_key is not None:
        seen = await session.execute(select(ServiceRequest.id).where(ServiceRequest.source_key == source_key))
        if seen.first() is not None:
            return None
    category = work_orders.category_of(org, request)
    stored = ServiceRequest(
        requester_id=requester_id,
        category=category.key,
        title=request.title,
        description=request.description,
        location=request.location,
        priority=request.priority or category.default_priority,
        status=RequestStatus.APPROVED,
        custom_fields={},
        source_key=source_key,
        created_at=now,
        updated_at=now,
    )
    session.add(stored)
    await session.flush()
    return await work_orders.create(
        session, org=org, now=now, requester_id=requester_id, request=request, request_id=stored.id
    )
