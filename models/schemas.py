"""Pydantic read DTOs: what services hand to handlers, builders and the notifier."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from models.enums import HoldReason, Priority, RequestStatus, Status, WorkOrderType


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


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
    location_id: int | None
    asset_id: int | None
    requester_id: str
    assignee_id: str | None
    custom_fields: dict[str, Any]
    attachments: list[dict[str, Any]]
    source_link: str | None
    source_channel: str | None
    source_ts: str | None
    hold_reason: HoldReason | None
    status_note: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    resolution: str | None
    cause: str | None
    card_channel: str | None
    card_ts: str | None
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

    @property
    def ref(self) -> str:
        return f"REQ-{self.id}"


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


class Choice(BaseModel):
    """One row of a type-ahead list: a location or an asset."""

    model_config = ConfigDict(frozen=True)

    id: int
    label: str

class TeamTotals(BaseModel):
    """A team's active work by state, for its managers' Home tab."""

    model_config = ConfigDict(frozen=True)

    team: str
    open: int = 0
    in_progress: int = 0
    on_hold: int = 0
    unclaimed: int = 0
    overdue: int = 0


class Listing(BaseModel):
    """The first rows of a list and how many there are in all."""

    model_config = ConfigDict(frozen=True)

    rows: tuple[WorkOrderRead, ...] = ()
    total: int = 0


class Dashboard(BaseModel):
    """Everything one person's Home tab shows."""

    model_config = ConfigDict(frozen=True)

    assigned: Listing
    requested: Listing
    queue: Listing  # unclaimed active work of the teams they work in
    overdue_assigned: int
    overdue_queue: int
    pending_approvals: tuple[ServiceRequestRead, ...] = ()
    teams: tuple[TeamTotals, ...] = ()


Submission.model_rebuild()
