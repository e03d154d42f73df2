"""Short messages: card-thread lines, requester DMs and ephemeral answers."""

from blocks import text as t
from models.enums import EventKind, Status
from models.schemas import EventRead, WorkOrderRead


def thread_line(event: EventRead) -> str | None:
    """The line an event writes into the card's thread; None for events the card itself shows."""
    who = t.user(event.actor_id)
    if event.kind == EventKind.ASSIGNED:
        assignee = event.data.get("assignee_id")
        return f"{who} claimed this." if assignee == event.actor_id else f"{who} assigned this to {t.user(assignee)}."
    if event.kind == EventKind.LABOR_LOGGED:
        return f"{who} logged {event.data.get('minutes')} min."
    if event.kind == EventKind.STATUS_CHANGED and event.to_status is Status.IN_PROGRESS:
        return f"{who} started work."
    if event.kind == EventKind.STATUS_CHANGED and event.to_status is Status.COMPLETED:
        cause = f"\n*Cause:* {t.escape(event.data['cause'])}" if event.data.get("cause") else ""
        return t.clip(
            f"{who} completed this.\n*Resolution:* {t.escape(event.data.get('resolution', ''))}{cause}",
            t.SECTION_TEXT,
        )
    if event.kind == EventKind.STATUS_CHANGED and event.to_status is not None:
        return f"{who} moved this to {event.to_status.label.lower()}."
    return None


def filed_dm(wo: WorkOrderRead, *, team_name: str, permalink: str | None) -> str:
    link = f" <{permalink}|See the card>." if permalink else ""
    return f"Your request *{wo.ref} · {t.escape(wo.title)}* is filed with {t.escape(team_name)}.{link}"


def completed_dm(wo: WorkOrderRead, *, permalink: str | None) -> str:
    link = f" <{permalink}|See the card>." if permalink else ""
    resolution = t.escape(wo.resolution or "")
    return t.clip(
        f":white_check_mark: *{wo.ref} · {t.escape(wo.title)}* was completed by {t.user(wo.completed_by)}: "
        f"{resolution}{link}",
        t.SECTION_TEXT,
    )


def wo_usage() -> str:
    return "Usage: `/wo NUMBER` shows one work order, for example `/wo 42` or `/wo WO-42`."
