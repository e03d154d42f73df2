"""Imports every table so `Base.metadata` is complete (Alembic and tests use it)."""

from models.base import Base
from models.contractor_jobs import ContractorFile, ContractorJob
from models.counters import Counter
from models.integrations import ApiToken, CalendarFeed, PublishedEvent, WebhookDelivery
from models.mail import IncomingMail, OutgoingMail
from models.maintenance import AssetMeter, MeterReading, PmOccurrence, PmSchedule
from models.outbox import OutboxEntry, SlackPace
from models.parts import Part, StockMovement
from models.people import PersonSettings
from models.places import Asset, Downtime, Location
from models.purchasing import PurchaseLine, PurchaseOrder, PurchaseReceipt
from models.requests import ServiceRequest
from models.slack_events import DigestRun, HomeViewer, SeenEvent
from models.vendors import Vendor
from models.work_orders import CostEntry, LaborEntry, LaborTimer, WorkOrder, WorkOrderEvent

__all__ = [
    "ApiToken",
    "Asset",
    "AssetMeter",
    "Base",
    "CalendarFeed",
    "ContractorFile",
    "ContractorJob",
    "CostEntry",
    "Counter",
    "DigestRun",
    "Downtime",
    "HomeViewer",
    "IncomingMail",
    "LaborEntry",
    "LaborTimer",
    "Location",
    "MeterReading",
    "OutboxEntry",
    "OutgoingMail",
    "Part",
    "PersonSettings",
    "PmOccurrence",
    "PmSchedule",
    "PublishedEvent",
    "PurchaseLine",
    "PurchaseOrder",
    "PurchaseReceipt",
    "SeenEvent",
    "ServiceRequest",
    "SlackPace",
    "StockMovement",
    "Vendor",
    "WebhookDelivery",
    "WorkOrder",
    "WorkOrderEvent",
]
