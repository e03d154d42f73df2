"""What `seed()` made, counted from the database."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AssetStatus, RequestStatus, WorkOrderType
from models.maintenance import PmSchedule
from models.parts import Part
from models.places import Asset, Downtime, Location
from models.requests import ServiceRequest
from models.work_orders import WorkOrder


@dataclass(frozen=True)
class SeedSummary:
    locations: int
    assets: int
    meter_readings: int
    parts: int
    pm_schedules: int
    work_orders: int
    by_status: dict[str, int]  # work orders per status
    pm_work_orders: int
    requests_pending: int
    downtime_periods: int
    assets_down: int
    escalated: int  # work orders escalated (at least level 1), any status
    notices_skipped: int  # history notices marked delivered without a Slack call
    notices_queued: int  # cards and DMs queued for what is still open


# -- seeding ----------------------------------------------------------------------------------------


async def summary(session: AsyncSession, *, readings: int, skipped: int, queued: int) -> SeedSummary:
    """What the database holds once seeded (`readings`, `skipped` and `queued` are counted on the way)."""

    async def rows(model: Any, *where: Any) -> int:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    statuses = await session.execute(select(WorkOrder.status, func.count()).group_by(WorkOrder.status))
    return SeedSummary(
        locations=await rows(Location),
        assets=await rows(Asset),
        meter_readings=readings,
        parts=await rows(Part),
        pm_schedules=await rows(PmSchedule),
        work_orders=await rows(WorkOrder),
        by_status={status.value: number for status, number in sorted(statuses.all())},
        pm_work_orders=await rows(WorkOrder, WorkOrder.type == WorkOrderType.PREVENTIVE),
        requests_pending=await rows(ServiceRequest, ServiceRequest.status == RequestStatus.PENDING_APPROVAL),
        downtime_periods=await rows(Downtime),
        assets_down=await rows(Asset, Asset.status == AssetStatus.DOWN),
        escalated=await rows(WorkOrder, WorkOrder.escalation_level >= 1),
        notices_skipped=skipped,
        notices_queued=queued,
    )
