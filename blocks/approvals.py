"""Messages of the approval step: the approver's DM with Approve / Reject, and the requester's news."""

from collections.abc import Sequence
from typing import Any

from blocks import text as t
from blocks.card import button
from blocks.ids import Action
from models.enums import RequestStatus
from models.schemas import ServiceRequestRead


def _named(request: ServiceRequestRead) -> str:
    return f"*{request.ref} · {t.escape(request.title)}*"


def approval_request(request: ServiceRequestRead, *, category_name: str, decided: bool = False) -> dict[str, Any]:
    """The DM each approver gets; once anyone decided, the same message without buttons."""
    contact = request.portal_contact
    requested_by = (
        f"*Requested by* (web portal)\n{t.escape(contact)}"
        if contact
        else f"*Requested by*\n{t.user(request.requester_id)}"
    )
    facts = [
        requested_by,
        f"*Category*\n{t.escape(category_name)}",
        f"*Priority*\n{request.priority.label}",
        f"*Location*\n{t.escape(request.location) or '—'}",
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": t.mrkdwn(f":inbox_tray: Approval needed: {_named(request)}")},
        {"type": "section", "fields": [t.mrkdwn(fact, t.FIELD_TEXT) for fact in facts]},
    ]
    if request.description:
        blocks.append({"type": "section", "text": t.mrkdwn(t.escape(request.description))})
    if request.status is RequestStatus.PENDING_APPROVAL and not decided:
        value = str(request.id)
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button("Approve", Action.APPROVE, value, style="primary"),
                    button("Reject", Action.REJECT, value),
                ],
            }
        )
    else:
        blocks.append({"type": "context", "elements": [t.mrkdwn(decision(request))]})
    text = f"Approval needed: {request.ref} {request.title}"
    return {"text": t.clip(text, t.FALLBACK_TEXT), "blocks": blocks}


def decision(request: ServiceRequestRead) -> str:
    if request.status is RequestStatus.APPROVED:
        return f":white_check_mark: Approved by {t.user(request.decided_by)}."
    reason = f": {t.escape(request.rejection_reason)}" if request.rejection_reason else "."
    return t.clip(f":x: Rejected by {t.user(request.decided_by)}{reason}", t.SECTION_TEXT)


def awaiting_approval_dm(request: ServiceRequestRead, *, approvers: Sequence[str]) -> str:
    who = ", ".join(t.user(approver) for approver in approvers)
    return f":hourglass_flowing_sand: Your request {_named(request)} is waiting for approval by {who}."


def rejected_dm(request: ServiceRequestRead) -> str:
    reason = t.escape(request.rejection_reason or "")
    return t.clip(
        f":x: Your request {_named(request)} was not approved by {t.user(request.decided_by)}: {reason}", t.SECTION_TEXT
    )
