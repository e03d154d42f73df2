"""Move a work order to a named status, the way the REST API asks: each target goes through the same
lifecycle step (and so the same rules, permissions and side effects) as the Slack button that gets there."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import HoldReason, Status
from models.schemas import Change
from services.errors import Conflict, InvalidInput
from services.organisation.org import Organisation
from services.work_orders import assignment, changes, lifecycle, rules


@dataclass(frozen=True)
class StatusChange:
    status: Status
    reason: str = ""  # cancel and reopen: why; hold: the note
    hold_reason: HoldReason | None = None
    resolution: str = ""
    cause: str = ""
    minutes: int | None = None


async def move_to(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    target: StatusChange,
    seen_version: int | None = None,
) -> Change:
    work_order = await changes.load(session, work_order_id)
    current = work_order.status
    if seen_version is not None and work_order.version != seen_version:
        raise Conflict(f"{changes.ref(work_order)} changed since version {seen_version}; read it again.")
    rules.check_transition(current, target.status, ref=changes.ref(work_order))
    common: dict[str, Any] = {"org": org, "now": now, "work_order_id": work_order_id, "user_id": user_id}
    match target.status:
        case Status.IN_PROGRESS if current is Status.ON_HOLD:
            return await lifecycle.resume(session, **common, seen_version=seen_version)
        case Status.IN_PROGRESS:
            return await lifecycle.start(session, **common, seen_version=seen_version)
        case Status.ON_HOLD:
            if target.hold_reason is None:
                raise InvalidInput("Say why it is on hold: parts, vendor, access or other.", field="hold_reason")
            return await lifecycle.hold(
                session, **common, reason=target.hold_reason, note=target.reason, seen_version=seen_version
            )
        case Status.COMPLETED:
            return await lifecycle.complete(
                session,
                **common,
                resolution=target.resolution,
                cause=target.cause,
                minutes=target.minutes,
                seen_version=seen_version,
            )
        case Status.CANCELLED:
            return await lifecycle.cancel(session, **common, reason=target.reason, seen_version=seen_version)
        case Status.CLOSED:
            return await lifecycle.confirm(session, **common)
        case Status.OPEN:
            return await lifecycle.reopen(session, **common, reason=target.reason)
    raise InvalidInput(f"A work order cannot be moved to {target.status.value}.", field="status")


async def set_assignee(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    work_order_id: int,
    user_id: str,
    assignee_id: str | None,
    seen_version: int | None = None,
) -> Change:
    """Nobody: unassign. The person asking, on unclaimed work: claim. Anyone else: assign."""
    common: dict[str, Any] = {"org": org, "now": now, "work_order_id": work_order_id, "user_id": user_id}
    if assignee_id is None:
        return await assignment.unassign(session, **common, seen_version=seen_version)
    holder = (await changes.load(session, work_order_id)).assignee_id
    if assignee_id == user_id and holder is None:
        return await assignment.claim(session, **common, seen_version=seen_version)
    return await assignment.assign(session, **common, assignee_id=assignee_id, seen_version=seen_version)
