"""`/wo asset TAG`: an asset with its maintenance history — details, meters, open work, the last
completed jobs, downtime, MTBF and MTTR this year, and its PM schedules."""

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.maintenance import AssetMeter, PmSchedule
from models.places import Asset, Downtime, Location
from models.schemas import WorkOrderRead
from models.vendors import Vendor
from models.views import AssetCard, PmDue, VendorContact
from models.work_orders import WorkOrder
from services.contracting import vendors
from services.inventory import places
from services.organisation.org import Organisation
from services.reporting import breakdowns, finding, kpis, reports
from services.work_orders import rules

RECENT = 10


async def asset_card(session: AsyncSession, *, org: Organisation, tag: str, now: datetime) -> AssetCard:
    asset = await places.asset_by_tag(session, tag)
    location = await session.get(Location, asset.location_id) if asset.location_id else None
    parent = await session.get(Asset, asset.parent_id) if asset.parent_id else None
    open_down = (
        (
            await session.execute(
                select(Downtime)
                .where(Downtime.asset_id == asset.id, Downtime.ended_at.is_(None))
                .order_by(Downtime.started_at)
            )
        )
        .scalars()
        .first()
    )
    readings = await session.execute(
        select(AssetMeter.name, AssetMeter.value, AssetMeter.read_at).where(AssetMeter.asset_id == asset.id)
    )
    on_asset = WorkOrder.asset_id == asset.id
    open_work = await finding.listing(
        session, select(WorkOrder).where(on_asset, WorkOrder.status.in_(rules.ACTIVE)).order_by(WorkOrder.number), 10
    )
    recent = await session.execute(
        select(WorkOrder)
        .where(on_asset, WorkOrder.completed_at.is_not(None))
        .order_by(WorkOrder.completed_at.desc())
        .limit(RECENT)
    )
    year_start = datetime(now.astimezone(org.zone()).year, 1, 1, tzinfo=org.zone()).astimezone(UTC)
    work = await reports.load_work(session, select(WorkOrder).where(on_asset))
    downtime = await reports.load_downtime(session, [asset.id], year_start)
    (reliability,) = kpis.reliability([asset.id], work, downtime, year_start, now)
    repair = kpis.mttr([w for w in work if w.completed_at is not None and w.completed_at >= year_start])
    schedules = await session.execute(
        select(PmSchedule.id, PmSchedule.title, PmSchedule.next_due_on)
        .where(PmSchedule.asset_id == asset.id, PmSchedule.deleted_at.is_(None))
        .order_by(PmSchedule.id)
    )
    return AssetCard(
        id=asset.id,
        tag=asset.tag,
        name=asset.name,
        category=asset.category,
        location=location.path if location else None,
        parent=f"{parent.tag} · {parent.name}" if parent else None,
        manufacturer=asset.manufacturer,
        model=asset.model,
        serial=asset.serial,
        installed_on=asset.installed_on,
        criticality=asset.criticality.value,
        status=asset.status.value,
        down_since=open_down.started_at if open_down else None,
        down_reason=open_down.reason if open_down else None,
        meters=tuple((name, value, at) for name, value, at in readings),
        open_work=open_work,
        recent=tuple(WorkOrderRead.model_validate(wo) for wo in recent.scalars()),
        year=now.astimezone(org.zone()).year,
        downtime_hours=reliability.downtime_hours,
        failures=reliability.failures,
        mtbf_hours=reliability.mtbf_hours,
        mttr_hours=repair.elapsed_hours,
        schedules=tuple(PmDue(schedule=f"PM-{number} · {title}", due_on=due) for number, title, due in schedules),
        recurring=await breakdowns.asset_recurring(session, org=org, asset_id=asset.id, now=now),
        vendor=await _service_vendor(session, asset.service_vendor_id, today=org.local_date(now)),
    )


async def _service_vendor(session: AsyncSession, vendor_id: int | None, *, today: date) -> VendorContact | None:
    vendor = await session.get(Vendor, vendor_id) if vendor_id is not None else None
    return contact(vendor, today=today) if vendor is not None else None


def contact(vendor: Vendor, *, today: date) -> VendorContact:
    """How a card or the digest names `vendor`, with its expiry as of `today` (the organisation's date)."""
    state = vendors.expiry(vendor.expires_on, today)
    return VendorContact(
        name=vendor.name,
        contact_name=vendor.contact_name,
        phone=vendor.phone,
        email=vendor.email,
        expires_on=vendor.expires_on,
        expiry=state.value if state else None,
    )
