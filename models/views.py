"""Read-only views that screens are drawn from, each composed from several tables: the Home tab's
dashboard, the daily digest and its chart, the asset card."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from models.enums import PurchaseStatus
from models.schemas import Listing, ServiceRequestRead, WorkOrderRead


class TeamTotals(BaseModel):
    """A team's active work by state, for its managers' Home tab."""

    model_config = ConfigDict(frozen=True)

    team: str
    open: int = 0
    in_progress: int = 0
    on_hold: int = 0
    unclaimed: int = 0
    overdue: int = 0


KPI_PERIODS = (7, 30)  # days a manager's Home tab can show KPIs for; the first is the default


class PersonWorkload(BaseModel):
    """One person's workload (docs/kpis.md): the team's open work they hold now, its estimate and how much
    of it is overdue, and the team's work they completed in the period."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    open: int
    estimated_hours: float
    without_estimate: int
    overdue: int
    completed: int
    ratings: int = 0  # requesters' ratings of work they completed, given in the period
    rating_average: float | None = None


class TeamKpis(BaseModel):
    """A managed team's KPIs on the Home tab, as computed at `as_of` (they are kept a few minutes)."""

    model_config = ConfigDict(frozen=True)

    team: str
    days: int
    as_of: datetime
    rows: tuple[tuple[str, str], ...]  # (figure, value as text), as `wrench report` prints them
    workload: tuple[PersonWorkload, ...] = ()  # per person, shown with mentions instead of in `rows`


class Dashboard(BaseModel):
    """Everything one person's Home tab shows."""

    model_config = ConfigDict(frozen=True)

    assigned: Listing
    requested: Listing
    queue: Listing  # unclaimed active work of the teams they work in
    overdue_assigned: int
    overdue_queue: int
    pending_approvals: tuple[ServiceRequestRead, ...] = ()
    pending_purchases: tuple["PurchaseRead", ...] = ()  # purchase requests this person may decide on
    teams: tuple[TeamTotals, ...] = ()
    morning_dm: bool | None = None  # None: not offered (the person works in no team)


class PlannedPm(BaseModel):
    """One coming occurrence of a PM schedule, the `number`-th it will have made (calendar feeds)."""

    model_config = ConfigDict(frozen=True)

    schedule_id: int
    number: int
    title: str
    due_on: date
    asset: str | None
    version: int  # the schedule's: an edit that moves its dates is an update of the same events
    updated_at: datetime


class DueWork(BaseModel):
    """Open work with a due time, as a calendar shows it."""

    model_config = ConfigDict(frozen=True)

    number: int
    title: str
    due_at: datetime
    status: str
    permalink: str | None
    version: int
    updated_at: datetime


class Calendar(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    planned: tuple[PlannedPm, ...]
    due: tuple[DueWork, ...]


class PmDue(BaseModel):
    """A PM occurrence coming up (digest: PM due in the next 7 days)."""

    model_config = ConfigDict(frozen=True)

    schedule: str  # PM-3 · title
    due_on: date | None  # None: meter only, paused or ended
    asset: str | None = None


class RecurringFix(BaseModel):
    """One of the last fixes of a recurring failure: the work order, when it was completed, how, and why."""

    model_config = ConfigDict(frozen=True)

    number: int
    title: str
    completed_at: datetime
    resolution: str = ""
    cause: str = ""

    @property
    def ref(self) -> str:
        return f"WO-{self.number}"


class RecurringIssue(BaseModel):
    """An asset, location or category with at least the configured number of corrective work orders in the
    window (docs/kpis.md, Recurring failures), with its last fixes."""

    model_config = ConfigDict(frozen=True)

    kind: str  # asset, location or category
    name: str
    count: int
    window_days: int
    last: tuple[RecurringFix, ...] = ()  # newest first


class VendorContact(BaseModel):
    """A vendor as a card or the digest names it: how to reach them, and whether their insurance or contract
    has run out (`expiry` "expired") or runs out within a week ("expiring")."""

    model_config = ConfigDict(frozen=True)

    name: str
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    expires_on: date | None = None
    expiry: str | None = None


class OpenPurchase(BaseModel):
    """An open purchase order as the digest lists it: its number, vendor, what is still to come, its age."""

    model_config = ConfigDict(frozen=True)

    ref: str
    vendor: str
    total: str  # "120.00 USD"
    status: str  # its label: Ordered, Partly received
    days: int  # since it was ordered


class DigestData(BaseModel):
    """One team's backlog at a moment: what a digest shows."""

    model_config = ConfigDict(frozen=True)

    team: str
    local_date: date
    open: int
    new_24h: int
    completed_24h: int
    overdue: Listing
    unassigned: Listing
    aging: tuple[tuple[str, int], ...]  # (bucket, open work orders filed that long ago)
    on_hold: tuple[tuple[str, int], ...]  # (reason, count)
    top_assets: tuple[tuple[str, int], ...]  # (asset, open work orders)
    pm_due: tuple[PmDue, ...] = ()  # in the next 7 days
    pm_due_total: int = 0
    overdue_holders: tuple[tuple[str, int], ...] = ()  # (user id, overdue work orders they hold), most first
    recurring: tuple[RecurringIssue, ...] = ()  # the failures that became recurring since the previous digest
    # vendors of the team's categories whose insurance or contract has run out or runs out within a week
    vendor_expiries: tuple[VendorContact, ...] = ()
    # requesters' ratings of the team's work over the last 7 days: how many, their mean; and the low ones
    # (1 or 2) given in the last 24 hours: (WO-n · title, rating, comment)
    ratings_7d: int = 0
    rating_average_7d: float | None = None
    low_ratings_24h: tuple[tuple[str, int, str], ...] = ()
    open_purchases: tuple[OpenPurchase, ...] = ()  # the team's purchase orders still to arrive, oldest first
    open_purchases_total: int = 0

    @property
    def quiet(self) -> bool:
        news = self.vendor_expiries or self.low_ratings_24h or self.open_purchases_total
        return not (self.open or self.new_24h or self.completed_24h or news)


class DigestChart(BaseModel):
    """What the digest's chart image draws: the open backlog at the end of each of the last 14 days (the
    last one now) and completions per person over the same days."""

    model_config = ConfigDict(frozen=True)

    team: str
    backlog: tuple[tuple[date, int], ...]
    completions: tuple[tuple[str, int], ...]  # (user id, completed), most first


class AssetCard(BaseModel):
    """One asset as `/wo asset TAG` shows it: details, work, downtime and reliability this year, PM."""

    model_config = ConfigDict(frozen=True)

    id: int
    tag: str
    name: str
    category: str | None = None
    location: str | None = None
    parent: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    installed_on: date | None = None
    criticality: str
    status: str
    down_since: datetime | None = None
    down_reason: str | None = None
    meters: tuple[tuple[str, float, datetime], ...] = ()
    open_work: Listing
    recent: tuple[WorkOrderRead, ...] = ()  # the last completed, newest first
    year: int
    downtime_hours: float = 0.0
    failures: int = 0
    mtbf_hours: float | None = None
    mttr_hours: float | None = None
    schedules: tuple[PmDue, ...] = ()
    recurring: RecurringIssue | None = None  # the asset keeps failing: its count and last fixes
    vendor: VendorContact | None = None  # the outside contractor that services it


class PurchaseLineRead(BaseModel):
    """A line of a purchase request or order: a part, how many, the expected unit cost, how many arrived."""

    model_config = ConfigDict(frozen=True)

    id: int
    part_id: int
    sku: str
    name: str
    unit: str
    quantity: int
    unit_cost_minor: int
    unit_cost: str  # exact, in the order's currency: "12.50"
    amount: str  # quantity times unit cost
    received: int

    @property
    def outstanding(self) -> int:
        return max(0, self.quantity - self.received)


class PurchaseRead(BaseModel):
    """A purchase request, or the purchase order it became, with what every screen of it shows."""

    model_config = ConfigDict(frozen=True)

    id: int
    number: int | None
    status: PurchaseStatus
    team: str
    vendor_key: str
    vendor_name: str
    vendor_email: str
    work_order_id: int | None
    work_order_ref: str | None  # "WO-12"
    requested_by: str
    requested_at: datetime
    note: str
    currency: str
    total: str  # the expected total, exact: "120.50"
    total_minor: int
    received_minor: int  # what arrived so far, at the actual unit costs
    received_amount: str  # the same, exact: "60.00"
    lines: tuple[PurchaseLineRead, ...]
    decided_by: str | None
    decided_at: datetime | None
    rejection_reason: str | None
    ordered_at: datetime | None
    received_at: datetime | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    approval_messages: tuple[dict[str, str], ...] = ()
    message_channel: str | None = None
    message_ts: str | None = None
    emailed_to: str | None = None
    version: int

    @property
    def ref(self) -> str:
        """PO-n once ordered; PR-id while it is a request (or was rejected)."""
        return f"PO-{self.number}" if self.number is not None else f"PR-{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status in (PurchaseStatus.ORDERED, PurchaseStatus.PARTLY_RECEIVED)


class SpendRow(BaseModel):
    """Spend (what arrived, at its actual cost) of one vendor, team or month."""

    model_config = ConfigDict(frozen=True)

    key: str  # the vendor's key, the team's key, or the month "2026-03"
    name: str
    orders: int  # purchase orders with something received in the period
    amount: str  # exact, in `currency`: "1250.00"
    amount_minor: int


Dashboard.model_rebuild()
