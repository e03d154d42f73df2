"""Pydantic read DTOs: what services hand to handlers, builders and the notifier."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from models.enums import Priority, RequestStatus, Status, WorkOrderType


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
    requester_id: str
    assignee_id: str | None
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
    status: RequestStatus


class Change(BaseModel):
    """A service call's result: the work order as it now stands and the events it caused."""

    model_config = ConfigDict(frozen=True)

    work_order: WorkOrderRead
    events: tuple[EventRead, ...]
