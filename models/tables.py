"""Imports every table so `Base.metadata` is complete (Alembic and tests use it)."""

from models.base import Base
from models.counters import Counter
from models.places import Asset, Location
from models.requests import ServiceRequest
from models.slack_events import DigestRun, HomeViewer, SeenEvent
from models.work_orders import LaborEntry, WorkOrder, WorkOrderEvent

__all__ = [
    "Asset",
    "Base",
    "Counter",
    "DigestRun",
    "HomeViewer",
    "LaborEntry",
    "Location",
    "SeenEvent",
    "ServiceRequest",
    "WorkOrder",
    "WorkOrderEvent",
]
