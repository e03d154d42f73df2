"""Service requests: what a requester submits. Without an approval step it becomes a work order at once."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Priority, RequestStatus
from models.requests import ServiceRequest
from models.schemas import Change
from services import work_orders
from services.errors import InvalidInput
from services.org import Organisation


async def submit(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    requester_id: str,
    category: str,
    title: str,
    description: str = "",
    location: str = "",
    priority: Priority | None = None,
    source_key: str | None = None,
) -> Change | None:
    """Store the request and its work order; None when `source_key` was already submitted."""
    if source_key is not None:
        seen = await session.execute(select(ServiceRequest.id).where(ServiceRequest.source_key == source_key))
        if seen.first() is not None:
            return None
    found = org.category(category)
    if found is None:
        raise InvalidInput(f"'{category}' is not a category.", field="category")
    request = ServiceRequest(
        requester_id=requester_id,
        category=found.key,
        title=title,
        description=description,
        location=location,
        priority=priority or found.default_priority,
        status=RequestStatus.APPROVED,
        custom_fields={},
        source_key=source_key,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    await session.flush()
    return await work_orders.create(
        session,
        org=org,
        now=now,
        requester_id=requester_id,
        category=found.key,
        title=title,
        description=description,
        location=location,
        priority=priority,
        request_id=request.id,
    )
