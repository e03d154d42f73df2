"""SLA due times from the per-priority targets in wrench.yml (calendar time for now)."""

from datetime import datetime

from models.enums import Priority
from services.org import Organisation


def due_times(org: Organisation, priority: Priority, created_at: datetime) -> tuple[datetime | None, datetime | None]:
    """(response due, resolution due) for a work order created at `created_at`; None without a target."""
    target = org.sla.get(priority)
    if target is None:
        return None, None
    return created_at + target.respond, created_at + target.resolve
