"""Imports every table so `Base.metadata` is complete (Alembic and tests use it)."""

from models.base import Base
from models.counters import Counter
from models.requests import ServiceRequest
from models.work_orders import LaborEntry, WorkOrder, WorkOrderEvent

__all__ = ["Base", "Counter", "LaborEntry", "ServiceRequest", "WorkOrder", "WorkOrderEvent"]
