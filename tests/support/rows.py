"""Work-order rows for bulk INSERTs in tests that seed random histories: every column a row must have,
with the values such a test does not vary."""

from datetime import datetime
from typing import Any


def work_order_row(number: int, created: datetime, **varied: Any) -> dict[str, Any]:
    """An open corrective plumbing work order of the facilities team, filed at `created`; `varied` overrides."""
    return {
        "number": number,
        "title": f"Job {number}",
        "description": "",
        "type": "corrective",
        "priority": "medium",
        "status": "open",
        "category": "plumbing",
        "team": "facilities",
        "location": "",
        "requester_id": "U0STAFF",
        "custom_fields": {},
        "attachments": [],
        "checklist": [],
        "sla_response": "met",
        "sla_resolution": "ongoing",
        "escalation_level": 0,
        "sla_paused_seconds": 0,
        "version": 1,
        "created_at": created,
        "updated_at": created,
    } | varied
