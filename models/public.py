"""The shapes Wrench shows the outside world: REST API responses, webhook payloads, JSON and CSV exports.

One set of models so an ERP reads the same fields everywhere; the OpenAPI document is generated from
them. Names are stable: add fields, never rename one.
"""

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from models.enums import (
    AssetStatus,
    Criticality,
    HoldReason,
    Priority,
    RequestStatus,
    SlaStatus,
    Status,
    WorkOrderType,
)


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WorkOrderOut(Public):
    """A work order as it stands."""

    number: int = Field(description="Shown as WO-<number>; what the API's paths use.")
    ref: str = Field(examples=["WO-42"])
    title: str
    description: str
    type: WorkOrderType
    priority: Priority
    status: Status
    category: str
    team: str
    location: str = Field(description="Where the work is, as the requester named it or the location's path.")
    asset_tag: str | None = None
    requester: str = Field(description="Slack user id of the person who asked.")
    assignee: str | None = Field(description="Slack user id of the technician who holds it.")
    hold_reason: HoldReason | None
    status_note: str | None
    custom_fields: dict[str, Any]
    request_id: int | None
    pm_schedule_id: int | None
    created_at: datetime
    updated_at: datetime
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    resolution: str | None
    cause: str | None
    closed_at: datetime | None
    sla_response: SlaStatus
    sla_resolution: SlaStatus
    version: int = Field(description="Goes up with every change; send it back to refuse a stale change.")


class EventOut(Public):
    """One entry of a work order's history."""

    id: int
    at: datetime
    actor: str
    kind: str
    from_status: Status | None
    to_status: Status | None
    data: dict[str, Any]


class RequestOut(Public):
    """What a requester asked for; approved (or not needing approval) it has a work order."""

    id: int
    ref: str = Field(examples=["REQ-7"])
    status: RequestStatus
    category: str
    title: str
    description: str
    location: str
    asset_tag: str | None = None
    priority: Priority
    requester: str
    custom_fields: dict[str, Any]
    decided_by: str | None
    decided_at: datetime | None
    rejection_reason: str | None
    work_order_number: int | None = None
    created_at: datetime


class AssetOut(Public):
    tag: str
    name: str
    category: str | None
    location: str | None = Field(description="The location's path, Site / Building / Floor / Room.")
    parent_tag: str | None
    manufacturer: str | None
    model: str | None
    serial: str | None
    installed_on: date | None
    criticality: Criticality
    status: AssetStatus
    service_vendor: str | None = Field(default=None, description="The key of the vendor that services it.")


class VendorOut(Public):
    """An outside contractor of the vendors register."""

    key: str = Field(examples=["acme-hvac"], description="What the API's paths use; unique regardless of case.")
    name: str
    trades: list[str] = Field(description="The category keys (wrench.yml) the vendor serves.")
    contact_name: str
    email: str
    phone: str
    hourly_rate: str | None = Field(
        examples=["85.50"], description="A decimal, exact, in `currency` (never a float); null: none recorded."
    )
    currency: str = Field(examples=["EUR"], description="ISO 4217 code of the hourly rate.")
    expires_on: date | None = Field(description="When its insurance or contract runs out; good through that day.")
    expired: bool = Field(description="`expires_on` has passed (today in the organisation's time zone).")
    notes: str
    created_at: datetime
    updated_at: datetime


class PurchaseLineOut(BaseModel):
    sku: str
    name: str
    unit: str
    quantity: int = Field(description="Ordered, in whole units of the part.")
    unit_cost: str = Field(examples=["12.50"], description="Expected, a decimal in the order's `currency`.")
    received: int


class PurchaseOrderOut(BaseModel):
    """A purchase request, or the purchase order (`PO-n`) it became once approved."""

    ref: str = Field(examples=["PO-3", "PR-7"], description="PO-n once ordered; PR-id while a request.")
    number: int | None
    status: str = Field(examples=["requested", "ordered", "partly_received", "received", "rejected", "cancelled"])
    team: str
    vendor: str = Field(description="The vendor's key.")
    vendor_name: str
    work_order: str | None = Field(examples=["WO-12"], description="The work order the parts are for.")
    requested_by: str
    requested_at: datetime
    note: str
    currency: str
    total: str = Field(examples=["120.50"], description="The expected total, exact (never a float).")
    received_amount: str = Field(description="What arrived so far at its actual unit costs, exact.")
    lines: list[PurchaseLineOut]
    decided_by: str | None = Field(description="Who approved or rejected it; `wrench`: below the threshold.")
    decided_at: datetime | None
    rejection_reason: str | None
    ordered_at: datetime | None
    received_at: datetime | None
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    version: int = Field(description="Changes with every receipt: send it back to receive only what you saw.")


class SpendRowOut(BaseModel):
    key: str = Field(description="The vendor's key, the team's key, or the month (YYYY-MM, local time).")
    name: str
    orders: int
    amount: str = Field(examples=["1250.00"], description="Exact, in `currency`.")


class SpendOut(BaseModel):
    """What arrived in the period, at its actual unit cost (purchase receipts)."""

    currency: str
    since: datetime
    until: datetime
    total: str
    orders: int
    by_vendor: list[SpendRowOut]
    by_team: list[SpendRowOut]
    by_month: list[SpendRowOut]


class LocationOut(Public):
    id: int
    name: str
    path: str
    parent_id: int | None


class PartOut(Public):
    sku: str
    name: str
    unit: str
    unit_cost: float = Field(description="In the organisation's currency.")
    on_hand: float
    reorder_point: float
    location: str
    low: bool = Field(description="Stock is at or below the reorder point.")


class PmScheduleOut(Public):
    id: int
    ref: str = Field(examples=["PM-3"])
    key: str | None
    title: str
    team: str
    category: str
    priority: Priority
    asset_tag: str | None = None
    state: str = Field(description="active, paused or ended.")
    repeat: str | None
    every: int
    cron: str | None
    meter: str | None
    meter_every: float | None
    next_due_on: date | None
    generated_count: int


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a listing; pass `next_cursor` back as `cursor` for the next (null: no more)."""

    items: list[T]
    next_cursor: str | None = None


class WebhookEvent(BaseModel):
    """What a webhook receives: one event, with the work order or request as it stood after it."""

    id: int = Field(description="Unique per event: a receiver that saw it already can ignore it.")
    type: str = Field(examples=["work_order.status_changed", "request.submitted"])
    occurred_at: datetime
    actor: str
    data: dict[str, Any] = {}
    work_order: WorkOrderOut | None = None
    request: RequestOut | None = None


class SpreadOut(BaseModel):
    """Durations in minutes over `count` work orders (null when there were none)."""

    median_minutes: float | None
    p90_minutes: float | None
    count: int


class RatioOut(BaseModel):
    part: float
    whole: float
    value: float | None = Field(description="part / whole; null when whole is 0.")


class AssetKpisOut(BaseModel):
    asset_tag: str
    failures: int
    downtime_hours: float
    mtbf_hours: float | None
    availability: float


class WorkloadOut(BaseModel):
    """One person's workload: the team's open work they hold now, and its work they completed in the period."""

    user_id: str = Field(description="Slack user id.")
    open: int = Field(description="Open work orders (open, in progress, on hold) of the team they hold now.")
    estimated_hours: float = Field(description="Sum of the estimates of that open work, in hours.")
    without_estimate: int = Field(description="How many of those open work orders have no estimate.")
    overdue: int = Field(description="How many of those are past their resolution due time now.")
    completed: int = Field(description="Work orders of the team they completed in the last `days` days.")


class AssetDownOut(BaseModel):
    asset_tag: str
    since: datetime = Field(description="Start of its earliest downtime period still open.")


class DowntimeOut(BaseModel):
    """Downtime of the team's work orders in the period: periods clipped to it, overlapping periods of one
    asset merged into one event (docs/kpis.md, Downtime)."""

    hours: float = Field(description="Hours assets were down in the period, overlaps of one asset counted once.")
    events: int = Field(description="Downtime events in the period.")
    longest_hours: float | None = Field(description="Hours of the longest event in the period; null: none.")
    longest_asset_tag: str | None = Field(description="The asset of the longest event.")
    by_asset: dict[str, float] = Field(description="Hours down per asset tag.")
    by_location: dict[str, float] = Field(
        description="Hours down per location path; a location counts the assets in it and in the locations "
        "below it; assets without a location are under `(no location)`."
    )
    down_now: list[AssetDownOut] = Field(description="Assets down now through the team's work, and since when.")


class RecurringFixOut(BaseModel):
    work_order: int = Field(description="The work order's number.")
    completed_at: datetime
    resolution: str
    cause: str


class RecurringOut(BaseModel):
    kind: str = Field(description="`asset`, `location` or `category`.")
    name: str = Field(description="The asset's tag, the location's path or the category's name.")
    work_orders: int = Field(description="Corrective work orders (not cancelled) requested in the window.")
    last: list[RecurringFixOut] = Field(description="The latest completed with a resolution or cause, newest first.")


class CompletionOut(BaseModel):
    """Completion over the period, for the team, a priority or a category (docs/kpis.md)."""

    requested: int = Field(default=0, description="Work orders requested in the period, cancelled ones left out.")
    completed: int = Field(default=0, description="Work orders completed in the period, whenever requested.")
    rate: float | None = Field(default=None, description="completed / requested, may exceed 1; null: none requested.")
    on_time: int = Field(default=0, description="Of the completed: done by their resolution due time.")
    late: int = Field(default=0, description="Of the completed: done after their resolution due time.")
    without_due_time: int = Field(
        default=0, description="Of the completed: with no resolution target, left out of on_time_rate."
    )
    on_time_rate: float | None = Field(
        default=None, description="on_time / (on_time + late); null when nothing completed had a due time."
    )
    cancelled: int = Field(default=0, description="Requested in the period and cancelled: not in `requested`.")


class SatisfactionOut(BaseModel):
    """Requesters' ratings (1 to 5) given in the period; formulas in docs/kpis.md."""

    count: int = 0
    average: float | None = Field(default=None, description="Mean rating; null without ratings.")
    rated_4_or_5: int = 0
    share_4_or_5: float | None = Field(default=None, description="rated_4_or_5 ÷ count; null without ratings.")


class KpisOut(BaseModel):
    """A team's KPIs over the last `days` days (the backlog as it stands); formulas in docs/kpis.md."""

    team: str
    days: int
    currency: str
    backlog_count: int
    backlog_estimated_hours: float
    backlog_ages: dict[str, int] = Field(description="Open work orders by age bucket.")
    response: SpreadOut
    mttr_labor_minutes: float | None
    mttr_elapsed_hours: float | None
    repairs: int
    pm_compliance: RatioOut
    planned: RatioOut
    first_time_fix: RatioOut
    sla_attainment: dict[str, RatioOut] = Field(description="By priority.")
    cost_total: float
    assets: list[AssetKpisOut]
    workload: list[WorkloadOut] = Field(
        default_factory=list,
        description="Per person: every technician of the team, and anyone else holding its open work or "
        "having completed some of it in the period; most open work first.",
    )
    downtime: DowntimeOut | None = Field(default=None, description="Downtime in the period (docs/kpis.md).")
    recurring: list[RecurringOut] = Field(
        default_factory=list,
        description="Assets, locations and categories of the team with at least `recurring.threshold` corrective "
        "work orders in the last `recurring.window_days` days up to now (wrench.yml), whatever `days` is.",
    )
    completion: CompletionOut = Field(
        default_factory=CompletionOut,
        description="Work orders completed in the period ÷ requested in it, and how many of the completed were "
        "done by their resolution due time.",
    )
    satisfaction: SatisfactionOut = Field(
        default_factory=SatisfactionOut,
        description="Requesters' ratings of the team's work given in the period (asked once the work closes).",
    )
    satisfaction_by_person: dict[str, SatisfactionOut] = Field(
        default_factory=dict,
        description="The same by the Slack user id of who completed the rated work (`nobody`: closed without it).",
    )
    completion_by_priority: dict[str, CompletionOut] = Field(
        default_factory=dict, description="The same by priority (each with work requested or completed in the period)."
    )
    completion_by_category: dict[str, CompletionOut] = Field(
        default_factory=dict,
        description="The same by category key (each with work requested or completed in the period).",
    )
