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
    RATED = "rated"  # the requester's satisfaction rating
    # Work sent to an outside contractor (services.contractor_jobs); the contractor's own steps have the
    # vendor as actor (`vendor:<id>`).
    CONTRACTOR_SENT = "contractor_sent"
    CONTRACTOR_ACCEPTED = "contractor_accepted"
    CONTRACTOR_DECLINED = "contractor_declined"
    CONTRACTOR_UPDATE = "contractor_update"
    CONTRACTOR_FILES = "contractor_files"
    CONTRACTOR_COST = "contractor_cost"
    CONTRACTOR_DONE = "contractor_done"
    CONTRACTOR_REVOKED = "contractor_revoked"
    PARTS_ARRIVED = "parts_arrived"  # parts a purchase order brought for this work order were received


class JobState(StrEnum):
    """A contractor job: sent → accepted | declined; accepted → done (the team reviews it); while sent
    or accepted (or done and not yet reviewed) a manager may revoke it."""

    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DONE = "done"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return JOB_LABELS[self]


JOB_LABELS = {
    JobState.SENT: "Sent, not yet accepted",
    JobState.ACCEPTED: "Accepted",
    JobState.DECLINED: "Declined",
    JobState.DONE: "Done, waiting for review",
    JobState.REVOKED: "Link revoked",
}


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
