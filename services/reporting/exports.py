"""`wrench export`: work orders, assets, parts or purchase orders as CSV or JSON, in the REST API's shapes (every row,
or those changed since a time). CSV cells are plain text; a nested value (custom fields) is JSON."""

import csv
import io
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from models.public import AssetOut, Page, PartOut, PurchaseOrderOut, WorkOrderOut
from services.purchasing import reading as purchases
from services.reporting import records

Lister = Callable[[AsyncSession, datetime | None, str | None], Awaitable[Page[Any]]]


async def _work_orders(session: AsyncSession, since: datetime | None, cursor: str | None) -> Page[Any]:
    filters = records.WorkOrderFilter(updated_since=since)
    return await records.list_work_orders(session, filters, cursor=cursor, limit=records.MAX_PAGE)


async def _assets(session: AsyncSession, since: datetime | None, cursor: str | None) -> Page[Any]:
    return await records.list_assets(session, updated_since=since, cursor=cursor, limit=records.MAX_PAGE)


async def _parts(session: AsyncSession, since: datetime | None, cursor: str | None) -> Page[Any]:
    return await records.list_parts(session, updated_since=since, cursor=cursor, limit=records.MAX_PAGE)


async def _purchase_orders(session: AsyncSession, since: datetime | None, cursor: str | None) -> Page[Any]:
    return await purchases.export_page(session, since, cursor, limit=records.MAX_PAGE)


KINDS: dict[str, tuple[type[BaseModel], Lister]] = {
    "workorders": (WorkOrderOut, _work_orders),
    "assets": (AssetOut, _assets),
    "parts": (PartOut, _parts),
    "purchase-orders": (PurchaseOrderOut, _purchase_orders),
}


async def collect(session: AsyncSession, kind: str, *, since: datetime | None = None) -> list[dict[str, Any]]:
    """Every row of `kind` (changed at or after `since`), oldest first, as JSON-ready dicts."""
    _, lister = KINDS[kind]
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await lister(session, since, cursor)
        rows += [item.model_dump(mode="json") for item in page.items]
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def as_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def as_csv(kind: str, rows: list[dict[str, Any]]) -> str:
    columns = list(KINDS[kind][0].model_fields)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in columns})
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
