"""Pydantic DTOs: what services hand to handlers, builders and the notifier, and the shapes they share."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from models.contractor_schemas import ContractorOnCard
from models.enums import (
    Anchor,
    ChecklistKind,
    FieldType,
    HoldReason,
    NonWorking,
    Priority,
    Repeat,
    RequestStatus,
    SlaStatus,
    Status,
    WorkOrderType,
)

FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def _field_key(value: Any) -> str:
    if not isinstance(value, str) or not FIELD_KEY.match(value):
        raise ValueError(f"'{value}' is not a field key: lowercase letters, digits and _, starting with a letter")
    return value


class CustomField(BaseModel):
    """One custom form field of a category (`fields:` in wrench.yml), as forms draw and check it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Annotated[str, BeforeValidator(_field_key)]
    label: str = Field(min_length=1, max_length=48)
    type: FieldType = FieldType.TEXT
    required: bool = False
    help: str | None = Field(default=None, max_length=150)
    options: tuple[Annotated[str, Field(min_length=1, max_length=75)], ...] = Field(default=(), max_length=100)
    min: float | None = None
    max: float | None = None
    decimals: bool = False
    max_length: int = Field(default=500, ge=1, le=3000)

    @model_validator(mode="after")
    def _consistent(self) -> "CustomField":
        if self.type is FieldType.SELECT and not self.options:
            raise ValueError(f"field '{self.key}' is a select: give it options")
        if self.type is not FieldType.SELECT and self.options:
            raise ValueError(f"field '{self.key}' has options but is not a select")
        if (self.min is not None or self.max is not None) and self.type is not FieldType.NUMBER:
            raise ValueError(f"field '{self.key}': min and max are for number fields")
        whole = not self.decimals
        if whole and any(bound is not None and not bound.is_integer() for bound in (self.min, self.max)):
            raise ValueError(f"field '{self.key}': min and max must be whole numbers unless decimals is true")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"field '{self.key}': min is larger than max")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"field '{self.key}' lists an option twice")
        return self


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


# How long a request's and a work order's texts may be, whichever way they come in (Slack modal,
# REST API, web portal); the columns are sized to them.
TITLE_MAX = 150
DESCRIPTION_MAX = 3000
LOCATION_MAX = 200
RESOLUTION_MAX = 3000
CAUSE_MAX = 500


class RequestCreate(BaseModel):
    """What someone asks for: the fields of a request, and of the work order it becomes."""

    model_config = ConfigDict(frozen=True)

    title: str
    category: str
    description: str = ""
    location: str = ""
    priority: Priority | None = None
    location_id: int | None = None
    asset_id: int | None = None
    custom_fields: dict[str, Any] = {}
    attachments: tuple[dict[str, Any], ...] = ()
    source_channel: str | None = None
    source_ts: str | None = None
    asset_down: bool = False  # the asset has stopped: its downtime starts with the work order


class WorkOrderRead(ReadModel):
    id: int
    number: int
    title: str
    description: str
    type: WorkOrderType
    priority: Priority
    status: Status
    category: str
    team: str
    location: str
    location_id: int | None = None
    asset_id: int | None = None
    requester_id: str
    request_id: int | None = None
    assignee_id: str | None
    custom_fields: dict[str, Any] = {}
    attachments: list[dict[str, Any]] = []
    source_link: str | None = None
    source_channel: str | None = None
    source_ts: str | None = None
    hold_reason: HoldReason | None = None
    status_note: str | None = None
    closed_at: datetime | None = None
    sla_response: SlaStatus = SlaStatus.ONGOING
    sla_resolution: SlaStatus = SlaStatus.ONGOING
    escalation_level: int = 0
    escalated_at: datetime | None = None
    acknowledged_by: str | None = None
    created_at: datetime
    updated_at: datetime
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    resolution: str | None
    cause: str | None
    rating: int | None = None
    rating_comment: str | None = None
    rated_at: datetime | None = None
    card_channel: str | None
    card_ts: str | None
    card_permalink: str | None = None
    pm_schedule_id: int | None = None
    checklist: list[dict[str, Any]] = []
    estimated_minutes: int | None = None
    version: int

    @property
    def ref(self) -> str:
        """The number people use: `WO-42`."""
        return f"WO-{self.number}"


class EventRead(ReadModel):
    id: int
    work_order_id: int
    at: datetime
    actor_id: str
    kind: str
    from_status: Status | None
    to_status: Status | None
    data: dict[str, Any]


# Who requests filed on the web portal are filed by: not a Slack user (nobody is sent a DM about them).
PORTAL_REQUESTER = "portal"
# Who requests read from the requests mailbox are filed by; their sender is told by email.
EMAIL_REQUESTER = "email"
OUTSIDE_REQUESTERS = frozenset({PORTAL_REQUESTER, EMAIL_REQUESTER})  # their name and email are on the request
VENDOR_ACTOR = "vendor:"  # the actor of a contractor's own steps: `vendor:<vendor id>`


def vendor_actor(vendor_id: int) -> str:
    return f"{VENDOR_ACTOR}{vendor_id}"


def web_contact(name: str | None, email: str | None) -> str:
    """How a portal requester is shown: "Jane Doe <jane@example.com>", or what they gave of it."""
    if name and email:
        return f"{name} <{email}>"
    return name or email or "someone on the web portal"


class ServiceRequestRead(ReadModel):
    id: int
    requester_id: str
    category: str
    title: str
    description: str
    location: str
    priority: Priority
    status: RequestStatus
    custom_fields: dict[str, Any]
    attachments: list[dict[str, Any]]
    decided_by: str | None
    decided_at: datetime | None
    rejection_reason: str | None
    approval_messages: list[dict[str, str]]
    created_at: datetime
    requester_name: str | None = None
    requester_email: str | None = None

    @property
    def ref(self) -> str:
        return f"REQ-{self.id}"

    @property
    def portal_contact(self) -> str | None:
        """The contact a web portal requester gave; None for a request from Slack."""
        if self.requester_id not in OUTSIDE_REQUESTERS:
            return None
        return web_contact(self.requester_name, self.requester_email)


class Submission(BaseModel):
    """What submitting a request did: made a work order at once, or is waiting for an approver."""

    model_config = ConfigDict(frozen=True)

    request: ServiceRequestRead
    change: "Change | None" = None


class Change(BaseModel):
    """A service call's result: the work order as it now stands and the events it caused."""

    model_config = ConfigDict(frozen=True)

    work_order: WorkOrderRead
    events: tuple[EventRead, ...]


class TimerRead(ReadModel):
    """A running labor timer, as the person who runs it is shown it."""

    id: int
    work_order_id: int
    user_id: str
    started_at: datetime


class TimerPress(BaseModel):
    """What pressing a card's ⏱ Timer did: started the clicker's timer (`change` says so to the card),
    or found it running already (`minutes` so far; `change` is None)."""

    model_config = ConfigDict(frozen=True)

    timer: TimerRead
    ref: str
    minutes: int
    change: Change | None = None


class Choice(BaseModel):
    """One row of a type-ahead list: a location or an asset."""

    model_config = ConfigDict(frozen=True)

    id: int
    label: str


class CardContext(BaseModel):
    """What a card shows beyond the work order's own columns: names from the config and the database."""

    model_config = ConfigDict(frozen=True)

    category: str
    team: str
    asset: str | None = None
    # (label, value as text, type) of the category's custom fields; a `user` value is a user id
    fields: tuple[tuple[str, str, FieldType], ...] = ()
    cost: str | None = None  # labor + parts + other, with the currency, once the work is done
    timers: tuple[tuple[str, datetime], ...] = ()  # (person, since) of each running labor timer
    requester: str | None = None  # who filed it on the web portal (name and email), when not a Slack user
    contractor: ContractorOnCard | None = None  # the work sent to a contractor, while it is open
    # on hold for parts, the purchase orders whose parts arrived since ("PO-3"), and whether all of them did
    parts_arrived: tuple[str, ...] = ()
    parts_complete: bool = False


class Listing(BaseModel):
    """The first rows of a list and how many there are in all."""

    model_config = ConfigDict(frozen=True)

    rows: tuple[WorkOrderRead, ...] = ()
    total: int = 0


class ChecklistItem(BaseModel):
    """One line of a PM checklist: something to tick, pass or fail, or a reading (failed outside min..max)."""

    model_config = ConfigDict(frozen=True)

    label: str = Field(min_length=1, max_length=150)
    kind: ChecklistKind = ChecklistKind.CHECK
    unit: str | None = Field(default=None, max_length=20)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _range(self) -> "ChecklistItem":
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"“{self.label}”: the lowest value is above the highest")
        return self


class PmScheduleRead(ReadModel):
    id: int
    key: str | None
    title: str
    description: str
    team: str
    category: str
    priority: Priority
    asset_id: int | None
    location_id: int | None
    checklist: list[dict[str, Any]]
    estimated_minutes: int | None
    repeat: Repeat | None
    every: int
    weekdays: list[int]
    cron: str | None
    starts_on: date
    ends_on: date | None
    max_count: int | None
    anchor: Anchor
    lead_days: int
    non_working: NonWorking
    meter: str | None
    meter_every: float | None
    meter_threshold: float | None
    one_open: bool
    next_due_on: date | None
    open_work_order_id: int | None
    generated_count: int
    paused_at: datetime | None
    pause_reason: str | None
    created_by: str
    version: int

    @property
    def ref(self) -> str:
        return f"PM-{self.id}"

    @property
    def ended(self) -> bool:
        return self.next_due_on is None and self.meter is None and self.open_work_order_id is None

    @property
    def state(self) -> str:
        return "paused" if self.paused_at else "ended" if self.ended else "active"


class PmNotice(BaseModel):
    """Something a PM schedule's team should hear (it paused itself)."""

    model_config = ConfigDict(frozen=True)

    team: str
    text: str


class PmRun(BaseModel):
    """What one PM check did: work orders it created and notices for teams."""

    model_config = ConfigDict(frozen=True)

    created: tuple[WorkOrderRead, ...] = ()
    notices: tuple[PmNotice, ...] = ()


Submission.model_rebuild()
