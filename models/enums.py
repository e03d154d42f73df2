"""Value sets shared by tables, DTOs, services and Block Kit builders."""

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class WorkOrderType(StrEnum):
    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"
    INSPECTION = "inspection"
    EMERGENCY = "emergency"


class RequestStatus(StrEnum):
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"


class HoldReason(StrEnum):
    PARTS = "parts"
    VENDOR = "vendor"
    ACCESS = "access"
    OTHER = "other"

    @property
    def label(self) -> str:
        return HOLD_LABELS[self]


HOLD_LABELS = {
    HoldReason.PARTS: "Waiting for parts",
    HoldReason.VENDOR: "Waiting for a vendor",
    HoldReason.ACCESS: "Waiting for access",
    HoldReason.OTHER: "Other",
}


class SlaStatus(StrEnum):
    ONGOING = "ongoing"
    MET = "met"
    BREACHED = "breached"


class EventKind(StrEnum):
    CREATED = "created"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    STATUS_CHANGED = "status_changed"
    LABOR_LOGGED = "labor_logged"
    NOTE_ADDED = "note_added"
    PARTS_USED = "parts_used"
    PRIORITY_CHANGED = "priority_changed"
    DUE_CHANGED = "due_changed"
    FILES_ADDED = "files_added"
    SLA_WARNING = "sla_warning"
    ESCALATED = "escalated"
    SLA_REMINDER = "sla_reminder"
    ACKNOWLEDGED = "acknowledged"
    CHECKLIST_ITEM = "checklist_item"
    FOLLOW_UP_OPENED = "follow_up_opened"
    ASSET_DOWN = "asset_down"
    COST_ADDED = "cost_added"
    ASSET_UP = "asset_up"
    TIMER_STARTED = "timer_started"
    TIMER_STOPPED = "timer_stopped"
    PARTS_ARRIVED = "parts_arrived"  # parts a purchase order brought for this work order were received


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    SELECT = "select"
    DATE = "date"
    USER = "user"
    CHECKBOX = "checkbox"


class Repeat(StrEnum):
    """The calendar part of a PM recurrence."""

    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"
    CRON = "cron"


class Anchor(StrEnum):
    FIXED = "fixed"  # the next due date comes from the schedule; late work skips missed dates
    FLOATING = "floating"  # the next due date counts from the completion of the last one


class NonWorking(StrEnum):
    """What happens to an occurrence that falls on a weekend or holiday."""

    KEEP = "keep"
    SKIP = "skip"
    NEXT_WORKING_DAY = "next_working_day"


class ChecklistKind(StrEnum):
    CHECK = "check"  # done or not
    PASS_FAIL = "pass_fail"
    NUMBER = "number"  # a reading, failed when outside min..max


class AssetStatus(StrEnum):
    RUNNING = "running"
    DOWN = "down"


class Criticality(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class PurchaseStatus(StrEnum):
    REQUESTED = "requested"  # waiting for an approver
    REJECTED = "rejected"
    ORDERED = "ordered"  # approved: a purchase order with its number
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()
