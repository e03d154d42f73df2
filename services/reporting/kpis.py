"""Maintenance KPIs, pure: plain records in, figures out. Loading the records from the database (the
event log, labor, parts, downtime) is `services.reporting.reports`' job; the formulas are here, each one tested on
fixtures with answers worked out by hand, and written out in docs/kpis.md.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from statistics import mean, median

from models.enums import Priority, SlaStatus, Status, WorkOrderType

ACTIVE = (Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD)
DONE = (Status.COMPLETED, Status.CLOSED)
AGE_BUCKETS = ((timedelta(days=1), "< 1 day"), (timedelta(days=7), "1-7 days"), (timedelta(days=30), "7-30 days"))
OLDEST = "> 30 days"
PM_GRACE = 0.10  # a PM counts as on time when done within 10% of its interval after its due date
REWORK_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Work:
    """One work order as the KPIs see it."""

    number: int
    type: WorkOrderType
    priority: Priority
    status: Status
    requested_at: datetime  # when the original request was filed (before any approval)
    team: str = ""
    asset_id: int | None = None
    first_response_at: datetime | None = None
    completed_at: datetime | None = None
    hold_seconds: int = 0  # time spent on hold up to completion
    estimated_minutes: int | None = None
    labor_minutes: int = 0
    labor_cost: float = 0.0
    parts_cost: float = 0.0
    other_cost: float = 0.0
    contractor_cost: float = 0.0  # what contractors charged (their cost on the contractor page)
    sla_resolution: SlaStatus = SlaStatus.ONGOING
    reopened: bool = False
    pm_due_on: date | None = None  # preventive work: the date it was due
    pm_interval_days: float | None = None  # preventive work: its schedule's interval
    category: str = ""  # the category's key
    resolution_due_at: datetime | None = None  # None: no resolution target

    @property
    def cost(self) -> float:
        return self.labor_cost + self.parts_cost + self.other_cost + self.contractor_cost


@dataclass(frozen=True)
class Downtime:
    asset_id: int
    start: datetime
    end: datetime | None  # None: still down


@dataclass(frozen=True)
class Backlog:
    count: int
    estimated_hours: float  # of the open work that has an estimate
    without_estimate: int
    ages: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Spread:
    """Durations in minutes: median and 90th percentile (nearest rank), and how many there were."""

    median: float | None
    p90: float | None
    count: int


@dataclass(frozen=True)
class Repair:
    labor_minutes: float | None  # mean labor logged per completed corrective work order
    elapsed_hours: float | None  # mean time from request to completion, hold time excluded
    count: int


@dataclass(frozen=True)
class AssetReliability:
    asset_id: int
    failures: int
    downtime_hours: float
    operating_hours: float
    mtbf_hours: float | None  # None: no failure in the period
    availability: float  # uptime / period, 0..1


@dataclass(frozen=True)
class Ratio:
    part: int | float
    whole: int | float

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Costs:
    total: float
    by_work_order: dict[int, float] = field(default_factory=dict)
    by_asset: dict[int, float] = field(default_factory=dict)
    by_team: dict[str, float] = field(default_factory=dict)


def backlog(work: Iterable[Work], now: datetime) -> Backlog:
    """Open work: how much, how many hours estimated, and how old (counted from the original request)."""
    open_work = [w for w in work if w.status in ACTIVE]
    ages: dict[str, int] = defaultdict(int)
    for w in open_work:
        age = now - w.requested_at
        ages[next((name for limit, name in AGE_BUCKETS if age < limit), OLDEST)] += 1
    estimated = [w.estimated_minutes for w in open_work if w.estimated_minutes is not None]
    order = [name for _, name in AGE_BUCKETS] + [OLDEST]
    return Backlog(
        count=len(open_work),
        estimated_hours=sum(estimated) / 60,
        without_estimate=len(open_work) - len(estimated),
        ages=tuple((name, ages[name]) for name in order if ages[name]),
    )


def spread(minutes: Sequence[float]) -> Spread:
    if not minutes:
        return Spread(None, None, 0)
    ordered = sorted(minutes)
    rank = math.ceil(0.9 * len(ordered))  # nearest-rank percentile
    return Spread(median=median(ordered), p90=ordered[rank - 1], count=len(ordered))


def response_time(work: Iterable[Work]) -> Spread:
    """First response (claim, start, hold or completion) minus the request, in minutes."""
    return spread([(w.first_response_at - w.requested_at) / timedelta(minutes=1) for w in work if w.first_response_at])


def mttr(work: Iterable[Work]) -> Repair:
    """Mean time to repair, over completed corrective work: labor logged, and elapsed time without holds."""
    repaired = [w for w in work if w.type is WorkOrderType.CORRECTIVE and w.status in DONE and w.completed_at]
    if not repaired:
        return Repair(None, None, 0)
    elapsed = [
        ((w.completed_at - w.requested_at).total_seconds() - w.hold_seconds) / 3600
        for w in repaired
        if w.completed_at is not None
    ]
    return Repair(
        labor_minutes=mean(w.labor_minutes for w in repaired), elapsed_hours=mean(elapsed), count=len(repaired)
    )


def reliability(
    asset_ids: Iterable[int], work: Iterable[Work], downtime: Iterable[Downtime], start: datetime, end: datetime
) -> list[AssetReliability]:
    """Per asset over [start, end): failures (corrective work requested in the period), downtime (clipped
    to the period, overlaps merged), MTBF = operating time / failures, availability = uptime / period."""
    period = (end - start).total_seconds() / 3600
    failures: dict[int, int] = defaultdict(int)
    for w in work:
        if w.asset_id is not None and w.type is WorkOrderType.CORRECTIVE and start <= w.requested_at < end:
            failures[w.asset_id] += 1
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for d in downtime:
        clipped = (max(d.start, start), min(d.end or end, end))
        if clipped[0] < clipped[1]:
            spans[d.asset_id].append(clipped)
    found = []
    for asset_id in sorted(set(asset_ids)):
        down = _merged_hours(spans[asset_id])
        operating = period - down
        count = failures[asset_id]
        found.append(
            AssetReliability(
                asset_id=asset_id,
                failures=count,
                downtime_hours=down,
                operating_hours=operating,
                mtbf_hours=operating / count if count else None,
                availability=operating / period if period else 1.0,
            )
        )
    return found


def _merged_hours(spans: list[tuple[datetime, datetime]]) -> float:
    total, reach = 0.0, None
    for begin, finish in sorted(spans):
        if reach is not None and begin < reach:
            begin = reach
        if finish > begin:
            total += (finish - begin).total_seconds()
            reach = finish if reach is None else max(reach, finish)
    return total / 3600


def pm_compliance(work: Iterable[Work], start: date, end: date, zone: tzinfo = UTC) -> Ratio:
    """PM due in [start, end] done on time ÷ PM due. On time: completed on a day (in `zone`, the
    organisation's time zone) no later than the due date plus 10% of the interval in whole days (rounded
    down), that is before the end of that local day."""
    due = [w for w in work if w.type is WorkOrderType.PREVENTIVE and w.pm_due_on and start <= w.pm_due_on <= end]
    on_time = 0
    for w in due:
        if w.completed_at is None or w.status not in DONE or w.pm_due_on is None:
            continue
        grace = timedelta(days=(w.pm_interval_days or 0) * PM_GRACE)
        on_time += w.completed_at.astimezone(zone).date() <= w.pm_due_on + grace
    return Ratio(on_time, len(due))


def planned_share(work: Iterable[Work]) -> Ratio:
    """Hours of preventive (planned) labor ÷ hours of all maintenance labor."""
    items = list(work)
    planned = sum(w.labor_minutes for w in items if w.type is WorkOrderType.PREVENTIVE) / 60
    return Ratio(planned, sum(w.labor_minutes for w in items) / 60)


def sla_attainment(work: Iterable[Work]) -> dict[Priority, Ratio]:
    """Per priority: resolution targets met ÷ (met + breached). Work with no target (no resolution due
    time, although it is recorded as met when done) and work not yet judged are left out."""
    met: dict[Priority, int] = defaultdict(int)
    judged: dict[Priority, int] = defaultdict(int)
    for w in work:
        if w.resolution_due_at is not None and w.sla_resolution in (SlaStatus.MET, SlaStatus.BREACHED):
            judged[w.priority] += 1
            met[w.priority] += w.sla_resolution is SlaStatus.MET
    return {p: Ratio(met[p], judged[p]) for p in Priority if judged[p]}


def first_time_fix(work: Iterable[Work]) -> Ratio:
    """Completed corrective work never reopened and with no new corrective work on the same asset requested
    within 7 days after its completion (cancelled work, a duplicate say, does not count) ÷ completed
    corrective work."""
    items = list(work)
    done = [w for w in items if w.type is WorkOrderType.CORRECTIVE and w.status in DONE and w.completed_at]
    fixed = 0
    for w in done:
        assert w.completed_at is not None
        window_end = w.completed_at + REWORK_WINDOW
        again = any(
            other.number != w.number
            and other.type is WorkOrderType.CORRECTIVE
            and other.status is not Status.CANCELLED
            and other.asset_id is not None
            and other.asset_id == w.asset_id
            and w.completed_at < other.requested_at <= window_end
            for other in items
        )
        fixed += not (w.reopened or again)
    return Ratio(fixed, len(done))


def costs(work: Iterable[Work]) -> Costs:
    """Labor + parts + other + contractors, per work order, asset and team."""
    by_work_order: dict[int, float] = {}
    by_asset: dict[int, float] = defaultdict(float)
    by_team: dict[str, float] = defaultdict(float)
    for w in work:
        by_work_order[w.number] = w.cost
        if w.asset_id is not None:
            by_asset[w.asset_id] += w.cost
        by_team[w.team] += w.cost
    return Costs(
        total=sum(by_work_order.values()), by_work_order=by_work_order, by_asset=dict(by_asset), by_team=dict(by_team)
    )
