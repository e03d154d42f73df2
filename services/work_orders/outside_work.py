"""What a work order's own changes do to the work sent to a contractor (services.contractor_jobs): completing
or cancelling it takes the contractor's link back, and what the contractor charged is its contractor cost.
Read and written here as rows, since the contractor jobs sit above work orders."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.contractor_jobs import ContractorJob
from models.enums import EventKind, JobState
from models.vendors import Vendor
from models.work_orders import WorkOrder, WorkOrderEvent
from services.contracting import money
from services.work_orders import changes


async def close_jobs(
    session: AsyncSession, work_order: WorkOrder, *, now: datetime, actor_id: str, why: str
) -> list[WorkOrderEvent]:
    """The work order is completed or cancelled (`why`): a link still sent or accepted is revoked (an event
    each); a job the contractor marked done counts as reviewed by `actor_id`."""
    open_jobs = await session.execute(
        select(ContractorJob, Vendor.key, Vendor.name)
        .join(Vendor, Vendor.id == ContractorJob.vendor_id)
        .where(ContractorJob.work_order_id == work_order.id, ContractorJob.closed_at.is_(None))
        .with_for_update()
    )
    events = []
    for job, key, name in open_jobs.all():
        if job.state is JobState.DONE:
            await session.execute(
                update(ContractorJob)
                .where(ContractorJob.id == job.id, ContractorJob.closed_at.is_(None))
                .values(closed_at=now, reviewed_by=actor_id, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            continue
        revoked = await session.execute(
            update(ContractorJob)
            .where(ContractorJob.id == job.id, ContractorJob.closed_at.is_(None))
            .values(state=JobState.REVOKED, closed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if revoked.rowcount:  # type: ignore[attr-defined]
            data = {"job_id": job.id, "vendor": {"key": key, "name": name}, "why": why}
            events.append(
                changes.record(
                    session, work_order, now=now, actor_id=actor_id, kind=EventKind.CONTRACTOR_REVOKED, data=data
                )
            )
    return events


def cents(minor: int, currency: str) -> int:
    """Minor units of `currency` as hundredths (the unit the other costs are kept in)."""
    exponent = money.CURRENCIES.get(currency, 2)
    return int(minor * 10 ** (2 - exponent)) if exponent <= 2 else round(minor / 10 ** (exponent - 2))


async def contractor_cents_of(session: AsyncSession, work_order_ids: list[int]) -> dict[int, int]:
    """What contractors charged for each work order (jobs they marked done, in hundredths of the currency)."""
    if not work_order_ids:
        return {}
    rows = await session.execute(
        select(ContractorJob.work_order_id, ContractorJob.cost_minor, ContractorJob.currency).where(
            ContractorJob.work_order_id.in_(work_order_ids),
            ContractorJob.state == JobState.DONE,
            ContractorJob.cost_minor.is_not(None),
        )
    )
    totals: dict[int, int] = {}
    for work_order_id, minor, currency in rows:
        totals[int(work_order_id)] = totals.get(int(work_order_id), 0) + cents(int(minor or 0), currency)
    return totals
