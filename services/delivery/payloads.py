"""Work orders and requests in their public shapes (`models.public`), as the REST API lists them and as
webhook events carry them. Read from the tables alone, so the write path can render an event's payload
in its own transaction without reaching into the read side."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.public import RequestOut, WorkOrderOut
from models.requests import ServiceRequest
from models.work_orders import WorkOrder
from services.inventory import places


def row_dict(row: Any, **extra: Any) -> dict[str, Any]:
    """A stored row's columns as a dict, with the public fields that are not columns added."""
    return {**{column.key: getattr(row, column.key) for column in inspect(row).mapper.column_attrs}, **extra}


async def work_orders_out(session: AsyncSession, rows: Sequence[WorkOrder]) -> list[WorkOrderOut]:
    tags = await places.tags_of(session, (row.asset_id for row in rows))
    return [
        WorkOrderOut.model_validate(
            row_dict(
                row,
                ref=f"WO-{row.number}",
                asset_tag=tags.get(row.asset_id) if row.asset_id else None,
                requester=row.requester_id,
                assignee=row.assignee_id,
            )
        )
        for row in rows
    ]


async def requests_out(session: AsyncSession, rows: Sequence[ServiceRequest]) -> list[RequestOut]:
    tags = await places.tags_of(session, (row.asset_id for row in rows))
    ids = [row.id for row in rows]
    numbers: dict[int, int] = {}
    if ids:
        made = await session.execute(
            select(WorkOrder.request_id, WorkOrder.number).where(WorkOrder.request_id.in_(ids))
        )
        numbers = {request_id: number for request_id, number in made if request_id is not None}
    return [
        RequestOut.model_validate(
            row_dict(
                row,
                ref=f"REQ-{row.id}",
                asset_tag=tags.get(row.asset_id) if row.asset_id else None,
                requester=row.requester_id,
                work_order_number=numbers.get(row.id),
            )
        )
        for row in rows
    ]
