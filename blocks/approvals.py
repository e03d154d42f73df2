"""Messages of the approval step: the approver's DM with Approve / Reject, and the requester's news."""

from collections.abc import Sequence
from typing import Any

from blocks import text as t
from blocks.card import button
from blocks.ids import Action
from models.enums import RequestStatus
from models.schemas import ServiceRequestRead


def _named(request: ServiceRequestRead) -> t.Mrkdwn:
    return t.md("*{} · {}*", request.ref, request.title)


def approval_request(request: ServiceRequestRead, *, category_name: str, decided: bool = False) -> dict[str, Any]:
    """The DM each approver gets; once anyone decided, the same message without buttons."""
    contact = request.portal_contact
    requested_by = (
        t.md("*Requested by* (web portal)\n{}", contact)
        if contact
        else t.md("*Requested by*\n{}", t.user(request.requester_id))
    )
    facts = [
        requested_by,
        t.md("*Category*\n{}", category_name),
        t.md("*Priority*\n{}", request.priority.label),
        t.md("*Location*\n{}", request.location or "—"),
    ]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": t.mrkdwn(t.md(":inbox_tray: Approval needed: {}", _named(request)))},
        {"type": "section", "fields": [t.mrkdwn(fact, t.FIELD_TEXT) for fact in facts]},
    ]
    if request.description:
        blocks.append({"type": "section", "text": t.mrkdwn(request.description)})
    if request.status is RequestStatus.PENDING_APPROVAL and not decided:
        blocks.append(approve_or_reject(str(request.id), approve=Action.APPROVE, reject=Action.REJECT))
    else:
        blocks.append({"type": "context", "elements": [t.mrkdwn(decision(request))]})
    return t.message(t.md("Approval needed: {} {}", request.ref, request.title), blocks)


def approve_or_reject(value: str, *, approve: Action, reject: Action) -> dict[str, Any]:
    """An approver's DM's Approve and Reject buttons, on what `value` names (a request, a purchase order)."""
    return {
        "type": "actions",
        "elements": [button("Approve", approve, value, style="primary"), button("Reject", reject, value)],
    }


def decision(request: ServiceRequestRead) -> t.Mrkdwn:
    if request.status is RequestStatus.APPROVED:
        return t.md(":white_check_mark: Approved by {}.", t.user(request.decided_by))
    reason = t.md(": {}", request.rejection_reason) if request.rejection_reason else "."
    return t.clip(t.md(":x: Rejected by {}{}", t.user(request.decided_by), reason), t.SECTION_TEXT)


def awaiting_approval_dm(request: ServiceRequestRead, *, approvers: Sequence[str]) -> t.Mrkdwn:
    who = t.lines((t.user(approver) for approver in approvers), ", ")
    return t.md(":hourglass_flowing_sand: Your request {} is waiting for approval by {}.", _named(request), who)


def rejected_dm(request: ServiceRequestRead) -> t.Mrkdwn:
    return t.clip(
        t.md(
            ":x: Your request {} was not approved by {}: {}",
            _named(request),
            t.user(request.decided_by),
            request.rejection_reason or "",
        ),
        t.SECTION_TEXT,
    )
