"""Reads for the outside world (REST API, webhooks, exports): filtered listings a page at a time, in the
public shapes of `models.public`.

Pages are ordered by id and the cursor is the last id seen, so a row that changes while a client pages
through never moves to a page it already read.
"""

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Priority, RequestStatus, Status
from models.maintenance import PmSchedule
from models.parts import Part
from models.places import Asset, Location
from models.public import (
    AssetKpisOut,
    AssetOut,
    KpisOut,
    LocationOut,
    Page,
    PartOut,
    PmScheduleOut,
    RatioOut,
    RequestOut,
    SpreadOut,
    VendorOut,
    WorkloadOut,
    WorkOrderOut,
)
from models.requests import ServiceRequest
from models.schemas import PmScheduleRead
from models.vendors import Vendor
from models.work_orders import WorkOrder
from services.contracting import vendors
from services.delivery import payloads
from services.errors import InvalidInput, NotFound
from services.inventory import parts, places
from services.organisation.org import Organisation
from services.reporting import breakdowns, completion, kpis, reports
from services.reporting import satisfaction as ratings
from services.work_orders import rules

MAX_PAGE = 500


@dataclass(frozen=True)
class WorkOrderFilter:
    status: Status | None = None
    team: str | None = None
    asset_tag: str | None = None
    priority: Priority | None = None
    updated_since: datetime | None = None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The last id of the previous page (0 for the first page); a cursor we did not make is refused."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind == "id" and value.isdigit() and len(value) <= 18:
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidInput("This cursor is not one a listing gave out.", field="cursor")


async def _page(
    session: AsyncSession, query: Select[Any], id_column: Any, cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """The rows after `cursor`, and the cursor of the next page (None: this is the last)."""
    limit = max(1, min(limit, MAX_PAGE))
    found = await session.scalars(query.where(id_column > decode_cursor(cursor)).order_by(id_column).limit(limit + 1))
    rows = list(found)
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor(rows[limit - 1].id)


async def _paths(session: AsyncSession, location_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {location_id for location_id in location_ids if location_id is not None}
    if not wanted:
        return {}
    found = await session.execute(select(Location.id, Location.path).where(Location.id.in_(wanted)))
    return {location_id: path for location_id, path in found}


# Work orders


async def work_order_out(session: AsyncSession, work_order_id: int) -> WorkOrderOut:
    row = await session.get(WorkOrder, work_order_id)
    if row is None:
        raise NotFound("That work order no longer exists.")
    return (await payloads.work_orders_out(session, [row]))[0]


async def work_order_by_number(session: AsyncSession, number: int) -> WorkOrder:
    found = await session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    if found is None:
        raise NotFound(f"There is no WO-{number}.")
    return found


async def list_work_orders(
    session: AsyncSession, filters: WorkOrderFilter, *, cursor: str | None = None, limit: int = 100
) -> Page[WorkOrderOut]:
    query = select(WorkOrder)
    if filters.status is not None:
        query = query.where(WorkOrder.status == filters.status)
    if filters.team is not None:
        query = query.where(WorkOrder.team == filters.team)
    if filters.priority is not None:
        query = query.where(WorkOrder.priority == filters.priority)
    if filters.updated_since is not None:
        query = query.where(WorkOrder.updated_at >= filters.updated_since)
    if filters.asset_tag is not None:
        try:
            asset = await places.asset_by_tag(session, filters.asset_tag)
        except NotFound as error:
            raise InvalidInput(str(error), field="asset") from None
        query = query.where(WorkOrder.asset_id == asset.id)
    rows, next_cursor = await _page(session, query, WorkOrder.id, cursor, limit)
    return Page[WorkOrderOut](items=await payloads.work_orders_out(session, rows), next_cursor=next_cursor)


# Requests


async def request_out(session: AsyncSession, request_id: int) -> RequestOut:
    row = await session.get(ServiceRequest, request_id)
    if row is None:
        raise NotFound(f"There is no REQ-{request_id}.")
    return (await payloads.requests_out(session, [row]))[0]


async def list_requests(
    session: AsyncSession,
    *,
    status: RequestStatus | None = None,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page[RequestOut]:
    query = select(ServiceRequest)
    if status is not None:
        query = query.where(ServiceRequest.status == status)
    if updated_since is not None:
        query = query.where(ServiceRequest.updated_at >= updated_since)
    rows, next_cursor = await _page(session, query, ServiceRequest.id, cursor, limit)
    return Page[RequestOut](items=await payloads.requests_out(session, rows), next_cursor=next_cursor)


# Registers


async def assets_out(session: AsyncSession, rows: Sequence[Asset]) -> list[AssetOut]:
    paths = await _paths(session, (row.location_id for row in rows))
    parents = await places.tags_of(session, (row.parent_id for row in rows))
    servicing = await _vendor_keys(session, (row.service_vendor_id for row in rows))
    return [
        AssetOut.model_validate(
            payloads.row_dict(
                row,
                location=paths.get(row.location_id) if row.location_id else None,
                parent_tag=parents.get(row.parent_id) if row.parent_id else None,
                service_vendor=servicing.get(row.service_vendor_id) if row.service_vendor_id else None,
            )
        )
        for row in rows
    ]


async def _vendor_keys(session: AsyncSession, vendor_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {vendor_id for vendor_id in vendor_ids if vendor_id is not None}
    if not wanted:
        return {}
    found = await session.execute(select(Vendor.id, Vendor.key).where(Vendor.id.in_(wanted)))
    return {vendor_id: key for vendor_id, key in found}


async def asset_out(session: AsyncSession, tag: str) -> AssetOut:
    return (await assets_out(session, [await places.asset_by_tag(session, tag)]))[0]


async def list_assets(
    session: AsyncSession, *, updated_since: datetime | None = None, cursor: str | None = None, limit: int = 100
) -> Page[AssetOut]:
    query = select(Asset)
    if updated_since is not None:
        query = query.where(Asset.updated_at >= updated_since)
    rows, next_cursor = await _page(session, query, Asset.id, cursor, limit)
    return Page[AssetOut](items=await assets_out(session, rows), next_cursor=next_cursor)


async def list_locations(session: AsyncSession, *, cursor: str | None = None, limit: int = 100) -> Page[LocationOut]:
    rows, next_cursor = await _page(session, select(Location), Location.id, cursor, limit)
    return Page[LocationOut](items=[LocationOut.model_validate(row) for row in rows], next_cursor=next_cursor)


def part_out(row: Part) -> PartOut:
    return PartOut.model_validate(
        payloads.row_dict(row, unit_cost=row.unit_cost_cents / 100, low=row.on_hand <= row.reorder_point)
    )


async def part_by_sku(session: AsyncSession, sku: str) -> PartOut:
    return part_out(await parts.by_sku(session, sku))


async def list_parts(
    session: AsyncSession, *, updated_since: datetime | None = None, cursor: str | None = None, limit: int = 100
) -> Page[PartOut]:
    query = select(Part)
    if updated_since is not None:
        query = query.where(Part.updated_at >= updated_since)
    rows, next_cursor = await _page(session, query, Part.id, cursor, limit)
    return Page[PartOut](items=[part_out(row) for row in rows], next_cursor=next_cursor)


def vendor_out(row: Vendor, *, today: date) -> VendorOut:
    return VendorOut.model_validate(
        {
            **payloads.row_dict(row),
            "hourly_rate": vendors.hourly_rate(row),
            "expired": vendors.expiry(row.expires_on, today) is vendors.Expiry.EXPIRED,
        }
    )


async def vendor_by_key(session: AsyncSession, key: str, *, today: date) -> VendorOut:
    return vendor_out(await vendors.by_key(session, key), today=today)


async def list_vendors(
    session: AsyncSession,
    *,
    today: date,
    updated_since: datetime | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page[VendorOut]:
    query = select(Vendor)
    if updated_since is not None:
        query = query.where(Vendor.updated_at >= updated_since)
    rows, next_cursor = await _page(session, query, Vendor.id, cursor, limit)
    return Page[VendorOut](items=[vendor_out(row, today=today) for row in rows], next_cursor=next_cursor)


async def list_pm_schedules(
    session: AsyncSession, *, team: str | None = None, cursor: str | None = None, limit: int = 100
) -> Page[PmScheduleOut]:
    query = select(PmSchedule)
    if team is not None:
        query = query.where(PmSchedule.team == team)
    rows, next_cursor = await _page(session, query, PmSchedule.id, cursor, limit)
    tags = await places.tags_of(session, (row.asset_id for row in rows))
    items = []
    for row in rows:
        read = PmScheduleRead.model_validate(row)
        items.append(
            PmScheduleOut.model_validate(
                {
                    **read.model_dump(),
                    "ref": read.ref,
                    "state": read.state,
                    "repeat": read.repeat.value if read.repeat else None,
                    "asset_tag": tags.get(row.asset_id) if row.asset_id else None,
                }
            )
        )
    return Page[PmScheduleOut](items=items, next_cursor=next_cursor)


def _ratio(ratio: kpis.Ratio) -> RatioOut:
    return RatioOut(part=ratio.part, whole=ratio.whole, value=ratio.value)


async def team_kpis(session: AsyncSession, *, org: Organisation, team: str, now: datetime, days: int) -> KpisOut:
    if team not in {known.key for known in org.teams}:
        raise InvalidInput(f"'{team}' is not a team key.", field="team")
    report = await reports.team_report(session, org=org, team=team, now=now, days=days)
    return KpisOut(
        team=team,
        days=report.days,
        currency=report.currency,
        backlog_count=report.backlog.count,
        backlog_estimated_hours=report.backlog.estimated_hours,
        backlog_ages=dict(report.backlog.ages),
        response=SpreadOut(
            median_minutes=report.response.median, p90_minutes=report.response.p90, count=report.response.count
        ),
        mttr_labor_minutes=report.repair.labor_minutes,
        mttr_elapsed_hours=report.repair.elapsed_hours,
        repairs=report.repair.count,
        pm_compliance=_ratio(report.pm_compliance),
        planned=_ratio(report.planned),
        first_time_fix=_ratio(report.first_time_fix),
        sla_attainment={priority.value: _ratio(ratio) for priority, ratio in report.sla.items()},
        cost_total=report.costs.total,
        assets=[
            AssetKpisOut(
                asset_tag=report.asset_tags.get(asset.asset_id, str(asset.asset_id)),
                failures=asset.failures,
                downtime_hours=asset.downtime_hours,
                mtbf_hours=asset.mtbf_hours,
                availability=asset.availability,
            )
            for asset in report.assets
        ],
        workload=[WorkloadOut.model_validate(load, from_attributes=True) for load in report.workload],
        downtime=breakdowns.downtime_out(report.downtime),
        recurring=breakdowns.recurring_out(report.recurring),
        **completion.public(report.completion),
        **ratings.public(report.satisfaction),
    )


async def open_counts(session: AsyncSession) -> list[tuple[Status, str, int]]:
    """(status, team, how many) of the work not yet completed, for `/metrics`."""
    counted = await session.execute(
        select(WorkOrder.status, WorkOrder.team, func.count())
        .where(WorkOrder.status.in_(rules.ACTIVE))
        .group_by(WorkOrder.status, WorkOrder.team)
    )
    return [(status, team, count) for status, team, count in counted]
