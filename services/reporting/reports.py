"""What the KPIs are computed from, read from the database: work orders with their labor, hold time,
reopens and PM due dates as `kpis.Work` records, and downtime periods. Then one team report."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import EventKind, Priority, Repeat, Status
from models.maintenance import PmOccurrence, PmSchedule
from models.places import Downtime
from models.requests import ServiceRequest
from models.views import RecurringIssue
from models.work_orders import LaborEntry, WorkOrder, WorkOrderEvent
from services.inventory import parts, places
from services.organisation.org import Organisation
from services.purchasing.spend import Spend
from services.purchasing.spend import spend as purchase_spend
from services.reporting import completion, kpis
from services.reporting import satisfaction as ratings
from services.reporting.breakdowns import TeamDowntime, detail_rows, team_downtime, team_recurring, team_rows
from services.reporting.completion import CompletionReport
from services.reporting.workload import Workload
from services.reporting.workload import rows as workload_rows
from services.reporting.workload_records import team_workload
from services.work_orders import costs, outside_work, rules

INTERVAL_DAYS = {Repeat.DAYS: 1, Repeat.WEEKS: 7, Repeat.MONTHS: 30.44, Repeat.YEARS: 365.25}


async def load_work(session: AsyncSession, query: Select[Any]) -> list[kpis.Work]:
    """The work orders `query` selects, as KPI records (a few queries for all of them, not one each)."""
    orders = list((await session.execute(query)).scalars())
    ids = [wo.id for wo in orders]
    if not ids:
        return []
    labor = {
        wo_id: (int(minutes or 0), int(cost or 0))
        for wo_id, minutes, cost in await session.execute(
            select(LaborEntry.work_order_id, func.sum(LaborEntry.minutes), func.sum(LaborEntry.cost_cents))
            .where(LaborEntry.work_order_id.in_(ids))
            .group_by(LaborEntry.work_order_id)
        )
    }
    requested: dict[int, datetime] = {
        wo_id: at
        for wo_id, at in await session.execute(
            select(WorkOrder.id, ServiceRequest.created_at)
            .join(ServiceRequest, ServiceRequest.id == WorkOrder.request_id)
            .where(WorkOrder.id.in_(ids))
        )
    }
    parts_cost = await parts.cost_cents_of(session, ids)
    other_cost = await costs.other_cents_of(session, ids)
    contractor_cost = await outside_work.contractor_cents_of(session, ids)
    holds, reopened = await _holds_and_reopens(session, ids)
    due = {
        wo_id: (on, _interval(repeat, every))
        for wo_id, on, repeat, every in await session.execute(
            select(PmOccurrence.work_order_id, PmOccurrence.due_on, PmSchedule.repeat, PmSchedule.every)
            .join(PmSchedule, PmSchedule.id == PmOccurrence.schedule_id)
            .where(PmOccurrence.work_order_id.in_(ids))
        )
    }
    found = []
    for wo in orders:
        minutes, cost = labor.get(wo.id, (0, 0))
        pm_due_on, interval = due.get(wo.id, (None, None))
        found.append(
            kpis.Work(
                number=wo.number,
                type=wo.type,
                priority=wo.priority,
                status=wo.status,
                requested_at=requested.get(wo.id, wo.created_at),
                team=wo.team,
                asset_id=wo.asset_id,
                first_response_at=wo.first_response_at,
                completed_at=wo.completed_at,
                hold_seconds=holds.get(wo.id, 0),
                estimated_minutes=wo.estimated_minutes,
                labor_minutes=minutes,
                labor_cost=cost / 100,
                parts_cost=parts_cost.get(wo.id, 0) / 100,
                other_cost=other_cost.get(wo.id, 0) / 100,
                contractor_cost=contractor_cost.get(wo.id, 0) / 100,
                sla_resolution=wo.sla_resolution,
                reopened=wo.id in reopened,
                pm_due_on=pm_due_on,
                pm_interval_days=interval,
                category=wo.category,
                resolution_due_at=wo.resolution_due_at,
            )
        )
    return found


def _interval(repeat: Repeat | None, every: int) -> float | None:
    return INTERVAL_DAYS[repeat] * every if repeat in INTERVAL_DAYS else None


async def _holds_and_reopens(session: AsyncSession, ids: list[int]) -> tuple[dict[int, int], set[int]]:
    """Seconds each work order spent on hold (to its last status change), and which were ever reopened."""
    events = await session.execute(
        select(WorkOrderEvent.work_order_id, WorkOrderEvent.at, WorkOrderEvent.from_status, WorkOrderEvent.to_status)
        .where(WorkOrderEvent.work_order_id.in_(ids), WorkOrderEvent.kind == EventKind.STATUS_CHANGED)
        .order_by(WorkOrderEvent.work_order_id, WorkOrderEvent.id)
    )
    held_since: dict[int, datetime] = {}
    holds: dict[int, int] = defaultdict(int)
    reopened: set[int] = set()
    for wo_id, at, before, after in events:
        if before == Status.ON_HOLD and wo_id in held_since:
            holds[wo_id] += int((at - held_since.pop(wo_id)).total_seconds())
        if after == Status.ON_HOLD:
            held_since[wo_id] = at
        if before == Status.COMPLETED and after == Status.OPEN:
            reopened.add(wo_id)
    return dict(holds), reopened


async def load_downtime(session: AsyncSession, asset_ids: list[int], since: datetime) -> list[kpis.Downtime]:
    rows = await session.execute(
        select(Downtime.asset_id, Downtime.started_at, Downtime.ended_at).where(
            Downtime.asset_id.in_(asset_ids), or_(Downtime.ended_at.is_(None), Downtime.ended_at > since)
        )
    )
    return [kpis.Downtime(asset_id, start, end) for asset_id, start, end in rows]


@dataclass(frozen=True)
class TeamReport:
    """A team's KPIs over the last `days` days (the backlog is as it stands now)."""

    team: str
    days: int
    currency: str
    backlog: kpis.Backlog
    response: kpis.Spread
    repair: kpis.Repair
    pm_compliance: kpis.Ratio
    planned: kpis.Ratio
    sla: dict[Priority, kpis.Ratio]
    first_time_fix: kpis.Ratio
    costs: kpis.Costs
    assets: list[kpis.AssetReliability]
    asset_tags: dict[int, str]
    workload: tuple[Workload, ...] = ()  # per person: open work held now, completed in the period
    downtime: TeamDowntime | None = None  # of the team's work orders, in the period
    recurring: tuple[RecurringIssue, ...] = ()  # now, over wrench.yml's `recurring` window
    completion: CompletionReport = field(default_factory=CompletionReport)  # requested and done in the period
    satisfaction: ratings.SatisfactionReport = field(default_factory=ratings.SatisfactionReport)
    spend: Spend | None = None  # what the team's purchase orders received in the period, at actual cost


async def team_report(session: AsyncSession, *, org: Organisation, team: str, now: datetime, days: int) -> TeamReport:
    """Work of `team` requested, completed or still open in the period; each KPI over what it concerns."""
    since = now - timedelta(days=days)
    requested_at = func.coalesce(ServiceRequest.created_at, WorkOrder.created_at)  # the original request
    query = (
        select(WorkOrder)
        .outerjoin(ServiceRequest, ServiceRequest.id == WorkOrder.request_id)
        .where(
            WorkOrder.team == team,
            or_(requested_at >= since, WorkOrder.completed_at >= since, WorkOrder.status.in_(rules.ACTIVE)),
        )
    )
    work = await load_work(session, query)
    finished = [w for w in work if w.completed_at is not None and w.completed_at >= since]
    responded = [w for w in work if w.first_response_at is not None and w.first_response_at >= since]
    asset_ids = sorted({w.asset_id for w in work if w.asset_id is not None})
    tags = await places.tags_of(session, asset_ids)
    downtime = await load_downtime(session, asset_ids, since)
    local = org.zone()
    return TeamReport(
        team=org.team(team).name,
        days=days,
        currency=org.currency,
        backlog=kpis.backlog(work, now),
        response=kpis.response_time(responded),
        repair=kpis.mttr(finished),
        pm_compliance=kpis.pm_compliance(work, since.astimezone(local).date(), now.astimezone(local).date(), local),
        planned=kpis.planned_share(finished),
        sla=kpis.sla_attainment(finished),
        first_time_fix=kpis.first_time_fix(finished + [w for w in work if w.completed_at is None]),
        costs=kpis.costs(finished),
        assets=kpis.reliability(asset_ids, work, downtime, since, now),
        asset_tags=tags,
        workload=await team_workload(session, org=org, team=team, since=since, now=now),
        downtime=await team_downtime(session, team=team, since=since, now=now),
        recurring=await team_recurring(session, org=org, team=team, now=now),
        completion=completion.completion(work, since, now, category_names={c.key: c.name for c in org.categories}),
        satisfaction=await ratings.team_satisfaction(session, team=team, since=since, now=now),
        spend=await purchase_spend(session, currency=org.currency, since=since, until=now, zone=local, team=team),
    )


def report_rows(report: TeamReport) -> list[tuple[str, str]]:
    """The report's figures as labelled text, the same for the table, the CSV and the REST API's readers:
    the team-wide figures, then the per-asset, per-person, per-location and per-category ones."""
    return [*summary_rows(report), *_detail_rows(report)]


def summary_rows(report: TeamReport) -> list[tuple[str, str]]:
    """The team-wide figures: what the managers' Home tab shows."""
    b, money = report.backlog, report.currency
    ages = ", ".join(f"{name}: {count}" for name, count in b.ages) or "none"
    found = [
        ("Backlog (open work orders)", str(b.count)),
        ("Backlog, estimated hours", f"{b.estimated_hours:.1f} ({b.without_estimate} without an estimate)"),
        ("Backlog by age", ages),
        ("Response time, median", _minutes(report.response.median, report.response)),
        ("Response time, p90", _minutes(report.response.p90, report.response)),
        ("MTTR, labor per repair", _minutes(report.repair.labor_minutes, None, count=report.repair.count)),
        ("MTTR, elapsed without holds", _hours(report.repair.elapsed_hours)),
        ("PM compliance", _share(report.pm_compliance)),
        ("Planned maintenance", _share(report.planned, unit="h")),
        ("First-time fix rate", _share(report.first_time_fix)),
    ]
    found += [(f"SLA attainment, {priority.value}", _share(ratio)) for priority, ratio in report.sla.items()]
    found.append(("Cost, completed work", f"{report.costs.total:,.2f} {money}"))
    found += team_rows(report.downtime, report.recurring)
    found += completion.rows(report.completion)
    found += ratings.rows(report.satisfaction)
    if report.spend is not None:
        found.append(("Purchasing spend (received)", f"{report.spend.total} {money} on {report.spend.orders} orders"))
    return found


def _detail_rows(report: TeamReport) -> list[tuple[str, str]]:
    found = []
    for asset in report.assets:
        tag = report.asset_tags.get(asset.asset_id, str(asset.asset_id))
        mtbf = _hours(asset.mtbf_hours) if asset.mtbf_hours is not None else "no failures"
        found.append((f"{tag}: MTBF, availability", f"{mtbf}, {asset.availability:.1%}"))
    found += workload_rows(report.workload, report.days)
    found += detail_rows(report.downtime, report.recurring)
    found += completion.breakdown_rows(report.completion)
    found += ratings.person_rows(report.satisfaction)
    if report.spend is not None:
        money = report.spend.currency
        found += [
            (f"Spend, vendor {r.name}", f"{r.amount} {money} ({r.orders} orders)") for r in report.spend.by_vendor
        ]
        found += [(f"Spend, month {r.key}", f"{r.amount} {money} ({r.orders} orders)") for r in report.spend.by_month]
    return found


def _minutes(value: float | None, spread: kpis.Spread | None, *, count: int | None = None) -> str:
    if value is None:
        return "—"
    n = spread.count if spread is not None else count
    return f"{value:.0f} min (n={n})"


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} h"


def _share(ratio: kpis.Ratio, unit: str = "") -> str:
    if ratio.value is None:
        return "—"
    part, whole = (f"{ratio.part:.1f}{unit}", f"{ratio.whole:.1f}{unit}") if unit else (ratio.part, ratio.whole)
    return f"{ratio.value:.0%} ({part} of {whole})"
